"""Your own files, round two (issue 35): the --max-train-examples subset is stated where the split is, the
--test file is scored once at the end of training, and the carved dev split has its own fixed seed."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from seqlab.cli import app

TINY = ["--epochs", "1", "--embed-dim", "8", "--hidden", "8", "--threads", "1", "--device", "cpu",
        "--max-length", "16"]
WORDS = {"pos": ["good", "great", "fine", "lovely"], "neg": ["bad", "awful", "dull", "poor"]}


def _write(path: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        label = rng.choice(["neg", "pos"])
        lines.append(f"{label}\tthe film was {rng.choice(WORDS[label])} and {rng.choice(['long', 'short'])} .\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def own(tmp_path, monkeypatch) -> dict[str, Path]:
    folder = tmp_path / "work" / "mydata"
    files = {"train": _write(folder / "train.tsv", 160, 1), "test": _write(folder / "test.tsv", 60, 3)}
    monkeypatch.chdir(tmp_path / "work")
    return files


def _train(runner, *args: str) -> tuple[dict, Path, str]:
    shown = runner.invoke(app, ["train", "--data", "mydata/train.tsv", *TINY, *args])
    assert shown.exit_code == 0, shown.output
    run = Path(shown.output.split("run folder: ")[1].split()[0])
    flat = " ".join(shown.output.replace("│", " ").split())  # table cells that wrap are read as one line
    return json.loads((run / "config.json").read_text()), run, flat


def test_the_training_subset_is_stated_with_the_split(runner, own):
    config, run, output = _train(runner, "--test", "mydata/test.tsv", "--max-train-examples", "50", "--seed", "0")
    said = ("--max-train-examples 50: training uses 50 of the 144 train rows, a random sample (seed 0, the --seed) "
            "keeping each label's share")
    assert "train: the other 144" in output and said in output
    assert said in config["data"]["notes"]
    assert config["data"]["train_subset"] == {"rows": 50, "of": 144, "drawn": "stratified", "seed": 0}
    assert sum(config["data"]["train_label_counts"].values()) == 50
    whole, _, output = _train(runner, "--test", "mydata/test.tsv")
    assert whole["data"]["train_subset"] is None and "--max-train-examples" not in output
    builtin = runner.invoke(app, ["train", "--data", "builtin-sentiment", *TINY, "--max-train-examples", "64"])
    assert builtin.exit_code == 0, builtin.output
    assert "training uses 64 of the 3,000 train rows" in " ".join(builtin.output.split())


def test_the_test_file_is_scored_once_at_the_end_apart_from_dev(runner, own):
    result = runner.invoke(app, ["train", "--data", "mydata/train.tsv", "--test", "mydata/test.tsv", *TINY,
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    run = Path(payload["run_dir"])
    saved = json.loads((run / "result.json").read_text())
    assert saved["test"]["split"] == "test" and saved["test"]["n"] == 60 and saved["dev"]["n"] == 16
    assert payload["test"]["accuracy"] == saved["test"]["accuracy"]
    later = runner.invoke(app, ["evaluate", str(run), "--split", "test", "--json"])
    assert json.loads(later.stdout)["accuracy"] == pytest.approx(saved["test"]["accuracy"])  # the best weights

    _, _, output = _train(runner, "--test", "mydata/test.tsv")
    assert "test.tsv (60), held out, scored once at the end of training with the best epoch's weights" in output
    assert "test accuracy" in output and "scored once, with the best epoch's weights" in output
    assert output.index("dev accuracy") < output.index("test accuracy")
    no_test = _train(runner, "--dev", str(own["test"]))[1]
    assert json.loads((no_test / "result.json").read_text())["test"] is None  # no --test file: nothing scored


def _dev_texts(run: Path) -> list[str]:
    return (run / "predictions.tsv").read_text(encoding="utf-8").splitlines()[1:]


def test_the_carved_dev_split_does_not_move_with_the_seed(runner, own):
    first, run0, _ = _train(runner, "--test", "mydata/test.tsv", "--seed", "0")
    _, run1, _ = _train(runner, "--test", "mydata/test.tsv", "--seed", "1")
    assert first["train"]["split_seed"] == 0
    rows = lambda run: sorted(line.split("\t")[0] + line.split("\t")[1] for line in _dev_texts(run))  # noqa: E731
    assert rows(run0) == rows(run1)  # same dev rows for another --seed
    _, run2, output = _train(runner, "--test", "mydata/test.tsv", "--seed", "0", "--split-seed", "5")
    assert "split seed 5" in output and rows(run2) != rows(run0)
    bad = runner.invoke(app, ["train", "--data", "mydata/train.tsv", "--split-seed", "-1"])
    assert bad.exit_code == 2 and "--split-seed" in bad.output and "Traceback" not in bad.output


def test_an_old_run_without_a_split_seed_is_carved_with_its_training_seed(runner, own):
    _, run, _ = _train(runner, "--test", "mydata/test.tsv", "--seed", "3", "--split-seed", "3")
    before = json.loads(runner.invoke(app, ["evaluate", str(run), "--json"]).stdout)
    config = json.loads((run / "config.json").read_text())
    del config["train"]["split_seed"]  # as a run made before --split-seed existed (it carved with --seed)
    (run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    after = runner.invoke(app, ["evaluate", str(run), "--json"])
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout) == before  # the same 16 dev rows, scored the same
