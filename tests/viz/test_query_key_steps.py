"""The q·k view (seqlab.viz.attention_steps) recomputes one attention row from the model's own query/key/value
layers and equals the model's own attention weights: seqlab's Transformer (post- and pre-norm, causal), a causal
LM, a BERT run and the pretrained MiniLM. What a student gets wrong (no 1/sqrt(d_k), no causal mask, heads split
the wrong way, softmax over queries) fails the same check, measured on the same models."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from seqlab.cli import app
from seqlab.data.vocab import Vocab
from seqlab.errors import SeqlabError
from seqlab.models.transformer import CausalLM, TransformerClassifier, TransformerConfig
from seqlab.viz.attention_steps import (
    QueryKeySteps,
    attention_layers,
    parse_head,
    query_key_steps,
    softmax_row,
    steps_from_pretrained,
    steps_from_run,
)

SENTENCE = "the movie was not good but the acting was fun"


@pytest.fixture(scope="module")
def bert_run(tmp_path_factory) -> Path:
    """A BERT run (family bert, from scratch, WordPiece) trained for one short epoch."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    spec = {"family": "bert", "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
            "intermediate_size": 32}
    config = TrainConfig(model=spec, task="classify", max_train_examples=32, epochs=1, batch_size=16, max_length=24,
                         threads=1, device="cpu", log_every=50, name="bert", seed=0)
    return Path(train(config, quiet=True, runs_dir=tmp_path_factory.mktemp("bert-run")).run_dir).resolve()


def _vocab() -> Vocab:
    return Vocab.build([SENTENCE, "a film that was great fun"], min_freq=1)


def _fresh(kind: str) -> tuple[torch.nn.Module, Vocab]:
    """Untrained but seeded models of the layouts the view must handle."""
    torch.manual_seed(0)
    vocab = _vocab()
    config = TransformerConfig(vocab_size=vocab.vocab_size, d_model=24, n_heads=3, n_layers=2, d_ff=32, dropout=0.0,
                               norm_first=kind == "pre-norm")
    if kind == "lm":
        return CausalLM(config), vocab
    return TransformerClassifier(config, num_labels=2, causal=kind == "causal"), vocab


def _every_row(model, encoder, name="model") -> list[QueryKeySteps]:
    layers = attention_layers(model)
    tokens = encoder.encode(SENTENCE).tokens
    return [query_key_steps(model, encoder, SENTENCE, layer, head, f"#{i}", model_name=name)
            for layer in range(len(layers)) for head in range(layers[0].n_heads) for i in (0, len(tokens) // 2,
                                                                                          len(tokens) - 1)]


def _assert_equal_to_model(rows: list[QueryKeySteps]) -> None:
    for steps in rows:
        assert steps.matches(), (steps.layer, steps.head, steps.query_index, steps.weight_error, steps.output_error)
        own = steps.capture.probabilities[steps.layer, steps.head, steps.query_index]
        np.testing.assert_allclose(steps.weights, own, atol=1e-6)
        np.testing.assert_allclose(steps.weights.sum(), 1.0, atol=1e-9)


@pytest.mark.parametrize("kind", ["post-norm", "pre-norm", "causal", "lm"])
def test_seqlab_transformers_every_layer_and_head_equal_the_model(kind):
    model, vocab = _fresh(kind)
    rows = _every_row(model, vocab)
    _assert_equal_to_model(rows)
    if kind in ("causal", "lm"):
        first = next(s for s in rows if s.query_index == 0)
        assert first.causal and first.allowed.sum() == 1 and first.weights[0] == pytest.approx(1.0)


def test_a_trained_transformer_run_equals_the_model(tiny_runs):
    for name in ("transformer", "lm"):
        for layer in (0, 1) if name == "transformer" else (0,):
            for head in (0, 1):
                steps = steps_from_run(tiny_runs[name], SENTENCE, layer, head, "good")
                _assert_equal_to_model([steps])


