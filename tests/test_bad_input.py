"""Bad input through the CLI, as a new user would type it: exit code 2 and one line saying what is wrong.

One table of cases over every command. Each case names the command line and a fragment the error line
must contain (the bad value or the thing to fix), so a vague message fails as surely as a traceback.
A second table holds inputs that look bad but must work (text longer than --max-length is truncated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import torch

from seqlab.cli import app

# Small enough that each training below takes about a second on one core.
TINY_LSTM = {"family": "lstm", "embed_dim": 8, "hidden_size": 8}
# max_len 32: a position table shorter than the text, so `seqlab attention` must truncate too.
TINY_TRANSFORMER = {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32, "max_len": 32}
LONG_TEXT = " ".join(["the acting was wonderful but the plot was not clever ."] * 60)  # ~660 words
ADJECTIVES = ("awful", "dull", "fine", "good", "superb")  # SST's 0..4


@dataclass(frozen=True)
class Lab:
    """Files and runs the cases point at, made once per module under a temporary folder."""

    root: Path
    sst_run: Path  # an LSTM trained on a small SST-format folder
    transformer_run: Path  # a Transformer trained on the built-in corpus (max length 24, 32 positions)
    lm_run: Path  # a causal LM pretrained on the built-in corpus
    table_run: Path  # an LSTM trained on table.tsv (neg/pos), which later gained a third label

    def path(self, name: str) -> str:
        """A file or folder under the lab's root, as the string a user would type."""
        return str(self.root / name)


