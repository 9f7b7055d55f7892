"""The factory: every family builds from a JSON-able spec and answers with ClassifierOutput; bad specs are one error."""

from __future__ import annotations

import json

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.models.factory import ClassifierOutput, build_classifier, build_lm, count_parameters, default_spec
from seqlab.models.families import family_names
from seqlab.models.transformer import transfer_lm_body

FROM_SCRATCH = ("lstm", "gru", "transformer", "lm", "bert")


def _batch() -> dict[str, torch.Tensor]:
    ids = torch.tensor([[2, 5, 6, 3, 7], [2, 9, 3, 0, 0]])
    return {"input_ids": ids, "attention_mask": ids != 0, "segment_ids": torch.zeros_like(ids)}


@pytest.mark.parametrize("family", FROM_SCRATCH)
def test_every_family_builds_and_returns_classifier_output(family: str) -> None:
    spec = default_spec(family)
    assert json.loads(json.dumps(spec)) == spec
    model = build_classifier(spec, vocab_size=20, num_labels=3, pad_id=0).eval()
    out = model(**_batch(), output_attentions=True)
    assert isinstance(out, ClassifierOutput)
    assert out.logits.shape == (2, 3)
    if family in ("lstm", "gru"):
        assert out.attentions is None
    else:
        assert out.attentions is not None and out.attentions[0].shape[-2:] == (5, 5)


@pytest.mark.parametrize("family", FROM_SCRATCH)
def test_same_seed_same_init(family: str) -> None:
    states = []
    for _ in range(2):
        torch.manual_seed(11)
        states.append(build_classifier(default_spec(family), 20, 2, 0).state_dict())
    assert states[0].keys() == states[1].keys()
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])


def test_lm_family_takes_a_causal_lm_body() -> None:
    spec = default_spec("lm")
    lm = build_lm(spec, vocab_size=20, pad_id=0)
    classifier = transfer_lm_body(lm, build_classifier(spec, 20, 2, 0))
    assert classifier.causal and classifier.pooling == "last"
    body, copied = lm.encoder.state_dict(), classifier.encoder.state_dict()
    assert body.keys() == copied.keys() and all(torch.equal(body[k], copied[k]) for k in body)


def test_spec_overrides_defaults() -> None:
    model = build_classifier({"family": "gru", "hidden_size": 10, "bidirectional": True}, 20, 2, 0)
    assert model.rnn.hidden_size == 10 and model.head.in_features == 20


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"family": "cnn"}, "unknown model family 'cnn'; choose one of: lstm, gru, transformer, lm, bert, "
                            "bert-pretrained"),
        ({}, "unknown model family None"),
        ({"family": "transformer", "d_model": 100, "n_heads": 3}, "width 100 is not divisible by 3 heads"),
        ({"family": "transformer", "n_layers": 0}, "n_layers must be a whole number of at least 1"),
        ({"family": "lstm", "dropout": -0.2}, "dropout must be a number in"),
        ({"family": "bert", "num_hidden_layers": 0}, "num_hidden_layers must be a whole number of at least 1"),
        ({"family": "lstm", "hiden_size": 8}, "unknown setting(s) hiden_size for family 'lstm'"),
        ({"family": "transformer", "positions": "rotary"}, "unknown positions 'rotary'"),
        ({"family": "lstm", "hidden_size": "big"}, "hidden_size must be a whole number of at least 1, got 'big'"),
        ({"family": "gru", "embed_dim": 64.0}, "embed_dim must be a whole number of at least 1, got 64.0"),
        ({"family": "lstm", "bidirectional": "yes"}, "bidirectional must be true or false"),
        ({"family": "transformer", "pad": 1}, "unknown setting(s) pad"),
    ],
)
def test_bad_specs_are_one_clear_error(spec: dict, message: str) -> None:
    with pytest.raises(SeqlabError) as caught:
        build_classifier(spec, vocab_size=20, num_labels=2, pad_id=0)
    assert message in str(caught.value)


def test_pretrained_bert_from_minilm(minilm_dir) -> None:
    spec = {"family": "bert-pretrained", "checkpoint": None, "dropout": 0.1}
    model = build_classifier(spec, vocab_size=30522, num_labels=2, pad_id=0)
    counts = count_parameters(model)
    assert counts["bert"] == 22_713_216 and counts["head"] == 384 * 2 + 2
    assert all(p.requires_grad for p in model.parameters())  # freezing is TrainConfig.freeze, not the spec's
    old_run = build_classifier({**spec, "freeze": True}, vocab_size=30522, num_labels=2, pad_id=0, load_weights=False)
    assert count_parameters(old_run) == counts  # older runs stored "freeze" in the spec: they still load
    with pytest.raises(SeqlabError, match="encode the text with the checkpoint's WordPiece vocabulary"):
        build_classifier({**spec, "checkpoint": str(minilm_dir)}, vocab_size=500, num_labels=2, pad_id=0)


def test_pretrained_bert_without_loading_weights_has_the_checkpoint_shape(minilm_dir) -> None:
    spec = {"family": "bert-pretrained", "checkpoint": str(minilm_dir)}
    with torch.device("meta"):
        model = build_classifier(spec, vocab_size=30522, num_labels=5, pad_id=0, load_weights=False)
    assert model.bert.config.num_hidden_layers == 6 and model.head.out_features == 5
    assert all(p.requires_grad for p in model.parameters())  # fine-tuned by default


def test_families_are_listed_in_order() -> None:
    assert family_names() == ("lstm", "gru", "transformer", "lm", "bert", "bert-pretrained")


def test_count_parameters_depth() -> None:
    model = build_classifier(default_spec("transformer"), 20, 2, 0)
    shallow = count_parameters(model)
    deep = count_parameters(model, depth=2)
    assert shallow["total"] == deep["total"] == sum(p.numel() for p in model.parameters())
    assert deep["encoder.blocks.0"] == deep["encoder.blocks.1"]
    assert sum(v for k, v in deep.items() if k != "total") == deep["total"]
