"""Your own data through the CLI: a headerless train file with a separate dev file, a test file scored from
another folder, and the numbers checked against the saved predictions."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from seqlab.cli import app

TINY = ["--epochs", "2", "--embed-dim", "16", "--hidden", "16", "--threads", "1", "--device", "cpu",
        "--max-length", "16", "--seed", "0"]
WORDS = {"pos": ["good", "great", "fine", "lovely"], "neg": ["bad", "awful", "dull", "poor"]}


def _write(path: Path, n: int, seed: int) -> Path:
    """A headerless LABEL<TAB>TEXT file of n easy sentences."""
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
    """trec-like folder with train/dev/test files; the working directory is the data's parent."""
    folder = tmp_path / "work" / "mydata"
    files = {"train": _write(folder / "train.tsv", 160, 1), "dev": _write(folder / "dev.tsv", 40, 2),
             "test": _write(folder / "test.tsv", 60, 3)}
    monkeypatch.chdir(tmp_path / "work")
    return files


def _train(runner, *extra: str) -> tuple[Path, str]:
    result = runner.invoke(app, ["train", "--data", "mydata/train.tsv", "--dev", "mydata/dev.tsv", *TINY, *extra])
    assert result.exit_code == 0, result.output
    (run,) = Path(json.loads(runner.invoke(app, ["runs", "--json"]).stdout)[-1]["path"]).parent.glob("mydata-lstm-*")
    return run.resolve(), result.output


def test_train_on_your_files_then_evaluate_a_test_file_from_another_folder(runner, own, tmp_path, monkeypatch):
    run, output = _train(runner)
    assert "train.tsv has no header: read as LABEL<TAB>TEXT" in output
    assert "train: all 160 rows of train.tsv; dev: dev.tsv (40)" in output
    config = json.loads((run / "config.json").read_text())
    assert config["dataset"] == "mydata" and config["train"]["data"] == str(own["train"].resolve())
    assert (config["train"]["text_column"], config["train"]["label_column"], config["train"]["no_header"]) == ("1", "0", True)
    files = {f["role"]: f for f in config["data"]["files"]}
    assert files["train"]["rows"] == 160 and files["dev"]["rows"] == 40 and len(files["train"]["sha256"]) == 64
    result = json.loads((run / "result.json").read_text())
    assert result["dev"]["n"] == 40  # the dev file, not a slice of train

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = sorted(p.name for p in run.iterdir())
    scored = runner.invoke(app, ["evaluate", str(run), "--data", str(own["test"]), "--json"])
    assert scored.exit_code == 0, scored.output
    metrics = json.loads(scored.stdout)
    assert metrics["n"] == 60 and metrics["file"]["rows"] == 60
    saved = Path(metrics["predictions_file"])
    assert saved.parent == run / "evaluations"
    assert sorted(p.name for p in run.iterdir()) == sorted(before + ["evaluations"])  # the run's files untouched

    with open(saved, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    gold = [line.split("\t")[0] for line in own["test"].read_text().splitlines()]
    assert [r["gold"] for r in rows] == gold  # same rows, same order as the file
    by_hand = sum(r["gold"] == r["predicted"] for r in rows) / len(rows)
    assert metrics["accuracy"] == pytest.approx(by_hand)

    table = runner.invoke(app, ["evaluate", str(run), "--data", str(own["test"])])
    assert table.exit_code == 0, table.output
    for fragment in ("test.tsv (60 examples)", "per class", "confusion matrix", "predictions:"):
        assert fragment in table.output
    assert (run / "evaluations" / "test.predictions-2.tsv").is_file()  # a second evaluation never overwrites


def test_evaluate_split_test_uses_your_test_file_and_warns_when_it_changed(runner, own):
    result = runner.invoke(app, ["train", "--data", "mydata/train.tsv", "--test", "mydata/test.tsv", *TINY,
                                 "--name", "carved", "--json"])
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout)["run_dir"])
    assert json.loads(result.stdout)["dev"]["n"] == 16  # a seeded 10% of 160
    evaluated = runner.invoke(app, ["evaluate", str(run), "--split", "test", "--json"])
    assert evaluated.exit_code == 0 and json.loads(evaluated.stdout)["n"] == 60
    own["test"].write_text(own["test"].read_text() + "pos\tthe film was good .\n", encoding="utf-8")
    changed = runner.invoke(app, ["evaluate", str(run), "--split", "test", "--json"])
    assert changed.exit_code == 0 and "test file" in changed.stderr and "changed since the run was made" in changed.stderr


def test_the_carved_split_is_printed_and_the_help_says_so(runner, own):
    result = runner.invoke(app, ["train", "--data", "mydata/train.tsv", "--test", "mydata/test.tsv", *TINY])
    assert result.exit_code == 0, result.output
    assert ("dev: 10% of train.tsv, drawn with split seed 0 (--split-seed; --seed does not move it): 16 rows; "
            "train: the other 144") in result.output
    assert "per epoch" in result.output and "examples/s" in result.output
    helped = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    assert "split 70/10/20%" in helped.output and "dev is a seeded 10% of --data" in helped.output
    assert "--split-seed" in helped.output and "scored once, at the end of training" in helped.output
    assert "hurts very short runs" in helped.output


def test_bad_own_data_input_is_one_line(runner, own):
    run, _ = _train(runner)
    other = own["test"].parent / "other.tsv"
    other.write_text("neg\tbad\nmeh\tso so\n", encoding="utf-8")
    for args, fragment in [
        (["evaluate", str(run), "--data", str(other)], "other.tsv has labels the run never saw: 'meh'"),
        (["evaluate", str(run), "--data", str(other), "--split", "test"], "choose one: --split"),
        (["evaluate", str(run), "--data", str(own["test"]), "--out", str(other)], "already exists"),
        (["train", "--data", "sst", "--dev", "mydata/dev.tsv"], "--dev and --test take files"),
        (["train", "--data", "mydata/train.tsv", "--text-column", "5", "--no-header"], "text column 5 does not exist"),
        (["predict", str(run)], "nothing to classify"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and fragment in lines[0], (args, lines)
    assert other.read_text() == "neg\tbad\nmeh\tso so\n"  # --out never overwrote it


def test_predict_a_file_with_the_runs_columns(runner, own):
    run, _ = _train(runner)
    texts = own["test"].parent / "new.tsv"
    texts.write_text("what a good film .\nan awful , dull film .\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(run), "--data", str(texts), "--text-column", "0", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [p["text"] for p in payload["predictions"]] == ["what a good film .", "an awful , dull film ."]
    assert Path(payload["predictions_file"]).parent == run / "predictions"
    labelled = runner.invoke(app, ["predict", str(run), "--data", str(own["test"])])  # the run's columns
    assert labelled.exit_code == 0 and "60 rows classified" in labelled.output


def test_data_stats_reads_a_headerless_file_with_numbered_columns(runner, own):
    result = runner.invoke(app, ["data", "stats", "mydata/train.tsv", "--no-header", "--label-column", "0",
                                 "--text-column", "1", "--dev", "mydata/dev.tsv", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["name"] == "mydata" and [s["count"] for s in payload["splits"]][:2] == [160, 40]


def test_resume_warns_when_the_training_file_changed(runner, own):
    run, _ = _train(runner)
    own["train"].write_text(own["train"].read_text() + "pos\tthe film was great .\n", encoding="utf-8")
    resumed = runner.invoke(app, ["train", "--resume", str(run), "--epochs", "3", "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert "warning: the train file" in resumed.stderr and "changed since the run was made" in resumed.stderr
