"""Issue 32: own data files that are special, conflicting or silently wrong, refused at the CLI in one line.

Each case is a `seqlab` command line on files made here; each must end in exit 2 and one `error:` line that
names the problem, with the user's files unchanged and no run folder written. A named pipe is opened for
writing after a few seconds by a guard thread, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from seqlab.cli import app

from .helpers import TINY, one_error, rows, snapshot

GOOD = ["neg", "pos"] * 20


@contextlib.contextmanager
def unblocked(fifo: Path, after: float = 8.0):
    """Open `fifo` for writing after `after` seconds (and close it), so a reader stuck on it gets EOF."""
    done = threading.Event()

    def release() -> None:
        if not done.wait(after):
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if _has_reader(fifo) else None
            if fd is not None:
                os.close(fd)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _has_reader(fifo: Path) -> bool:
    """True when someone holds `fifo` open for reading (a non-blocking writer open succeeds only then)."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        return True
    except OSError:
        return False


@pytest.fixture
def files(tmp_path) -> Path:
    """A good training file, a named pipe, a symbolic link loop and files with one thing wrong each."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "good.tsv").write_text(rows(GOOD), encoding="utf-8")
    os.mkfifo(folder / "pipe.tsv")
    (folder / "loop.tsv").symlink_to("loop.tsv")
    (folder / "one-class.tsv").write_text(rows(["pos"] * 30), encoding="utf-8")
    (folder / "dev-two.tsv").write_text(rows(["neg", "pos"] * 5), encoding="utf-8")
    (folder / "dev-typo.tsv").write_text(rows(["neg", "Pos"] * 5), encoding="utf-8")
    (folder / "numbers.tsv").write_text(rows(["1", "1.0", "0"] * 10), encoding="utf-8")
    (folder / "same-name.tsv").write_text(
        "text\ttext\tlabel\n" + "".join(f"a {i}\tb {i}\t{label}\n" for i, label in enumerate(GOOD)), encoding="utf-8")
    (folder / "same-key.jsonl").write_text(
        "".join(f'{{"text": "a {i}", "label": "{label}", "label": "x"}}\n' for i, label in enumerate(GOOD)),
        encoding="utf-8")
    (folder / "binary.tsv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\t\x00\x00" * 50)
    (folder / "utf16.tsv").write_text(rows(GOOD), encoding="utf-16")
    return folder


def _refused(runner, argv: list[str], says: str, folder: Path, tmp_path: Path) -> str:
    before = snapshot(folder)
    result = runner.invoke(app, argv)
    line = one_error(result, says)
    assert snapshot(folder) == before  # nothing of the user's changed
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # no run folder left
    return line


@pytest.mark.parametrize("option", ["--data", "--dev", "--test"])
def test_a_named_pipe_is_refused_without_reading_it(option, files, runner, tmp_path):
    argv = ["train", "--data", str(files / "good.tsv"), *TINY]
    argv = argv[:1] + [option, str(files / "pipe.tsv")] + (argv[1:] if option != "--data" else argv[3:])
    with unblocked(files / "pipe.tsv"):
        line = _refused(runner, argv, "is a named pipe (FIFO), not a file saved on disk", files, tmp_path)
    assert "pipe.tsv" in line


@pytest.mark.parametrize("argv", [["data", "stats", "{pipe}"], ["data", "show", "{pipe}"]], ids=["stats", "show"])
def test_data_commands_refuse_a_named_pipe(argv, files, runner, tmp_path):
    with unblocked(files / "pipe.tsv"):
        _refused(runner, [a.format(pipe=files / "pipe.tsv") for a in argv], "named pipe", files, tmp_path)


def test_predict_and_evaluate_refuse_a_named_pipe(files, runner, tmp_path):
    trained = runner.invoke(app, ["train", "--data", str(files / "good.tsv"), "--epochs", "1", *TINY, "--json"])
    assert trained.exit_code == 0, trained.output
    run = next((tmp_path / "runs").iterdir())
    for command in ("predict", "evaluate"):
        before = snapshot(run)
        with unblocked(files / "pipe.tsv"):
            result = runner.invoke(app, [command, str(run), "--data", str(files / "pipe.tsv")])
        one_error(result, "is a named pipe (FIFO)")
        assert snapshot(run) == before


@pytest.mark.parametrize("option", ["--data", "--dev"])
def test_a_symbolic_link_loop_is_one_line(option, files, runner, tmp_path):
    argv = ["train", "--data", str(files / "good.tsv"), *TINY]
    argv = ["train", option, str(files / "loop.tsv"), *(argv[1:] if option == "--dev" else TINY)]
    line = _refused(runner, argv, "is a symbolic link that leads back to itself (a loop)", files, tmp_path)
    assert line.startswith(f"error: {option} ")


CONFLICTS = [
    pytest.param(["--data", "{d}/one-class.tsv", "--dev", "{d}/dev-two.tsv"],
                 "has one label only ('pos', 30 rows); dev/test add 'neg', which training never shows", id="one-class"),
    pytest.param(["--data", "{d}/one-class.tsv"], "has one label only", id="one-class-alone"),
    pytest.param(["--data", "{d}/good.tsv", "--dev", "{d}/dev-typo.tsv"],
                 "the dev file dev-typo.tsv has labels no training row has: 'Pos'", id="dev-label-not-in-training"),
    pytest.param(["--data", "{d}/good.tsv", "--test", "{d}/dev-typo.tsv"],
                 "the test file dev-typo.tsv has labels no training row has: 'Pos'", id="test-label-not-in-training"),
    pytest.param(["--data", "{d}/good.tsv", "--text-column", "label"],
                 "--text-column and --label-column both name column 'label'; the model would read its own label",
                 id="text-column-is-label-column"),
    pytest.param(["--data", "{d}/good.tsv", "--text-column", "1"],
                 "the text column ('1') and the label column ('label') are the same column 1", id="same-by-number"),
    pytest.param(["--data", "{d}/numbers.tsv"], "labels '1' and '1.0', one number written two ways",
                 id="one-and-one-point-zero"),
    pytest.param(["--data", "{d}/same-name.tsv"], "the header names 2 columns 'text' (columns 0, 1)",
                 id="two-columns-of-one-name"),
    pytest.param(["--data", "{d}/same-key.jsonl"], "key 'label' appears twice", id="jsonl-key-twice"),
    pytest.param(["--data", "{d}/binary.tsv"], "binary.tsv is not a text file", id="binary-file"),
    pytest.param(["--data", "{d}/utf16.tsv"], "utf16.tsv is not a text file", id="utf-16-file"),
]


@pytest.mark.parametrize("argv,says", CONFLICTS)
def test_inputs_that_would_train_a_wrong_model_are_refused(argv, says, files, runner, tmp_path):
    _refused(runner, ["train", *[a.format(d=files) for a in argv], "--epochs", "1", *TINY], says, files, tmp_path)


def test_a_rare_label_only_in_a_carved_split_is_a_warning_and_training_goes_on(runner, tmp_path):
    """A class with one row can land in the seeded dev split: training still means something, so it warns."""
    table = tmp_path / "rare.tsv"
    table.write_text(rows(GOOD + ["meh"]), encoding="utf-8")
    found = None
    for seed in range(40):  # the seed whose 7:1:2 split puts the one 'meh' row outside training
        result = runner.invoke(app, ["train", "--data", str(table), "--split-seed", str(seed), "--epochs", "1", *TINY])
        if "which no training row has" in result.output:
            found = result
            break
    assert found is not None
    assert found.exit_code == 0, found.output
    assert "warning: the " in found.output and "labelled 'meh'" in found.output


def test_the_same_checks_hold_for_evaluate_with_a_file(files, runner, tmp_path):
    trained = runner.invoke(app, ["train", "--data", str(files / "good.tsv"), "--epochs", "1", *TINY])
    assert trained.exit_code == 0, trained.output
    run = next((tmp_path / "runs").iterdir())
    result = runner.invoke(app, ["evaluate", str(run), "--data", str(files / "good.tsv"), "--text-column", "label"])
    one_error(result, "--text-column and --label-column both name column 'label'")


def test_attention_on_a_very_long_text_is_cut_at_once_and_says_so(minilm_dir):
    """5,000 words for MiniLM (512 positions): encoded at the drawing limit, not 512, and the note says why."""
    from seqlab.viz.attention_source import DRAWN_TOKENS, attention_from_pretrained

    capture = attention_from_pretrained(" ".join(["the film was long"] * 1250))
    assert len(capture.tokens) == DRAWN_TOKENS and capture.probabilities.shape[-1] == DRAWN_TOKENS
    assert capture.note is not None and f"first {DRAWN_TOKENS} tokens" in capture.note
    assert attention_from_pretrained("a short text").note is None
