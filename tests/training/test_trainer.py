"""train() end to end on the built-in corpus: run layout, determinism per family, load/evaluate/predict, LM transfer."""

from __future__ import annotations

import json

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.training.inference import evaluate_run, predict
from seqlab.training.loading import load_run
from seqlab.training.runs import list_runs, read_metrics
from seqlab.training.trainer import resume, train

from .helpers import timeless, tiny_config


@pytest.fixture(scope="module")
def lstm_run(tmp_path_factory):
    """One trained tiny LSTM run shared by the read-only tests below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(tmp_path_factory.mktemp("runs")))
        config = tiny_config("lstm", model={"family": "lstm"}, epochs=2, max_train_examples=None, batch_size=32)
        return train(config, quiet=True)


def test_run_directory_has_the_documented_layout(lstm_run):
    run_dir = lstm_run.run_dir
    for name in ("config.json", "encoder/encoder.json", "model.safetensors", "last.safetensors", "state.pt",
                 "metrics.jsonl", "predictions.tsv", "result.json"):
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    assert set(config) >= {"train", "model", "labels", "dataset", "seqlab"}
    assert config["labels"] == ["neg", "pos"] and config["model"]["family"] == "lstm"
    lines = (run_dir / "predictions.tsv").read_text().splitlines()
    assert lines[0] == "text\tgold\tpredicted\tprobability"
    assert len(lines) == 1 + lstm_run.dev.n
    result = json.loads((run_dir / "result.json").read_text())
    assert result["best_dev"] == lstm_run.dev.accuracy and result["best_epoch"] == lstm_run.best_epoch


def test_trained_model_beats_both_baselines(lstm_run):
    dev = lstm_run.dev
    assert dev.accuracy > dev.random_baseline.accuracy + 0.1
    assert dev.accuracy > dev.majority_baseline.accuracy + 0.1
    best = max(r["accuracy"] for r in read_metrics(lstm_run.run_dir) if r["split"] == "dev")
    assert dev.accuracy == pytest.approx(best)  # model.safetensors holds the best epoch


def test_load_evaluate_and_predict(lstm_run):
    metrics = evaluate_run(lstm_run.run_dir, "dev")
    assert metrics.accuracy == pytest.approx(lstm_run.dev.accuracy)
    assert sum(sum(row) for row in metrics.confusion) == metrics.n
    assert evaluate_run(lstm_run.run_dir, "test").n == 600
    loaded = load_run(lstm_run.run_dir)
    prediction = predict(loaded, "the acting was very wonderful .")
    assert set(prediction.probabilities) == {"neg", "pos"}
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
    assert prediction.label == max(prediction.probabilities, key=prediction.probabilities.get)
    with pytest.raises(SeqlabError, match="unknown split"):
        evaluate_run(lstm_run.run_dir, "validation")


def test_runs_are_listed(lstm_run):
    (summary,) = list_runs(lstm_run.run_dir.parent)
    assert summary.family == "lstm" and summary.best_dev == lstm_run.dev.accuracy and summary.finished


def test_not_a_run_and_corrupt_checkpoint_are_one_error(lstm_run, tmp_path):
    with pytest.raises(SeqlabError, match="does not exist"):
        load_run(tmp_path / "nope")
    with pytest.raises(SeqlabError, match="not a seqlab run"):
        load_run(tmp_path)
    copy = tmp_path / "copy"
    copy.mkdir()
    for item in ("config.json", "model.safetensors"):
        (copy / item).write_bytes((lstm_run.run_dir / item).read_bytes())
    (copy / "encoder").mkdir()
    for item in (lstm_run.run_dir / "encoder").iterdir():
        (copy / "encoder" / item.name).write_bytes(item.read_bytes())
    data = (copy / "model.safetensors").read_bytes()
    (copy / "model.safetensors").write_bytes(data[: len(data) // 3])
    with pytest.raises(SeqlabError, match="corrupt or truncated"):
        load_run(copy)


@pytest.mark.parametrize("family", ["lstm", "gru", "transformer", "lm", "bert"])
def test_same_seed_gives_identical_metrics(family):
    config = tiny_config(family, max_train_examples=48, epochs=2)
    first, second = train(config, quiet=True), train(config, quiet=True)
    assert first.run_dir != second.run_dir  # runs never share a directory
    records = [timeless(read_metrics(r.run_dir)) for r in (first, second)]
    assert records[0] == records[1]
    assert len([r for r in records[0] if r["split"] == "dev"]) == 2
    key = "perplexity" if family == "lm" else "accuracy"
    assert all(key in r for r in records[0] if r["split"] == "dev")


def test_lm_pretraining_then_transfer_into_a_frozen_classifier():
    lm = train(tiny_config("lm", epochs=1), quiet=True)
    assert lm.task == "lm" and lm.dev is None and lm.dev_record["perplexity"] > 1
    with pytest.raises(SeqlabError, match="language model run"):
        predict(load_run(lm.run_dir), "the plot was good .")
    classifier = train(tiny_config("transformer", init_from=str(lm.run_dir), freeze=True, epochs=1), quiet=True)
    assert classifier.task == "classify"
    body = load_run(classifier.run_dir).model.encoder.state_dict()
    pretrained = load_run(lm.run_dir).model.encoder.state_dict()
    assert body.keys() == pretrained.keys()
    assert all(torch.equal(body[k], pretrained[k]) for k in body)  # frozen: still the LM's body
    with pytest.raises(SeqlabError, match="must be a language model run"):
        train(tiny_config("transformer", init_from=str(classifier.run_dir)), quiet=True)


def test_resume_refuses_a_finished_run_but_extends_it_with_more_epochs():
    run = train(tiny_config("lstm", epochs=1, max_train_examples=32), quiet=True)
    with pytest.raises(SeqlabError, match="already finished 1 epochs"):
        resume(run.run_dir, quiet=True)
    extended = resume(run.run_dir, quiet=True, epochs=2)
    assert extended.run_dir == run.run_dir and extended.epochs_run == 2
    assert [r["epoch"] for r in read_metrics(run.run_dir) if r["split"] == "dev"] == [1, 2]


def test_sentence_pair_runs_need_the_pair_when_predicting():
    run = train(tiny_config("gru", data="builtin-entailment", epochs=1, max_train_examples=32), quiet=True)
    loaded = load_run(run.run_dir)
    prediction = predict(loaded, "a dog runs in the park .", "an animal runs in the park .")
    assert set(prediction.probabilities) == {"entailment", "not_entailment"}
    assert "<sep>" in prediction.tokens
    with pytest.raises(SeqlabError, match="pass the second sentence with --pair"):
        predict(loaded, "a dog runs in the park .")
    lstm = load_run(train(tiny_config("lstm", epochs=1, max_train_examples=32), quiet=True).run_dir)
    with pytest.raises(SeqlabError, match="leave out --pair"):
        predict(lstm, "good", "bad")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_training_with_bf16_autocast_is_deterministic():
    config = tiny_config("transformer", device="cuda", max_train_examples=64)
    first, second = train(config, quiet=True), train(config, quiet=True)
    assert first.device.startswith("cuda")
    assert [r["loss"] for r in read_metrics(first.run_dir)] == pytest.approx(
        [r["loss"] for r in read_metrics(second.run_dir)], rel=1e-3
    )