def test_a_bert_run_equals_the_model(bert_run):
    rows = [steps_from_run(bert_run, SENTENCE, layer, head, query) for layer in (0, 1) for head in (0, 1)
            for query in ("[CLS]", "good", "[SEP]")]
    _assert_equal_to_model(rows)
    assert rows[0].tokens[0] == "[CLS]" and not rows[0].causal and rows[0].allowed.all()


def test_pretrained_minilm_equals_the_model(minilm_dir):
    rows = [steps_from_pretrained(SENTENCE, layer, head, "but") for layer in (0, 3, 5) for head in (0, 7, 11)]
    _assert_equal_to_model(rows)
    assert rows[0].d_k == 32 and rows[0].n_layers == 6 and rows[0].n_heads == 12
    pair = steps_from_pretrained(SENTENCE, 2, 3, "fun", text_b="it was fun")
    _assert_equal_to_model([pair])


# ---- what a student writes: each variant recomputes the row from the same hooked tensors, and the check fails


def _projections(model, encoder, layer: int) -> dict[str, torch.Tensor]:
    """The layer's query/key outputs [T,D] on SENTENCE, taken here with hooks of the test's own."""
    attention = attention_layers(model)[layer]
    seen = {}
    handles = [getattr(attention, n).register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, o.detach()[0]))
               for n in ("query", "key")]
    ids = torch.tensor([encoder.encode(SENTENCE).ids])
    model.eval()
    with torch.no_grad():
        model(ids, torch.ones_like(ids, dtype=torch.bool))
    for handle in handles:
        handle.remove()
    return seen


def _student(steps: QueryKeySteps, mistake: str, model, encoder) -> np.ndarray:
    d_k, i = steps.d_k, steps.query_index
    if mistake == "no 1/sqrt(d_k)":
        return softmax_row(steps.dots, steps.allowed)
    if mistake == "no causal mask":
        return softmax_row(steps.scaled, np.ones_like(steps.allowed))
    seen = _projections(model, encoder, steps.layer)
    n_heads = steps.n_heads
    if mistake == "heads split the wrong way":  # view(T, d_k, H): every head takes every H-th dimension
        q = seen["query"].double().view(-1, d_k, n_heads)[:, :, steps.head].numpy()
        k = seen["key"].double().view(-1, d_k, n_heads)[:, :, steps.head].numpy()
        return softmax_row(k @ q[i] / math.sqrt(d_k), steps.allowed)
    if mistake == "softmax over queries":  # normalises the column of key j instead of the row of the query
        q = seen["query"].double().view(-1, n_heads, d_k)[:, steps.head].numpy()
        k = seen["key"].double().view(-1, n_heads, d_k)[:, steps.head].numpy()
        scores = q @ k.T / math.sqrt(d_k)  # [query, key]
        columns = np.exp(scores - scores.max(axis=0)) / np.exp(scores - scores.max(axis=0)).sum(axis=0)
        return columns[i]
    raise AssertionError(mistake)


@pytest.mark.parametrize("mistake", ["no 1/sqrt(d_k)", "heads split the wrong way", "softmax over queries"])
def test_student_mistakes_fail_the_check_on_minilm(minilm_dir, mistake):
    from seqlab.viz.attention_source import pretrained_model

    bert, encoder, _ = pretrained_model()
    steps = query_key_steps(bert, encoder, SENTENCE, 2, 3, "good")
    assert steps.matches()
    wrong = _student(steps, mistake, bert, encoder)
    assert not dataclasses.replace(steps, weights=wrong).matches(), mistake


@pytest.mark.parametrize("mistake", ["no 1/sqrt(d_k)", "no causal mask", "heads split the wrong way",
                                     "softmax over queries"])
def test_student_mistakes_fail_the_check_on_a_trained_causal_transformer(tiny_runs, mistake):
    from seqlab.training.loading import load_run

    loaded = load_run(tiny_runs["lm"])
    steps = query_key_steps(loaded.model, loaded.encoder, SENTENCE, 0, 1, "good")
    assert steps.matches() and steps.causal
    wrong = _student(steps, mistake, loaded.model, loaded.encoder)
    assert not dataclasses.replace(steps, weights=wrong).matches(), mistake


