"""`seqlab train`, `evaluate`, `predict` and `runs` through the CLI, including bad input (one line, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqlab.cli import app

TINY = ["--max-train-examples", "64", "--epochs", "1", "--embed-dim", "16", "--hidden", "16", "--threads", "1",
        "--device", "cpu", "--max-length", "24"]


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def trained(runner) -> Path:
    result = runner.invoke(app, ["train", *TINY, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["dev"]["n"] == 400 and payload["best_epoch"] == 1
    return Path(payload["run_dir"])


def test_train_prints_a_result_table(runner):
    result = runner.invoke(app, ["train", *TINY, "--name", "table"])
    assert result.exit_code == 0, result.output
    for fragment in ("dev accuracy", "random baseline", "majority baseline", "best epoch", "table-"):
        assert fragment in result.output
    verdict = next(line for line in result.output.splitlines() if line.startswith("verdict: "))
    assert " vs 50% majority: " in verdict  # one epoch on 64 examples: judged against the baseline


def test_evaluate_predict_and_runs(runner, trained):
    evaluated = runner.invoke(app, ["evaluate", str(trained), "--split", "test", "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(evaluated.stdout)
    assert metrics["split"] == "test" and metrics["n"] == 600 and len(metrics["confusion"]) == 2

    table = runner.invoke(app, ["evaluate", str(trained)])
    assert table.exit_code == 0 and "confusion matrix" in table.output and "per class" in table.output
    one_thread = runner.invoke(app, ["evaluate", str(trained), "--split", "test", "--threads", "1", "--json"])
    assert one_thread.exit_code == 0 and json.loads(one_thread.stdout)["accuracy"] == metrics["accuracy"]
    assert "--threads must be at least 1" in _one_error_line(runner.invoke(app, ["evaluate", str(trained), "--threads", "0"]))

    predicted = runner.invoke(app, ["predict", str(trained), "i loved this film .", "--json"])
    assert predicted.exit_code == 0, predicted.output
    payload = json.loads(predicted.stdout)
    assert payload["label"] in {"neg", "pos"} and sum(payload["probabilities"].values()) == pytest.approx(1.0)
    bars = runner.invoke(app, ["predict", str(trained), "i loved this film ."])
    assert bars.exit_code == 0 and "probability" in bars.output

    listed = runner.invoke(app, ["runs", "--json"])
    assert listed.exit_code == 0
    assert [Path(r["path"]).name for r in json.loads(listed.stdout)] == [trained.name]
    assert "1 run(s)" in runner.invoke(app, ["runs"]).output


def test_runs_with_no_runs(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["runs", "--root", str(tmp_path / "empty")])
    assert result.exit_code == 0 and "no runs" in result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--model", "cnn"], "unknown model 'cnn'"),
        (["--lr", "0"], "--lr must be greater than 0"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--model", "transformer", "--width", "30", "--heads", "4"], "--width 30 does not split into --heads 4"),
        (["--heads", "2"], "--heads does not apply to --model lstm"),
        (["--optimizer", "lion"], "unknown optimizer"),
        (["--schedule", "cosine"], "unknown --schedule 'cosine'"),
        (["--data", "no-such-dataset"], "no-such-dataset"),
    ],
)
def test_bad_training_options_are_one_line(runner, args, fragment):
    line = _one_error_line(runner.invoke(app, ["train", "--epochs", "1", *args]))
    assert fragment in line


def test_missing_run_and_corrupt_checkpoint_are_one_line(runner, trained, tmp_path):
    assert "does not exist" in _one_error_line(runner.invoke(app, ["evaluate", str(tmp_path / "nope")]))
    assert "not a seqlab run" in _one_error_line(runner.invoke(app, ["predict", str(tmp_path), "text"]))
    assert "does not exist" in _one_error_line(runner.invoke(app, ["train", "--resume", str(tmp_path / "nope")]))
    checkpoint = trained / "model.safetensors"
    checkpoint.write_bytes(checkpoint.read_bytes()[:100])
    assert "corrupt or truncated" in _one_error_line(runner.invoke(app, ["predict", str(trained), "good film"]))
    assert "corrupt or truncated" in _one_error_line(runner.invoke(app, ["evaluate", str(trained)]))


def test_help_teaches(runner):
    result = runner.invoke(app, ["train", "--help"])
    assert result.exit_code == 0
    for option in ("--model", "--init-from", "--resume", "--warmup", "--schedule", "--grad-clip", "--patience", "--freeze"):
        assert option in result.output


def test_runs_table_fits_80_columns_with_names_whole():
    """`seqlab runs` at 80 columns: run names whole, dataset names whole when they can be, an unfinished run
    says so, and a very long name makes the last column fold instead of cropping the table."""
    import io
    from pathlib import Path

    from rich.console import Console

    from seqlab.training.render import runs_table
    from seqlab.training.runs import RunSummary

    def drawn(runs):
        buffer = io.StringIO()
        Console(width=80, file=buffer, force_terminal=False).print(runs_table(runs))
        text = buffer.getvalue()
        assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
        return text

    runs = [RunSummary(Path(f"runs/builtin-sentiment-lstm-20261128-2308{s}"), "builtin-sentiment", "lstm",
                       "classify", 0.975, "accuracy", s != "52", f"2026-11-28 23:{s}") for s in ("40", "52")]
    runs.append(RunSummary(Path("runs/builtin-entailment-bert-20261128-230900"), "builtin-entailment", "bert",
                           "mlm", 12.5, "perplexity", True, "2026-11-28 23:09"))
    text = drawn(runs)
    for word in ("builtin-sentiment-lstm-20261128-230840", "builtin-entailment-bert-20261128-230900",
                 "builtin-sentiment", "builtin-entailment", "bert (MLM) on", "ppl 12.5"):
        assert word in text, (word, text)
    assert text.count("unfinished") == 1
    long = RunSummary(Path("runs/builtin-sentiment-transformer-transfer-20261128-230900"), "builtin-sentiment",
                      "transformer", "classify", 0.9, "accuracy", True, "2026-11-28 23:09")
    text = drawn([*runs, long])
    assert "builtin-sentiment-transformer-transfer-20261128-230900" in text and "90.0%" in text
    unstamped = RunSummary(Path("runs/my-run"), "builtin-sentiment", "lstm", "classify", 0.5, "accuracy", True,
                           "2026-11-28 23:10")
    assert "11-28 23:10" in drawn([*runs, unstamped])  # no stamp in the name: the created column says when


def test_runs_prints_each_folder_name_whole_at_80_columns(runner, tmp_path):
    """Every name `seqlab runs` prints at 80 columns is an existing run folder (it can be pasted into evaluate)."""
    for name in ("a-rather-long-run-name-for-the-listing", "short"):
        result = runner.invoke(app, ["train", "--data", "builtin-sentiment", "--model", "lstm", "--epochs", "1",
                                     "--embed-dim", "8", "--hidden", "8", "--max-length", "12", "--threads", "1",
                                     "--device", "cpu", "--seed", "0", "--name", name])
        assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["runs"], env={"COLUMNS": "80"})
    assert listed.exit_code == 0, listed.output
    folders = {p.name for p in (tmp_path / "runs").iterdir()}
    assert len(folders) == 2
    printed = [line.split()[0] for line in listed.output.splitlines() if line.strip().startswith(("a-rather", "short"))]
    assert sorted(printed) == sorted(folders), listed.output
    evaluated = runner.invoke(app, ["evaluate", str(tmp_path / "runs" / printed[0]), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
