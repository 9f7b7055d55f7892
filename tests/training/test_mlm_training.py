"""Masked-LM runs end to end: train, dev masked accuracy/perplexity, fill [MASK], resume, --init-from, CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.training.inference import predict
from seqlab.training.loading import load_run
from seqlab.training.trainer import resume, train
from seqlab.training.fill_mask import fill_mask
from seqlab.training.runs import list_runs, read_metrics

from .helpers import tiny_config


@pytest.fixture(scope="module")
def mlm_run(tmp_path_factory):
    """One tiny BERT masked-LM run shared by the read-only tests below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(tmp_path_factory.mktemp("runs")))
        return train(tiny_config("bert", task="mlm", name="mlm"), quiet=True)


def test_mlm_run_records_masked_accuracy_and_perplexity_per_epoch(mlm_run):
    assert mlm_run.task == "mlm" and mlm_run.dev is None
    devs = [r for r in read_metrics(mlm_run.run_dir) if r["split"] == "dev" and r.get("event") == "epoch"]
    assert [r["epoch"] for r in devs] == [1, 2]
    for record in devs:
        assert 0.0 <= record["accuracy"] <= 1.0
        assert record["perplexity"] == pytest.approx(torch.tensor(record["loss"]).exp().item(), rel=1e-6)
    result = json.loads((mlm_run.run_dir / "result.json").read_text())
    assert result["best_dev"] == mlm_run.dev_record["accuracy"]
    config = json.loads((mlm_run.run_dir / "config.json").read_text())
    assert config["task"] == "mlm" and config["train"]["whole_word_masking"] is False
    summary = next(s for s in list_runs(mlm_run.run_dir.parent) if s.path == mlm_run.run_dir)
    assert summary.task == "mlm" and summary.metric == "accuracy"


def test_fill_mask_lists_top_k_fillers_per_blank(mlm_run):
    loaded = load_run(mlm_run.run_dir)
    result = fill_mask(loaded, "the film was [MASK] and <mask> .", top_k=4)
    assert len(result.slots) == 2 and result.tokens[result.slots[0].position] == "[MASK]"
    for slot in result.slots:
        probabilities = [f.probability for f in slot.fillers]
        assert len(probabilities) == 4 and probabilities == sorted(probabilities, reverse=True)
        assert 0 < sum(probabilities) <= 1 + 1e-6
    assert result.filled.startswith("the film was " + result.slots[0].fillers[0].token)
    with pytest.raises(SeqlabError, match=r"put \[MASK\]"):
        fill_mask(loaded, "no blank here")
    with pytest.raises(SeqlabError, match="top-k"):
        fill_mask(loaded, "a [MASK]", top_k=0)
    with pytest.raises(SeqlabError, match="masked language model run"):
        predict(loaded, "the film was good")


def test_attention_views_work_on_an_mlm_run(mlm_run):
    from seqlab.viz.attention_source import attention_from_run

    capture = attention_from_run(mlm_run.run_dir, "the film was [MASK] .")
    assert capture.shape[:2] == (1, 2) and "[MASK]" in capture.tokens


def test_init_from_an_mlm_run_starts_a_classifier_from_its_body(mlm_run, monkeypatch):
    captured = {}
    from seqlab.models import mlm as mlm_module

    original = mlm_module.transfer_mlm_body

    def spy(source, classifier):
        out = original(source, classifier)
        captured["body"] = {k: v.clone() for k, v in classifier.bert.state_dict().items()}
        return out

    monkeypatch.setattr(mlm_module, "transfer_mlm_body", spy)
    result = train(tiny_config("bert", init_from=str(mlm_run.run_dir), epochs=1), quiet=True)
    source = load_run(mlm_run.run_dir).model.bert.state_dict()
    assert all(torch.equal(captured["body"][k], source[k]) for k in source)
    assert result.task == "classify" and result.dev is not None
    assert load_run(result.run_dir).spec["hidden_size"] == 16
    with pytest.raises(SeqlabError, match="pass --model bert"):
        train(tiny_config("lstm", init_from=str(mlm_run.run_dir), epochs=1), quiet=True)


def test_mlm_resumes_after_an_interruption_exactly_like_an_uninterrupted_run(monkeypatch):
    from seqlab.training import mlm_task

    config = tiny_config("transformer", task="mlm", epochs=2, name="clean")
    clean = train(config, quiet=True)
    original = mlm_task.MaskedLMTask.loss
    calls = {"n": 0}

    def interrupting(self, model, batch):
        calls["n"] += 1
        if calls["n"] == 8:  # inside epoch 2 (6 batches per epoch)
            raise KeyboardInterrupt
        return original(self, model, batch)

    monkeypatch.setattr(mlm_task.MaskedLMTask, "loss", interrupting)
    with pytest.raises(SeqlabError, match="interrupted"):
        train(replace(config, name="cut"), quiet=True)
    monkeypatch.setattr(mlm_task.MaskedLMTask, "loss", original)
    cut = next(s.path for s in list_runs(clean.run_dir.parent) if s.path.name.startswith("cut"))
    resumed = resume(cut, quiet=True)
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("lr", "seconds")}  # noqa: E731
                        for r in rs if r.get("event") == "epoch"]
    assert strip(read_metrics(resumed.run_dir)) == strip(read_metrics(clean.run_dir))