# ---- options


def test_parse_head():
    assert parse_head("2,3") == (2, 3) and parse_head(" 1 , 0 ") == (1, 0) and parse_head("4") == (None, 4)
    for bad in ("a", "1,2,3", "1,x", ""):
        with pytest.raises(SeqlabError, match="LAYER,HEAD"):
            parse_head(bad)


def test_out_of_range_layer_or_head_says_the_numbering():
    model, vocab = _fresh("post-norm")
    with pytest.raises(SeqlabError, match="layers 0..1 .layers and heads are numbered from 0"):
        query_key_steps(model, vocab, SENTENCE, 2, 0, "good")
    with pytest.raises(SeqlabError, match="heads 0..2"):
        query_key_steps(model, vocab, SENTENCE, 0, 3, "good")


# ---- the command


def _attention_json(runner, args: list[str], out: Path) -> dict:
    result = runner.invoke(app, ["attention", *args, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _row_of(payload: dict, layer: int, head: int, query: int) -> list[float]:
    entry = next(a for a in payload["attention"] if a["layer"] == layer and a["head"] == head)
    return entry["probabilities"][query]


@pytest.mark.parametrize("source", ["transformer", "lm", "bert", "minilm"])
def test_cli_query_key_view_equals_the_commands_own_attention(runner, tmp_path, tiny_runs, source, request):
    if source == "minilm":
        request.getfixturevalue("minilm_dir")
        args = ["--pretrained", SENTENCE]
    elif source == "bert":
        args = [str(request.getfixturevalue("bert_run")), SENTENCE]
    else:
        args = [str(tiny_runs[source]), SENTENCE]
    payload = _attention_json(runner, [*args, "--query", "good", "--head", "1,0" if source != "lm" else "0,1"],
                              tmp_path)
    qk = payload["query_key"]
    assert qk["matches_model"] and qk["numbering"] == "layers and heads are numbered from 0"
    assert qk["query_token"] == "good" and payload["files"]["query_key"].endswith(".png")
    np.testing.assert_allclose(qk["weights"], _row_of(payload, qk["layer"], qk["head"], qk["query_index"]),
                               atol=2e-6)
    np.testing.assert_allclose(qk["scaled"], np.array(qk["dots"]) / math.sqrt(qk["d_k"]), atol=1e-5)
    assert Path(payload["files"]["query_key"]).is_file()


def test_cli_terminal_view_fits_80_columns_and_states_the_numbering(runner, tmp_path, tiny_runs):
    result = runner.invoke(app, ["attention", str(tiny_runs["lm"]), SENTENCE, "--query", "good", "--head", "0,1",
                                 "--out", str(tmp_path)], terminal_width=80)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "layers and heads are numbered from 0" in out and "q·k" in out and "÷" in out and "softmax" in out
    assert "−∞ later" in out  # the causal mask, on the keys after 'good'
    assert "output = Σⱼ softmaxⱼ · vⱼ" in out and "equal the model's own attention weights" in out
    view = out.split("written", 1)[0]  # the file list prints paths whole (soft wrap), however long
    assert max(len(line) for line in view.splitlines()) <= 80


@pytest.mark.parametrize("extra, says", [
    (["--head", "5,0"], "layer 5 is out of range"),
    (["--head", "0,9"], "head 9 is out of range"),
    (["--head", "x"], "LAYER,HEAD"),
    (["--head", "1,0", "--layer", "0"], "name two layers"),
])
def test_cli_bad_heads_are_one_error_line(runner, tmp_path, tiny_runs, extra, says):
    result = runner.invoke(app, ["attention", str(tiny_runs["transformer"]), SENTENCE, "--query", "good", *extra,
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2 and says in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_cli_head_alone_still_picks_the_close_up(runner, tmp_path, tiny_runs):
    payload = _attention_json(runner, [str(tiny_runs["transformer"]), SENTENCE, "--layer", "1", "--head", "0"], tmp_path)
    assert payload["files"]["layer"] == 1 and payload["files"]["head_index"] == 0 and "query_key" not in payload
