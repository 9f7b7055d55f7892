"""Every function of the Python API (seqlab.api) on tiny seeded inputs: it returns the lab's report, the same
one the command's --json prints, and that report shows itself as well-formed, offline HTML and as rich output."""

from __future__ import annotations

import io
import json
import types
from pathlib import Path

import pytest
import torch
from rich.console import Console

import seqlab
from seqlab.errors import SeqlabError
from seqlab.lab import attention as lab_attention
from seqlab.lab import check as lab_check
from seqlab.lab import evaluate as lab_evaluate
from seqlab.lab import experiment as lab_experiment
from seqlab.lab import explain as lab_explain
from seqlab.lab import params as lab_params
from seqlab.lab import predict as lab_predict
from seqlab.lab import prove as lab_prove
from seqlab.lab import quiz as lab_quiz
from seqlab.lab import train as lab_train

from .htmlcheck import check_html

TINY = {"model": "transformer", "width": 16, "heads": 2, "layers": 1, "ffn": 32, "epochs": 1,
        "max_train_examples": 64, "batch_size": 16, "max_length": 24, "threads": 1, "device": "cpu", "seed": 0}


def shown(report) -> tuple[list[str], str]:
    """(the HTML's tags, the rich output at 80 columns) of a report; the HTML is checked on the way."""
    tags = check_html(report._repr_html_())
    console = Console(file=io.StringIO(), width=80, record=True)
    console.print(report)
    return tags, console.export_text()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> lab_train.TrainReport:
    """A tiny transformer trained one epoch on 64 built-in examples."""
    report = seqlab.train(runs_dir=tmp_path_factory.mktemp("api-runs"), progress=False, **TINY)
    torch.set_num_threads(1)
    return report


def test_train_returns_the_report_and_shows_table_and_curves(trained, capsys) -> None:
    assert isinstance(trained, lab_train.TrainReport) and Path(trained.result.run_dir).is_dir()
    assert json.loads(json.dumps(trained.to_json()))["best_epoch"] == 1
    tags, text = shown(trained)
    html = trained._repr_html_()
    assert "table" in tags and 'src="data:image/png;base64,' in html and "majority" in html
    assert "dev" in text


def test_train_in_a_script_prints_no_progress(tmp_path, capsys) -> None:
    seqlab.train(runs_dir=tmp_path, **TINY)  # progress=None: not a terminal, not a notebook
    captured = capsys.readouterr()
    assert "epoch" not in captured.out + captured.err and "step" not in captured.out + captured.err


def test_evaluate_and_predict_take_the_train_report_or_its_folder(trained) -> None:
    report = seqlab.evaluate(trained)
    assert isinstance(report, lab_evaluate.EvaluateReport)
    assert report.to_json() == seqlab.evaluate(str(trained.result.run_dir)).to_json()
    tags, text = shown(report)
    assert "table" in tags and "accuracy" in text
    prediction = seqlab.predict(trained.result.run_dir, "a warm and funny film")
    assert isinstance(prediction, lab_predict.PredictReport) and prediction.prediction is not None
    tags, text = shown(prediction)
    assert prediction.prediction.label in text and "table" in tags


def test_attention_of_a_run_shows_the_explorer_in_an_iframe(trained, tmp_path) -> None:
    report = seqlab.attention(trained, "not good but fun", out=tmp_path / "att")
    assert isinstance(report, lab_attention.AttentionReport) and report.files.explorer.is_file()
    html = report._repr_html_()
    tags = check_html(html)
    assert tags.count("iframe") == 1 and "script" in tags  # the explorer's script, inside the frame
    assert 'sandbox="allow-scripts"' in html and "<script" not in html.split("srcdoc=", 1)[0]
    _, text = shown(report)
    assert "tokens:" in text and "attention explorer" in text


def _built_transformer() -> torch.nn.Module:
    from seqlab.data.wordpiece import WordPiece
    from seqlab.models.factory import build_classifier, default_spec

    encoder = WordPiece.default()
    torch.manual_seed(0)
    return build_classifier(default_spec("transformer"), vocab_size=encoder.vocab_size, num_labels=2,
                            pad_id=encoder.pad_id)


def test_attention_of_a_fresh_model_and_of_a_model_object(tmp_path) -> None:
    fresh = seqlab.attention("fresh", "the cat sat", query="cat", out=tmp_path / "fresh")
    assert fresh.capture.causal and fresh.capture.tokens[fresh.query_index] == "cat"
    check_html(fresh._repr_html_())
    model = _built_transformer()
    built = seqlab.attention(model, "the cat sat", query="cat", head="0,1", out=tmp_path / "built")
    assert built.capture.model_name == type(model).__name__ and built.capture.tokens[1:4] == ("the", "cat", "sat")
    assert built.steps is not None and built.steps.matches()
    tags, text = shown(built)
    assert "iframe" in tags and "q·k" in text
    with pytest.raises(SeqlabError, match="two layers"):
        seqlab.attention("fresh", "the cat sat", layer=1, head="0,1")


def test_attention_pretrained_is_the_done_criterion(minilm_dir, tmp_path) -> None:
    report = seqlab.attention("pretrained", "The cat sat.", out=tmp_path / "pre")
    html = report._repr_html_()
    assert html.startswith('<div class="seqlab-report">') and report.capture.model_name == "MiniLM-L6-H384"
    check_html(html)