def test_word_level_transformer_mlm_gets_a_mask_token_and_whole_word_option():
    result = train(tiny_config("transformer", task="mlm", epochs=1, whole_word_masking=True), quiet=True)
    loaded = load_run(result.run_dir)
    assert loaded.encoder.mask_id == 4
    filled = fill_mask(loaded, "the plot was <MASK> .", top_k=3)
    assert filled.tokens[filled.slots[0].position] == "<mask>"


def test_mlm_options_are_checked():
    for changes, message in (({"model": {"family": "lstm"}}, "bidirectional encoder"),
                             ({"whole_word_masking": True, "task": "classify"}, "only applies to --task mlm"),
                             ({"freeze": True}, "--freeze")):
        settings = {"task": "mlm", **changes}
        with pytest.raises(SeqlabError, match=message):
            train(tiny_config("bert", **settings), quiet=True)


def test_cli_trains_an_mlm_and_predict_fills_the_blank(runner):
    args = ["train", "--model", "transformer", "--task", "mlm", "--width", "16", "--heads", "2", "--layers", "1",
            "--ffn", "32", "--epochs", "1", "--max-train-examples", "64", "--threads", "1", "--device", "cpu",
            "--json"]
    trained = runner.invoke(app, args)
    assert trained.exit_code == 0, trained.output
    run_dir = json.loads(trained.output)["run_dir"]
    shown = runner.invoke(app, ["predict", run_dir, "the film was [MASK] ."])
    assert shown.exit_code == 0, shown.output
    assert "filled:" in shown.output and "[MASK] 1" in shown.output and "probability" in shown.output
    as_json = json.loads(runner.invoke(app, ["predict", run_dir, "the film was [MASK] .", "--json", "--top-k", "2"]).output)
    assert len(as_json["slots"][0]["fillers"]) == 2
    for bad, message in ((["predict", run_dir, "no blank"], "put [MASK]"),
                         (["predict", run_dir, "a [MASK]", "--pair", "b"], "--pair"),
                         (["train", "--model", "lstm", "--task", "mlm"], "bidirectional")):
        result = runner.invoke(app, bad)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_result_table_names_the_masked_token_accuracy(mlm_run):
    from rich.console import Console

    from seqlab.training.render import result_table

    console = Console(record=True, width=80)
    console.print(result_table(mlm_run))
    text = console.export_text()
    assert "dev masked-token accuracy" in text and f"{100 * mlm_run.dev_record['accuracy']:.1f}%" in text
    assert "dev perplexity" in text


def test_a_finished_mlm_run_is_listed_as_finished_and_refuses_a_resume(mlm_run):
    """An MLM run writes no predictions.tsv (only classifiers do): result.json alone marks it finished."""
    from seqlab.training.runs import is_finished

    assert is_finished(mlm_run.run_dir)
    (summary,) = [run for run in list_runs(mlm_run.run_dir.parent) if run.path == mlm_run.run_dir]
    assert summary.finished
    with pytest.raises(SeqlabError, match="already finished"):
        resume(mlm_run.run_dir, quiet=True)


def test_bert_pretrained_mlm_continues_minilm_and_a_classifier_starts_from_it(tmp_path):
    from seqlab.data.builtin import builtin_sentiment
    from seqlab.paths import pretrained_bert_dir
    from seqlab.training.config import TrainConfig

    if not (pretrained_bert_dir() / "model.safetensors").exists():
        pytest.skip("MiniLM (seqlab[pretrained]) is not installed")
    data = tmp_path / "few.tsv"  # 30 texts: 21 train, 3 dev, 6 test - MiniLM is slow on a CPU
    data.write_text("text\tlabel\n" + "".join(f"{e.text}\t{e.label}\n" for e in builtin_sentiment(0).train[:30]))
    config = TrainConfig(data=str(data), model={"family": "bert-pretrained"}, task="mlm", lr=1e-4, epochs=1,
                         batch_size=16, max_length=16, threads=1, device="cpu")
    result = train(config, quiet=True)
    assert result.task == "mlm" and 0.0 <= result.dev_record["accuracy"] <= 1.0
    loaded = load_run(result.run_dir)
    assert loaded.model.head.decoder.weight is loaded.model.bert.embeddings.word.weight
    assert fill_mask(loaded, "the film was [MASK] .").slots[0].fillers
    classifier = train(replace(config, task="auto", init_from=str(result.run_dir)), quiet=True)
    started = load_run(classifier.run_dir)
    assert classifier.task == "classify" and started.spec["family"] == "bert-pretrained"
    assert set(loaded.model.bert.state_dict()) == set(started.model.bert.state_dict())
