"""`seqlab predict` through the CLI: --threads, the unknown-word count and warning, and the majority baseline of
an old run (no stored label counts) drawn from the same stratified subset the run trained on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from seqlab.cli import app

TINY = ["--model", "lstm", "--epochs", "1", "--embed-dim", "8", "--hidden", "8", "--max-length", "16",
        "--threads", "1", "--device", "cpu", "--seed", "0"]


@pytest.fixture
def run(runner) -> str:
    result = runner.invoke(app, ["train", "--data", "builtin-sentiment", *TINY, "--max-train-examples", "200",
                                 "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["run_dir"]


def test_predict_takes_threads_like_train_and_evaluate(runner, run, monkeypatch):
    import seqlab.training.inference as inference

    seen = []
    original = inference.predict

    def spying(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(inference, "predict", spying)
    before = torch.get_num_threads()
    result = runner.invoke(app, ["predict", run, "a good film", "--threads", "2"])
    assert result.exit_code == 0, result.output
    assert seen == [2] and torch.get_num_threads() == before  # set for the prediction, restored after
    bad = runner.invoke(app, ["predict", run, "a good film", "--threads", "0"])
    assert bad.exit_code == 2 and "--threads" in bad.output and "Traceback" not in bad.output
    assert "--threads" in runner.invoke(app, ["predict", "--help"], env={"COLUMNS": "120"}).output


def test_a_text_of_unknown_words_is_counted_and_warned(runner, run):
    unknown = runner.invoke(app, ["predict", run, "zzz qqq xxyy"], env={"COLUMNS": "80"})
    assert unknown.exit_code == 0, unknown.output
    flat = " ".join(unknown.output.split())
    assert "warning: all 3 of the text's tokens are unknown to this run's vocabulary" in flat
    payload = json.loads(runner.invoke(app, ["predict", run, "zzz qqq xxyy", "--json"]).stdout)
    assert (payload["words"], payload["unknown_words"]) == (3, 3) and "unknown" in payload["warning"]

    known = runner.invoke(app, ["predict", run, "the film was zzz", "--json"])
    payload = json.loads(known.stdout)
    assert payload["words"] == 4 and payload["unknown_words"] == 1 and payload["warning"] is None
    shown = runner.invoke(app, ["predict", run, "the film was zzz"])
    assert "1 of 4 tokens unknown to the run's vocabulary" in shown.output and "warning" not in shown.output


def _own_file(path: Path, labels: list[str]) -> Path:
    path.write_text("".join(f"{label}\tthe film was {'good' if label == 'pos' else 'bad'} .\n" for label in labels),
                    encoding="utf-8")
    return path


def test_an_old_runs_majority_baseline_comes_from_its_stratified_subset(runner, tmp_path):
    # the first 60 rows are all 'neg', but 'pos' is the majority of the file and of a stratified sample of 60
    train = _own_file(tmp_path / "train.tsv", ["neg"] * 60 + ["pos"] * 120 + ["neg"] * 20)
    dev = _own_file(tmp_path / "dev.tsv", ["pos", "neg"] * 10)
    test = _own_file(tmp_path / "test.tsv", ["pos"] * 30 + ["neg"] * 10)
    result = runner.invoke(app, ["train", "--data", str(train), "--dev", str(dev), *TINY,
                                 "--max-train-examples", "60", "--json"])
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout)["run_dir"])

    def majority() -> float:
        scored = runner.invoke(app, ["evaluate", str(run), "--data", str(test), "--json"])
        assert scored.exit_code == 0, scored.output
        return json.loads(scored.stdout)["majority_baseline"]["accuracy"]

    assert majority() == pytest.approx(0.75)  # 'pos', from the stored label counts
    config = json.loads((run / "config.json").read_text())
    del config["data"]["train_label_counts"]  # as a run made before the counts were stored
    (run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert majority() == pytest.approx(0.75)  # the same stratified subset, not the first 60 rows (all 'neg')
