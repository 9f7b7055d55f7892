"""NSP and SOP trained with the masked LM: dev pair accuracy, seeds, resume, --init-from, the errors, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from seqlab.cli import app
from seqlab.data.builtin import builtin_sentiment
from seqlab.errors import SeqlabError
from seqlab.models.mlm import BertForMaskedLM
from seqlab.training.loading import load_run
from seqlab.training.trainer import resume, train
from seqlab.training.fill_mask import fill_mask
from seqlab.training.runs import list_runs, read_metrics

from .helpers import timeless, tiny_config


def write_reviews(path: Path, count: int = 90) -> Path:
    """A TSV of `count` 'reviews', each four built-in sentences of one label (so every text has 3 pairs)."""
    examples = builtin_sentiment(0).train
    lines = ["text\tlabel"]
    for r in range(count):
        group = examples[4 * r: 4 * r + 4]
        lines.append(" ".join(e.text for e in group) + f"\t{group[0].label}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> Path:
    return write_reviews(tmp_path_factory.mktemp("data") / "reviews.tsv")


def pair_config(reviews: Path, objective: str = "nsp", **changes):
    return tiny_config("bert", task="mlm", data=str(reviews), sentence_objective=objective,
                       max_train_examples=None, max_length=48, **changes)


@pytest.fixture(scope="module")
def nsp_run(reviews, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(tmp_path_factory.mktemp("runs")))
        return train(pair_config(reviews), quiet=True)


def test_an_nsp_run_records_pair_accuracy_beside_the_masked_scores(nsp_run):
    devs = [r for r in read_metrics(nsp_run.run_dir) if r["split"] == "dev" and r.get("event") == "epoch"]
    assert [r["epoch"] for r in devs] == [1, 2]
    assert all(0.0 <= r["nsp_accuracy"] <= 1.0 and 0.0 <= r["accuracy"] <= 1.0 for r in devs)
    config = json.loads((nsp_run.run_dir / "config.json").read_text())
    assert config["train"]["sentence_objective"] == "nsp" and config["model"]["sentence_objective"] == "nsp"
    loaded = load_run(nsp_run.run_dir)
    assert isinstance(loaded.model, BertForMaskedLM) and loaded.model.sentence_head is not None
    assert fill_mask(loaded, "the film was [MASK] .").slots  # still fills blanks


def test_the_loss_is_the_masked_loss_plus_the_pair_cross_entropy(nsp_run):
    model = load_run(nsp_run.run_dir).model
    ids = torch.tensor([[2, 1996, 2143, 103, 3, 2009, 2001, 3], [2, 1037, 103, 3, 1996, 3, 0, 0]])
    mask = ids != 0
    segments = torch.tensor([[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1, 0, 0]])
    labels = torch.full_like(ids, -100)
    labels[0, 3], labels[1, 2] = 2204, 2143
    pair_labels = torch.tensor([0, 1])
    with torch.no_grad():
        out = model(ids, mask, segments, labels=labels, sentence_labels=pair_labels)
        pooled = model.bert(ids, mask, segments).pooled_output
        by_hand = torch.nn.functional.cross_entropy(model.sentence_head(pooled), pair_labels)
    assert out.sentence_logits.shape == (2, 2)
    assert float(out.sentence_loss) == pytest.approx(float(by_hand), abs=1e-6)
    assert float(out.loss) == pytest.approx(float(out.masked_loss + by_hand), abs=1e-6)


def test_same_seed_same_numbers_and_resume_is_exact(reviews, nsp_run, monkeypatch):
    again = train(pair_config(reviews, name="again"), quiet=True)
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("lr",)} for r in timeless(rs)]  # noqa: E731
    assert strip(read_metrics(again.run_dir)) == strip(read_metrics(nsp_run.run_dir))
    from seqlab.training import mlm_task

    original = mlm_task.MaskedLMTask.loss
    calls = {"n": 0}

    def interrupting(self, model, batch):
        calls["n"] += 1
        if calls["n"] == 15:  # inside epoch 2 (12 batches of pairs per epoch)
            raise KeyboardInterrupt
        return original(self, model, batch)

    monkeypatch.setattr(mlm_task.MaskedLMTask, "loss", interrupting)
    with pytest.raises(SeqlabError, match="interrupted"):
        train(pair_config(reviews, name="cut"), quiet=True)
    monkeypatch.setattr(mlm_task.MaskedLMTask, "loss", original)
    cut = next(s.path for s in list_runs(again.run_dir.parent) if s.path.name.startswith("cut"))
    resumed = resume(cut, quiet=True)
    epochs = lambda rs: [{k: v for k, v in r.items() if k not in ("lr", "seconds")}  # noqa: E731
                         for r in rs if r.get("event") == "epoch"]
    assert epochs(read_metrics(resumed.run_dir)) == epochs(read_metrics(again.run_dir))


def test_sop_runs_and_a_classifier_starts_from_its_body_without_the_pair_head(reviews):
    sop = train(pair_config(reviews, "sop", epochs=1), quiet=True)
    assert "sop_accuracy" in sop.dev_record
    classifier = train(tiny_config("bert", data=str(reviews), init_from=str(sop.run_dir), epochs=1,
                                   max_train_examples=None), quiet=True)
    loaded = load_run(classifier.run_dir)
    assert "sentence_objective" not in loaded.spec
    source = load_run(sop.run_dir).model.bert.state_dict()
    # the pooler came across too (NSP/SOP are what train it); the classifier then trained one epoch
    assert set(source) == set(loaded.model.bert.state_dict())


@pytest.mark.parametrize("changes, message", [
    ({"task": "classify"}, "add --task mlm"),
    ({"model": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32}},
     "pooled \\[CLS\\] vector, which --model transformer does not have"),
    ({"sentence_objective": "order"}, "must be one of nsp, sop"),
    ({"data": "builtin-sentiment"}, "two or more sentences"),
])
def test_sentence_objective_errors_are_one_clear_line(reviews, changes, message):
    with pytest.raises(SeqlabError, match=message):
        train(replace(pair_config(reviews), **changes), quiet=True)


def test_cli_trains_sop_and_explains_the_option(runner, reviews):
    args = ["train", "--model", "bert", "--task", "mlm", "--sentence-objective", "SOP", "--data", str(reviews),
            "--width", "16", "--heads", "2", "--layers", "1", "--ffn", "32", "--epochs", "1", "--max-length", "32",
            "--threads", "1", "--device", "cpu"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "dev sentence-order accuracy" in shown.output and "chance 50%" in shown.output
    bad = runner.invoke(app, [("transformer" if a == "bert" else a) for a in args])
    assert bad.exit_code == 2 and "use --model bert" in bad.output and "Traceback" not in bad.output
    helped = runner.invoke(app, ["train", "--help"], terminal_width=200)
    assert "--sentence-objective" in helped.output and "ALBERT" in helped.output
