"""Masked LMs: BERT's head tied to the input embeddings, the loss over chosen positions only, body transfer."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from seqlab.errors import SeqlabError
from seqlab.models import factory
from seqlab.models.mlm import BertForMaskedLM, TransformerMaskedLM, transfer_mlm_body

BERT = {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 32, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
TRANSFORMER = {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32, "dropout": 0.0}


def _batch(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 40, (3, 7), generator=generator)
    mask = torch.tensor([[True] * 7, [True] * 5 + [False] * 2, [True] * 3 + [False] * 4])
    ids = ids.masked_fill(~mask, 0)
    labels = torch.full_like(ids, -100)
    labels[0, 2], labels[1, 4], labels[2, 1] = ids[0, 2], ids[1, 4], ids[2, 1]
    return ids, mask, labels


@pytest.mark.parametrize("spec", [BERT, TRANSFORMER], ids=["bert", "transformer"])
def test_head_is_dense_gelu_layernorm_and_a_decoder_tied_to_the_embeddings(spec):
    torch.manual_seed(0)
    model = factory.build_mlm(spec, vocab_size=40, pad_id=0)
    embedding = model.bert.embeddings.word if isinstance(model, BertForMaskedLM) else model.encoder.token_embedding
    assert model.head.decoder.weight is embedding.weight
    assert model.head.decoder.bias.shape == (40,) and model.head.dense.weight.shape == (16, 16)
    counted = factory.count_parameters(model)["total"]
    assert counted == sum(p.numel() for p in model.parameters())  # the tied matrix once
    ids, mask, _ = _batch()
    hidden, _ = model.hidden_states(ids, mask, None, False)
    by_hand = F.linear(model.head.norm(F.gelu(model.head.dense(hidden))), embedding.weight, model.head.decoder.bias)
    assert torch.allclose(model(ids, mask).logits, by_hand, atol=1e-6)


@pytest.mark.parametrize("spec", [BERT, TRANSFORMER], ids=["bert", "transformer"])
def test_loss_is_cross_entropy_at_the_chosen_positions_only(spec):
    torch.manual_seed(0)
    model = factory.build_mlm(spec, vocab_size=40, pad_id=0).eval()
    ids, mask, labels = _batch()
    out = model(ids, mask, labels=labels)
    assert out.count == 3 and out.logits.shape == (3, 40)
    full = model(ids, mask).logits
    expected = F.cross_entropy(full.reshape(-1, 40), labels.reshape(-1), ignore_index=-100)
    assert torch.allclose(out.loss, expected, atol=1e-6)
    everywhere = F.cross_entropy(full[mask], ids[mask])
    assert abs(float(everywhere.detach()) - float(expected.detach())) > 1e-3  # the two readings really differ here


def test_a_batch_with_nothing_chosen_has_zero_loss_and_still_backpropagates():
    model = factory.build_mlm(BERT, vocab_size=40, pad_id=0)
    ids, mask, labels = _batch()
    loss, count = model.mlm_loss(ids, mask, torch.full_like(labels, -100))
    loss.backward()
    assert count == 0 and float(loss.detach()) == 0.0


def test_mlm_needs_a_bidirectional_family():
    with pytest.raises(SeqlabError, match="bidirectional"):
        factory.build_mlm({"family": "lstm"}, vocab_size=40, pad_id=0)


def test_transfer_copies_the_body_into_a_classifier_of_the_same_shape():
    torch.manual_seed(0)
    bert_mlm = factory.build_mlm(BERT, vocab_size=40, pad_id=0)
    classifier = factory.build_classifier({**BERT, "hidden_dropout_prob": 0.3}, vocab_size=40, num_labels=2, pad_id=0)
    transfer_mlm_body(bert_mlm, classifier)
    assert all(torch.equal(a, b) for a, b in zip(bert_mlm.bert.state_dict().values(),
                                                   classifier.bert.state_dict().values()))
    mlm = factory.build_mlm(TRANSFORMER, vocab_size=40, pad_id=0)
    plain = factory.build_classifier(TRANSFORMER, vocab_size=40, num_labels=2, pad_id=0)
    transfer_mlm_body(mlm, plain)
    assert torch.equal(plain.encoder.token_embedding.weight, mlm.encoder.token_embedding.weight)
    wider = factory.build_classifier({**TRANSFORMER, "d_model": 32}, vocab_size=40, num_labels=2, pad_id=0)
    with pytest.raises(SeqlabError, match="d_model"):
        transfer_mlm_body(mlm, wider)
    with pytest.raises(SeqlabError, match="cannot move"):
        transfer_mlm_body(mlm, classifier)
    assert isinstance(mlm, TransformerMaskedLM)


def test_bert_pretrained_mlm_is_minilms_body_with_a_fresh_head_tied_to_its_embeddings():
    from seqlab.data.wordpiece import VOCAB_FILE, WordPiece
    from seqlab.models.bert_loading import load_bert
    from seqlab.paths import pretrained_bert_dir

    directory = pretrained_bert_dir()
    if not (directory / "model.safetensors").exists():
        pytest.skip("MiniLM (seqlab[pretrained]) is not installed")
    vocab_size = WordPiece.from_vocab(directory / VOCAB_FILE).vocab_size
    torch.manual_seed(0)
    model = factory.build_mlm({"family": "bert-pretrained"}, vocab_size=vocab_size, pad_id=0)
    reference = load_bert(directory).state_dict()
    assert all(torch.equal(value, reference[name]) for name, value in model.bert.state_dict().items())
    assert model.head.decoder.weight is model.bert.embeddings.word.weight  # MiniLM's own embeddings, tied
    assert not model.head.decoder.bias.any() and model.sentence_head is None  # the head starts fresh
    with_pairs = factory.build_mlm({"family": "bert-pretrained", "sentence_objective": "sop"},
                                   vocab_size=vocab_size, pad_id=0, load_weights=False)
    assert with_pairs.sentence_head.out_features == 2
    with pytest.raises(SeqlabError, match="pooled"):
        factory.build_mlm({**TRANSFORMER, "sentence_objective": "nsp"}, vocab_size=40, pad_id=0)