def _sst_lines(count: int, offset: int = 0) -> str:
    return "".join(f"{i % 5} ||| a {ADJECTIVES[i % 5]} movie number {i + offset} .\n" for i in range(count))


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _tiny_train(model: dict, runs: Path, **changes) -> Path:
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    settings = dict(model=model, epochs=1, batch_size=16, max_length=24, max_train_examples=64, threads=1,
                    device="cpu", lr=3e-3)
    settings.update(changes)
    return train(TrainConfig(**settings), quiet=True, runs_dir=runs).run_dir


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """Broken data files, a folder that is not a run, a truncated checkpoint, and three tiny trained runs."""
    root = tmp_path_factory.mktemp("bad-input")
    # A good SST folder and copies with one thing wrong each.
    for split, count in (("train", 60), ("dev", 20), ("test", 20)):
        _write(root / "good" / "sst" / f"sst-{split}.txt", _sst_lines(count, offset=100 * len(split)))
        _write(root / "badlabel" / "sst" / f"sst-{split}.txt", _sst_lines(count, offset=100 * len(split)))
        _write(root / "csv" / "sst" / f"sst-{split}.txt", "label,text\n1,a fine film\n0,an awful film\n")
    _write(root / "badlabel" / "sst" / "sst-test.txt", _sst_lines(5) + "7 ||| a label the run never saw .\n")
    for split in ("train", "test"):
        _write(root / "notab" / "imdb" / f"{split}.tsv", "pos a great movie\nneg a dull movie\n")
    _write(root / "empty.tsv", "")
    _write(root / "header-without-tabs.tsv", "text label\na great movie pos\n")
    _write(root / "latin1.tsv", "text\tlabel\na caf\xe9 movie\tpos\n".encode("latin-1"))
    _write(root / "spec-bad-heads.json", json.dumps(
        {"family": "transformer", "d_model": 30, "n_heads": 4, "vocab_size": 100, "num_labels": 2}))
    (root / "not-a-run").mkdir()
    # junk rows and values that must not become classes
    _write(root / "repeated-header.tsv", "text\tlabel\n" + "a fine film\tpos\n" * 5 + "text\tlabel\n" + "a dull film\tneg\n" * 5)
    _write(root / "bool-label.jsonl", '{"text": "a fine film", "label": "pos"}\n{"text": "a dull film", "label": true}\n')
    _write(root / "nan-label.jsonl", '{"text": "a fine film", "label": 1}\n{"text": "a dull film", "label": NaN}\n')
    _write(root / "huge-int.jsonl", '{"text": "a fine film", "label": ' + "9" * 5000 + "}\n")
    _write(root / "long-label.tsv", "label\ttext\n" + "x" * 100_000 + "\n")
    (root / "folder.tsv").mkdir()
    for split, count in (("train", 60), ("dev", 20)):
        _write(root / "longlabel" / "sst" / f"sst-{split}.txt", _sst_lines(count, offset=100 * len(split)))
    _write(root / "longlabel" / "sst" / "sst-test.txt", "x" * 100_000 + " ||| a label ten pages long .\n")
    _write(root / "a-file", "not a folder\n")
    _write(root / "user-folder" / "README.md", "# my own notes\n")

    runs = root / "runs"
    sst_run = _tiny_train(TINY_LSTM, runs, data="sst", data_dir=str(root / "good"), name="sst-lstm")
    transformer_run = _tiny_train(TINY_TRANSFORMER, runs, name="transformer")
    lm_run = _tiny_train({**TINY_TRANSFORMER, "family": "lm"}, runs, name="lm")
    table = root / "table.tsv"
    rows = [f"a {'good' if i % 2 else 'dull'} film {i}\t{'pos' if i % 2 else 'neg'}\n" for i in range(40)]
    _write(table, "text\tlabel\n" + "".join(rows))
    table_run = _tiny_train(TINY_LSTM, runs, data=str(table), name="table")
    _write(table, "text\tlabel\n" + "".join(rows) + "".join(f"an odd film {i}\tneutral\n" for i in range(20)))
    _damaged_copies(root, sst_run)
    truncated = root / "truncated-run"
    truncated.mkdir()
    for item in sst_run.rglob("*"):
        if item.is_file():
            _write(truncated / item.relative_to(sst_run), item.read_bytes())
    weights = (sst_run / "model.safetensors").read_bytes()
    (truncated / "model.safetensors").write_bytes(weights[: len(weights) // 3])
    return Lab(root, sst_run, transformer_run, lm_run, table_run)


def _copy_run(source: Path, target: Path) -> Path:
    for item in source.rglob("*"):
        if item.is_file():
            _write(target / item.relative_to(source), item.read_bytes())
    return target


def _damaged_copies(root: Path, run: Path) -> None:
    """Copies of a good run with one thing wrong each: config fields of the wrong type, checkpoints seqlab
    could not have written, a pickled object where the training state belongs."""
    from safetensors.torch import load_file, save_file

    config = json.loads((run / "config.json").read_text())
    for name, change in (("null-train", {"train": None}), ("sixty", {"train": {**config["train"], "max_length": "sixty"}}),
                         ("odd-labels", {"labels": [0, {"a": 1}]}), ("no-family", {"model": {"hidden_size": 8}})):
        target = _copy_run(run, root / f"config-{name}")
        (target / "config.json").write_text(json.dumps({**config, **change}))
    weights = load_file(str(run / "model.safetensors"))
    for name, tensors in (("int8", {k: v.to(torch.int8) for k, v in weights.items()}),
                          ("nan", {k: torch.full_like(v, float("nan")) for k, v in weights.items()})):
        target = _copy_run(run, root / f"weights-{name}")
        save_file(tensors, str(target / "model.safetensors"))
    target = _copy_run(run, root / "pickle-state")
    torch.save({"epoch": 1, "evil": Path("x")}, target / "state.pt")  # weights_only refuses the Path object


@dataclass(frozen=True)
class Case:
    """A command line (built from the Lab) and a fragment its one error line must contain."""

    argv: Callable[[Lab], list[str]]
    says: str


def case(case_id: str, argv: Callable[[Lab], list[str]], says: str, xfail: str | None = None):
    """One row of the table; `xfail` names the file, function and fix while the owner has not fixed it yet."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(Case(argv, says), id=case_id, marks=marks)


BAD_INPUTS = [
    # files in the wrong shape
    case("empty-file-train", lambda lab: ["train", "--data", lab.path("empty.tsv")], "empty.tsv is empty"),
    case("empty-file-stats", lambda lab: ["data", "stats", lab.path("empty.tsv")], "empty.tsv is empty"),
    case("csv-given-as-minbert", lambda lab: ["data", "stats", "sst", "--data-dir", lab.path("csv")],
         "expected 'LABEL ||| TEXT'"),
    case("label-tsv-with-no-tab", lambda lab: ["train", "--data", "imdb", "--data-dir", lab.path("notab")],
         "found no tab"),
    case("table-tsv-with-no-tab", lambda lab: ["data", "show", lab.path("header-without-tabs.tsv")],
         "--text-column"),
    case("non-utf8-bytes", lambda lab: ["train", "--data", lab.path("latin1.tsv")], "not UTF-8"),
    case("unknown-label-in-test-file",
         lambda lab: ["evaluate", str(lab.sst_run), "--split", "test", "--data-dir", lab.path("badlabel")],
         "label '7' is not one of"),
    case("new-label-in-the-table-since-training", lambda lab: ["evaluate", str(lab.table_run), "--split", "test"],
         "differ from the run's"),
    case("new-label-in-the-table-resume", lambda lab: ["train", "--resume", str(lab.table_run)],
         "new: 'neutral'"),
    case("repeated-header-row", lambda lab: ["data", "show", lab.path("repeated-header.tsv")],
         "repeated-header.tsv:7: the header row again"),
    case("jsonl-true-label", lambda lab: ["train", "--data", lab.path("bool-label.jsonl")],
         "bool-label.jsonl:2: 'label' must be a string or number, found true"),
    case("jsonl-nan-label", lambda lab: ["data", "stats", lab.path("nan-label.jsonl")], "nan-label.jsonl:2: 'label' is nan"),
    case("jsonl-integer-beyond-digit-limit", lambda lab: ["data", "show", lab.path("huge-int.jsonl")],
         "huge-int.jsonl:1: a number too long"),
    case("label-100k-characters-long",
         lambda lab: ["evaluate", str(lab.sst_run), "--split", "test", "--data-dir", lab.path("longlabel")],
         "is not one of 0, 1, 2, 3, 4"),
    case("newline-and-escape-in-a-path", lambda lab: ["train", "--data", lab.path("no\nsuch\x1b[2J.tsv")],
         "no\\nsuch\\e[2J.tsv not found"),
    case("data-file-is-a-folder", lambda lab: ["train", "--data", lab.path("folder.tsv")], "is a folder, expected"),
    case("data-dir-is-a-file", lambda lab: ["data", "stats", "sst", "--data-dir", lab.path("a-file")],
         "is a file, not a folder"),
    # training options
    case("heads-do-not-divide-width",
         lambda lab: ["train", "--model", "transformer", "--width", "30", "--heads", "4"], "multiple of 4"),
    case("heads-do-not-divide-width-params", lambda lab: ["params", "--config", lab.path("spec-bad-heads.json")],
         "not divisible by 4"),
    case("batch-size-0", lambda lab: ["train", "--batch-size", "0"], "--batch-size must be at least 1"),
    case("negative-lr", lambda lab: ["train", "--lr", "-0.1"], "--lr must be greater than 0"),
    case("infinite-lr", lambda lab: ["train", "--lr", "inf"], "--lr"),
    case("epochs-0", lambda lab: ["train", "--epochs", "0"], "--epochs must be at least 1"),
    case("unknown-model-family", lambda lab: ["train", "--model", "lstn"], "unknown model 'lstn'"),
    case("unknown-optimizer", lambda lab: ["train", "--optimizer", "lion"], "unknown optimizer 'lion'"),
    case("weight-decay-nan", lambda lab: ["train", "--weight-decay", "nan"], "--weight-decay"),
    case("grad-clip-nan", lambda lab: ["train", "--grad-clip", "nan"], "--grad-clip"),
    case("seed-negative", lambda lab: ["train", "--seed", "-1"], "--seed must be from 0"),
    case("seed-beyond-numpy", lambda lab: ["train", "--seed", str(2**70)], "--seed must be from 0"),
    case("seed-beyond-numpy-experiment", lambda lab: ["experiment", "run", "rnn-optimizers", "--tiny", "--seed",
                                                      str(2**40)], "--seed must be from 0"),
    case("max-length-absurd", lambda lab: ["train", "--model", "transformer", "--max-length", str(10**11)],
         "--max-length must be from 2"),
    case("max-length-no-room-for-cls-sep", lambda lab: ["train", "--model", "bert", "--max-length", "2"],
         "--max-length must be from 3 to 65,536 tokens (got 2); the wordpiece encoder adds [CLS], [SEP]"),
    case("max-length-no-room-for-a-pair", lambda lab: ["train", "--model", "bert", "--data", "builtin-entailment",
                                                       "--max-length", "3", "--threads", "1"],
         "--max-length must be from 4 to 65,536 tokens (got 3)"),
    case("max-length-experiment", lambda lab: ["experiment", "run", "rnn-width", "--tiny", "--max-length", "3"],
         "--max-length must be from 4 to"),
    case("threads-absurd", lambda lab: ["train", "--threads", "100000"], "--threads must be at least 1 and at most"),
    case("threads-absurd-evaluate", lambda lab: ["evaluate", str(lab.sst_run), "--threads", "100000"],
         "--threads must be at least 1 and at most"),
    case("dropout-nan", lambda lab: ["train", "--dropout", "nan"], "--dropout"),
    case("epochs-absurd", lambda lab: ["train", "--epochs", str(10**12)], "--epochs must be at least 1 and at most"),
    case("hidden-absurd", lambda lab: ["train", "--hidden", str(10**9)], "hidden_size must be at most"),
    case("layers-absurd", lambda lab: ["train", "--model", "transformer", "--layers", str(10**5)],
         "n_layers must be at most 1,000"),
    case("positions-absurd", lambda lab: ["plot", "positions", "--max-len", str(10**11)], "--max-len from 1 to"),
    # contradictory options
    case("gru-init-from-lm", lambda lab: ["train", "--model", "gru", "--init-from", str(lab.lm_run)],
         "pass --model transformer"),
    case("width-init-from-lm", lambda lab: ["train", "--model", "transformer", "--width", "64", "--init-from",
                                            str(lab.lm_run)], "--width 64 cannot change"),
    # run folders
    case("missing-run-evaluate", lambda lab: ["evaluate", lab.path("no-such-run")], "does not exist"),
    case("missing-run-predict", lambda lab: ["predict", lab.path("no-such-run"), "a fine movie"], "does not exist"),
    case("missing-run-attention", lambda lab: ["attention", lab.path("no-such-run"), "a fine movie"], "does not exist"),
    case("missing-run-compare", lambda lab: ["compare", lab.path("no-such-run")], "do not exist"),
    case("missing-run-plot-curves", lambda lab: ["plot", "curves", lab.path("no-such-run")], "does not exist"),
    case("missing-run-check", lambda lab: ["check", "--run", lab.path("no-such-run")], "does not exist"),
    case("missing-run-params", lambda lab: ["params", "--run", lab.path("no-such-run")], "does not exist"),
    case("missing-run-resume", lambda lab: ["train", "--resume", lab.path("no-such-run")], "does not exist"),
    case("missing-run-init-from",
         lambda lab: ["train", "--model", "transformer", "--init-from", lab.path("no-such-run")],
         "does not exist"),
    case("missing-runs-root", lambda lab: ["runs", "--root", lab.path("no-such-folder")], "does not exist"),
    case("not-a-run-evaluate", lambda lab: ["evaluate", lab.path("not-a-run")], "not a seqlab run"),
    case("not-a-run-predict", lambda lab: ["predict", lab.path("not-a-run"), "a fine movie"], "not a seqlab run"),
    case("not-a-run-attention", lambda lab: ["attention", lab.path("not-a-run"), "a fine movie"], "not a seqlab run"),
    case("not-a-run-plot-confusion", lambda lab: ["plot", "confusion", lab.path("not-a-run")], "not a seqlab run"),
    case("not-a-run-check", lambda lab: ["check", "--run", lab.path("not-a-run")], "not a seqlab run"),
    case("not-a-run-resume", lambda lab: ["train", "--resume", lab.path("not-a-run")], "not a seqlab run"),
    case("not-a-run-init-from", lambda lab: ["train", "--model", "transformer", "--init-from", lab.path("not-a-run")],
         "not a seqlab run"),
    case("not-a-run-bias-probe", lambda lab: ["experiment", "run", "bias-probe", "--run", lab.path("not-a-run")],
         "not a seqlab run"),
    case("config-train-null", lambda lab: ["evaluate", lab.path("config-null-train")], "train is null, expected an object"),
    case("config-max-length-sixty", lambda lab: ["predict", lab.path("config-sixty"), "a film"],
         "train.max_length is 'sixty', expected a whole number"),
    case("config-labels-not-strings", lambda lab: ["train", "--resume", lab.path("config-odd-labels")],
         "labels is [0"),
    case("config-model-without-family", lambda lab: ["plot", "curves", lab.path("config-no-family")], "model.family"),
    case("weights-int8", lambda lab: ["evaluate", lab.path("weights-int8")], "is I8, expected F32"),
    case("weights-nan", lambda lab: ["predict", lab.path("weights-nan"), "a film"], "NaN or infinite values"),
    case("pickled-object-in-state", lambda lab: ["train", "--resume", lab.path("pickle-state")],
         "holds Python objects seqlab never writes"),
    case("truncated-checkpoint-evaluate", lambda lab: ["evaluate", lab.path("truncated-run")], "corrupt or truncated"),
    case("truncated-checkpoint-predict", lambda lab: ["predict", lab.path("truncated-run"), "a fine movie"],
         "corrupt or truncated"),
    # datasets
    case("unknown-dataset-train", lambda lab: ["train", "--data", "imbd"], "unknown dataset 'imbd'"),
    case("unknown-dataset-stats", lambda lab: ["data", "stats", "imbd"], "unknown dataset 'imbd'"),
    case("unknown-dataset-tokenize", lambda lab: ["tokenize", "hi", "--vocab-from", "imbd"], "unknown dataset 'imbd'"),
    case("unknown-dataset-download", lambda lab: ["data", "download", "imbd"], "no download known for 'imbd'"),
    case("unknown-dataset-experiment", lambda lab: ["experiment", "run", "rnn-optimizers", "--tiny", "--data", "imbd"],
         "unknown dataset 'imbd'"),
    case("missing-data-dir-train", lambda lab: ["train", "--data", "sst"], "--data-dir"),
    case("missing-data-dir-stats", lambda lab: ["data", "stats", "imdb"], "--data-dir"),
    case("missing-data-dir-experiment", lambda lab: ["experiment", "run", "rnn-optimizers", "--tiny", "--data", "sst"],
         "--data-dir"),
    # ids, topics, answers, recipes
    case("unknown-identity-prove", lambda lab: ["prove", "layernorm-nrom"], "unknown identity layernorm-nrom"),
    case("unknown-identity-check", lambda lab: ["check", "layernorm-nrom", "--fresh"],
         "unknown identity layernorm-nrom"),
    case("unknown-topic-explain", lambda lab: ["explain", "atention"], "unknown topic 'atention'"),
    case("unknown-topic-quiz", lambda lab: ["quiz", "--topic", "atention"], "unknown topic 'atention'"),
    case("malformed-answers-count", lambda lab: ["quiz", "--n", "3", "--answers", "a"], "1 answer(s) for 3"),
    case("malformed-answers-empty-item", lambda lab: ["quiz", "--n", "3", "--answers", ",,"], "--answers item 1"),
    case("unknown-params-preset", lambda lab: ["params", "bert-huge"], "unknown model 'bert-huge'"),
    case("unknown-experiment-recipe", lambda lab: ["experiment", "run", "rnn-optimisers"],
         "unknown recipe 'rnn-optimisers'"),
    case("unknown-tour-step", lambda lab: ["tour", "--only", "nope"], "unknown tour step(s) nope"),
    # output files
    case("latex-to-a-folder", lambda lab: ["prove", "layernorm-norm", "--latex", str(lab.root)], "folder"),
    case("out-is-a-file-plot", lambda lab: ["plot", "masks", "--out", lab.path("empty.tsv")], "is a file"),
    case("out-holds-user-files-experiment",
         lambda lab: ["experiment", "run", "rnn-optimizers", "--tiny", "--out", lab.path("user-folder")],
         "not a seqlab experiment report"),
    case("out-is-a-file-tour", lambda lab: ["tour", "--only", "data", "--out", lab.path("empty.tsv")], "is a file"),
    # devices (CUDA is hidden by the test, so these hold on GPU machines too)
    case("cuda-without-cuda-train", lambda lab: ["train", "--device", "cuda"], "no CUDA GPU"),
    case("cuda-without-cuda-evaluate", lambda lab: ["evaluate", str(lab.sst_run), "--device", "cuda"], "no CUDA GPU"),
    case("cuda-without-cuda-predict", lambda lab: ["predict", str(lab.sst_run), "fine", "--device", "cuda"],
         "no CUDA GPU"),
    case("cuda-without-cuda-attention",
         lambda lab: ["attention", str(lab.transformer_run), "fine", "--device", "cuda"], "no CUDA GPU"),
    case("cuda-without-cuda-check", lambda lab: ["check", "--fresh", "--device", "cuda"], "no CUDA GPU"),
    case("cuda-without-cuda-tour",
         lambda lab: ["tour", "--only", "train", "--device", "cuda", "--out", lab.path("tour")],
         "no CUDA GPU"),
    case("cuda-without-cuda-experiment",
         lambda lab: ["experiment", "run", "rnn-optimizers", "--tiny", "--device", "cuda"],
         "no CUDA GPU"),
    case("unknown-device", lambda lab: ["train", "--device", "tpu"], "unknown device 'tpu'"),
]


@pytest.fixture
def no_cuda_no_data(monkeypatch):
    """CUDA hidden and $SEQLAB_DATA unset, as on a fresh laptop."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("SEQLAB_DATA", raising=False)


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(bad: Case, lab: Lab, runner, no_cuda_no_data):
    result = runner.invoke(app, bad.argv(lab))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    lines = _lines(result.output)
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert bad.says in lines[0]
    assert len(lines[0]) <= 410 and "\x1b" not in lines[0]  # long user text is shortened, control characters escaped


def test_data_show_escapes_terminal_control_sequences(lab: Lab, runner, tmp_path):
    """A row holding ESC]0;...BEL (retitle the window) and ESC[2J (clear the screen) is shown, not obeyed."""
    table = tmp_path / "evil\x1b]0;t\x07.tsv"
    rows = "".join(f"a fine film {i}\tpos\n" for i in range(8)) + "\x1b]0;pwned\x07\x1b[2Jgotcha\tneg\n" * 12
    table.write_text("text\tlabel\n" + rows, encoding="utf-8")
    for argv in (["data", "show", str(table), "--count", "20"], ["data", "stats", str(table)],
                 ["data", "show", str(tmp_path / "missing\x1b[2J.tsv")]):
        result = runner.invoke(app, argv, color=True)
        assert "\x1b]" not in result.output and "\x1b[2J" not in result.output and "\x07" not in result.output
    result = runner.invoke(app, ["data", "show", str(table), "--count", "20"])
    assert result.exit_code == 0 and "\\e]0;pwned" in result.output


def test_labels_that_look_like_numbers_but_are_not(runner, tmp_path):
    """'²' and '--1' pass str.isdigit() (after lstrip) but not int(): they are names, sorted as text."""
    table = tmp_path / "odd.tsv"
    table.write_text("text\tlabel\n" + "".join(f"film {i}\t{('²', '--1', '3')[i % 3]}\n" for i in range(30)),
                     encoding="utf-8")
    result = runner.invoke(app, ["data", "stats", str(table), "--json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


USAGE_ERRORS = {
    "predict-without-arguments": ["predict"],
    "evaluate-without-run": ["evaluate"],
    "data-stats-without-name": ["data", "stats"],
    "experiment-run-without-recipe": ["experiment", "run"],
    "epochs-not-a-number": ["train", "--epochs", "five"],
    "unknown-option": ["train", "--learning-rate", "0.1"],
    "unknown-command": ["trian"],
}


@pytest.mark.parametrize("argv", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_exit_2_without_a_traceback(argv: list[str], runner):
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = _lines(result.output)  # Typer's usage errors in seqlab's own style: one line, where help is
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--help" in lines[0], result.output
    assert "╭" not in result.output


def test_text_longer_than_max_length_is_truncated_by_predict_and_attention(lab: Lab, runner):
    for run in (lab.sst_run, lab.transformer_run):
        result = runner.invoke(app, ["predict", str(run), LONG_TEXT, "--json"])
        assert result.exit_code == 0, result.output
        prediction = json.loads(result.output)
        assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)
        assert len(prediction["tokens"]) <= 24  # the runs' --max-length

    out = lab.root / "attention-long"
    result = runner.invoke(app, ["attention", str(lab.transformer_run), LONG_TEXT, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["tokens"]) == 32  # attention cuts at the model's position table, and says so
    assert "longer than the model's 32 positions" in payload["note"]


def test_text_longer_than_max_length_trains_and_tokenizes(lab: Lab, runner, tmp_path):
    long_rows = "".join(f"{LONG_TEXT} {i}\t{'pos' if i % 2 else 'neg'}\n" for i in range(30))
    table = tmp_path / "long.tsv"
    table.write_text("text\tlabel\n" + long_rows, encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(table), "--max-length", "8", "--epochs", "1", "--embed-dim",
                                 "8", "--hidden", "8", "--device", "cpu", "--threads", "1", "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["dev"]["n"] == 3

    result = runner.invoke(app, ["tokenize", LONG_TEXT, "--max-length", "16", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["word"]["ids"]) == 16 and len(payload["wordpiece"]["ids"]) == 16


def test_the_lm_transfer_example_from_train_help_works(lab: Lab, runner):
    """`seqlab train --help` shows: seqlab train --model lm --init-from runs/...-lm-... (classify with its body)."""
    result = runner.invoke(app, ["train", "--model", "lm", "--init-from", str(lab.lm_run), "--epochs", "1",
                                 "--max-train-examples", "32", "--device", "cpu", "--threads", "1", "--quiet",
                                 "--json"])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["task"] == "classify"