def test_params_shows_the_table_and_the_chart() -> None:
    report = seqlab.params("bert-base-uncased")
    assert isinstance(report, lab_params.ParamsReport)
    assert report.to_json() == lab_params.run(lab_params.ParamsRequest("bert-base-uncased")).to_json()
    tags, text = shown(report)
    assert "table" in tags and "img" in tags and "formula" in text.lower()
    built = seqlab.params(_built_transformer())
    counted = built.to_json()
    assert counted["total"]["counted"] == sum(p.numel() for p in _built_transformer().parameters())
    assert counted["match"] and counted["model"] == "TransformerClassifier"


def test_prove_shows_each_step_as_latex_for_mathjax() -> None:
    report = seqlab.prove("softmax-shift")
    assert isinstance(report, lab_prove.ProveReport) and report.all_verified
    html = report._repr_html_()
    check_html(html)
    assert html.count("$$") == 2 * len(report.items[0].proof.steps) and "verified by sympy" in html
    assert len(seqlab.prove().items) > 1


def test_check_a_fresh_model(tmp_path) -> None:
    outcome = seqlab.check("fresh", "softmax-shift", device="cpu")
    assert isinstance(outcome, lab_check.CheckOutcome) and outcome.exit_code == 0
    tags, text = shown(outcome)
    assert "table" in tags and "softmax-shift" in text


def _right_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


def _unscaled_attention(q, k, v, mask=None):  # the student's bug: no division by sqrt(d_k)
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


def test_check_a_learners_function_module_and_file(tmp_path) -> None:
    right = seqlab.check(_right_attention, kind="attention")
    assert isinstance(right, lab_check.OwnCodeOutcome) and right.exit_code == 0
    wrong = seqlab.check(_unscaled_attention, kind="attention")
    assert wrong.exit_code == 1
    tags, text = shown(wrong)
    assert "table" in tags and "sqrt" in text.lower()
    module = types.ModuleType("student")
    module.attention = _unscaled_attention
    assert seqlab.check(module).to_json()["checks"] == wrong.to_json()["checks"]
    source = tmp_path / "mine.py"
    source.write_text("def attention(q, k, v, mask=None):\n    s = (q @ k.transpose(-2, -1)) / q.shape[-1] ** 0.5\n"
                      "    if mask is not None:\n        s = s.masked_fill(~mask, float('-inf'))\n"
                      "    w = s.softmax(-1)\n    return w @ v, w\n", encoding="utf-8")
    assert seqlab.check(f"{source}:attention").exit_code == 0
    with pytest.raises(SeqlabError, match="defines none"):
        seqlab.check(types.ModuleType("empty"))


def test_explain_a_topic_and_the_list() -> None:
    report = seqlab.explain("softmax")  # an alias of the cross-entropy topic
    assert isinstance(report, lab_explain.ExplainReport) and report.topic.id == "cross-entropy"
    tags, text = shown(report)
    assert "Often gotten wrong" in text and "p" in tags
    listing = seqlab.explain()
    tags, text = shown(listing)
    assert "table" in tags and "softmax" in text


def test_quiz_graded_listed_and_asked_with_input(monkeypatch) -> None:
    listing = seqlab.quiz("attention", n=2, list_only=True)
    assert isinstance(listing, lab_quiz.QuizReport) and listing.result is None
    check_html(listing._repr_html_())
    skipped = ",".join(["s"] * len(listing.questions))
    with pytest.raises(SeqlabError):
        seqlab.quiz("attention", n=2, answers=skipped)  # 's' skips only at a prompt
    right = ",".join(q.answer_key() for q in listing.questions)
    graded = seqlab.quiz("attention", n=2, answers=right)
    assert graded.result.score == len(listing.questions)
    tags, text = shown(graded)
    assert "table" in tags and "Replay these questions" in text
    monkeypatch.setattr("sys.stdin", io.StringIO("s\n" * len(listing.questions)))
    asked = seqlab.quiz("attention", n=2, seed=0)
    assert [item.skipped for item in asked.result.results] == [True] * len(listing.questions)


def test_experiment_lists_recipes_and_runs_a_tiny_one(tmp_path) -> None:
    recipes = seqlab.experiment()
    assert isinstance(recipes, lab_experiment.RecipesReport)
    tags, text = shown(recipes)
    assert "table" in tags and "rnn-width" in text
    report = seqlab.experiment("rnn-width", tiny=True, seeds=1, max_configs=1, out=tmp_path / "exp", threads=1,
                               device="cpu", progress=False)
    assert isinstance(report, lab_experiment.ExperimentReport) and report.result.trials >= 1
    tags, text = shown(report)
    assert "table" in tags and "Reproduce or resume" in text


def test_check_an_instance_of_a_learners_module_checks_its_class() -> None:
    from torch import nn

    class Head(nn.Module):
        def __init__(self, d_model: int, n_classes: int, dropout: float = 0.0) -> None:
            super().__init__()
            self.out = nn.Linear(d_model, n_classes)

        def forward(self, hidden, mask):
            return self.out(hidden[:, 0])

    mine = Head(768, 2)
    before = mine.out.weight.detach().clone()
    outcome = seqlab.check(mine)
    assert outcome.exit_code == 0 and outcome.report.kind == "classifier-head"
    assert "checked your class Head" in shown(outcome)[1]
    assert torch.equal(mine.out.weight, before)
    with pytest.raises(SeqlabError, match="through its run"):
        seqlab.check(nn.Linear(2, 2).__class__.__new__(type("X", (nn.Module,), {"__module__": "seqlab.models.x"})))
