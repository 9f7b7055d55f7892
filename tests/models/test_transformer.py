"""Transformer encoder, classifier and causal LM: masks, padding invariance, exact parameter counts, transfer."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.models.factory import count_parameters
from seqlab.models.transformer import (
    CausalLM,
    TransformerClassifier,
    TransformerConfig,
    TransformerEncoder,
    transfer_lm_body,
)
from seqlab.training.tasks import next_token_loss  # the one next-token loss: training's

SMALL = TransformerConfig(vocab_size=30, d_model=16, n_heads=4, n_layers=2, d_ff=32, max_len=20, dropout=0.1, pad_id=0)
STUDY = TransformerConfig(vocab_size=50001, d_model=200, n_heads=2, n_layers=4, d_ff=200, max_len=512, pad_id=0)


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[5, 6, 7, 8, 9], [3, 4, 0, 0, 0]])
    return ids, ids != 0


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("pooling", ["mean", "cls", "last"])
@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
def test_changing_pad_ids_leaves_real_positions_unchanged(norm_first: bool, pooling: str, positions: str) -> None:
    torch.manual_seed(0)
    config = dataclasses.replace(SMALL, norm_first=norm_first, positions=positions)
    model = TransformerClassifier(config, num_labels=3, pooling=pooling).eval()
    ids, mask = _batch()
    other = ids.masked_fill(~mask, 11)  # garbage where the padding is
    first = model(ids, mask).logits
    second = model(other, mask).logits
    torch.testing.assert_close(first, second, atol=1e-5, rtol=1e-5)
    alone = model(ids[1:, :2], mask[1:, :2]).logits  # the short example with no padding at all
    torch.testing.assert_close(first[1:], alone, atol=1e-5, rtol=1e-5)


def test_causal_encoder_ignores_the_future() -> None:
    torch.manual_seed(0)
    encoder = TransformerEncoder(SMALL).eval()
    ids = torch.tensor([[5, 6, 7, 8, 9]])
    changed = torch.tensor([[5, 6, 7, 1, 2]])
    hidden, _ = encoder(ids, causal=True)
    hidden_changed, _ = encoder(changed, causal=True)
    torch.testing.assert_close(hidden[:, :3], hidden_changed[:, :3])
    assert not torch.allclose(hidden[:, 3:], hidden_changed[:, 3:])


def test_output_attentions_gives_same_logits_as_fast_path() -> None:
    torch.manual_seed(0)
    model = TransformerClassifier(SMALL, num_labels=2, causal=True, pooling="last").eval()
    ids, mask = _batch()
    fast = model(ids, mask)
    explicit = model(ids, mask, output_attentions=True)
    assert fast.attentions is None
    assert len(explicit.attentions) == 2 and explicit.attentions[0].shape == (2, 4, 5, 5)
    torch.testing.assert_close(fast.logits, explicit.logits, atol=2e-6, rtol=1e-5)
    assert torch.all(explicit.attentions[0][1, :, :, 2:] == 0)  # nobody attends to padding


def test_lm_transfer_study_parameter_counts_are_exact() -> None:
    with torch.device("meta"):
        lm = CausalLM(STUDY)
        classifier = TransformerClassifier(STUDY, num_labels=2, pooling="last", causal=True)
    body = count_parameters(lm.encoder)
    assert body["total"] == 10_968_200
    assert body["token_embedding"] == 50001 * 200
    assert body["positions"] == 0  # sinusoidal: listed, but no parameters
    assert [body[f"blocks.{i}"] for i in range(4)] == [242_000] * 4
    assert count_parameters(classifier) == {"encoder": 10_968_200, "head": 402, "total": 10_968_602}
    assert count_parameters(lm)["lm_head"] == 10_050_201
    assert count_parameters(lm)["total"] == 10_968_200 + 10_050_201


def test_tied_lm_head_shares_the_embedding() -> None:
    lm = CausalLM(SMALL, tie_weights=True)
    assert lm.lm_head.weight is lm.encoder.token_embedding.weight
    counts = count_parameters(lm)
    assert counts["lm_head"] == SMALL.vocab_size  # only its bias is its own
    assert counts["total"] == sum(counts[k] for k in ("encoder", "lm_head"))


def test_pre_norm_adds_a_final_norm() -> None:
    pre = TransformerEncoder(dataclasses.replace(SMALL, norm_first=True))
    post = TransformerEncoder(SMALL)
    assert count_parameters(pre)["final_norm"] == 2 * SMALL.d_model
    assert "final_norm" not in count_parameters(post)


def test_lm_body_transfers_into_a_causal_classifier() -> None:
    torch.manual_seed(0)
    lm = CausalLM(SMALL).eval()
    classifier = transfer_lm_body(lm, TransformerClassifier(SMALL, 2, pooling="last", causal=True)).eval()
    ids, mask = _batch()
    lm_hidden, _ = lm.encoder(ids, mask, causal=True)
    classifier_hidden, _ = classifier.encoder(ids, mask, causal=True)
    torch.testing.assert_close(lm_hidden, classifier_hidden)
    with pytest.raises(SeqlabError, match="not causal"):
        transfer_lm_body(lm, TransformerClassifier(SMALL, 2))
    with pytest.raises(SeqlabError, match="d_model 16 vs 32"):
        transfer_lm_body(lm, TransformerClassifier(dataclasses.replace(SMALL, d_model=32, d_ff=32), 2, causal=True))


def test_lm_loss_ignores_padding_and_learns() -> None:
    torch.manual_seed(0)
    lm = CausalLM(dataclasses.replace(SMALL, dropout=0.0))
    ids, mask = _batch()

    def lm_loss(input_ids: torch.Tensor) -> torch.Tensor:
        return next_token_loss(lm(input_ids, mask).logits, input_ids, mask)[0]

    loss = lm_loss(ids)
    garbage = lm_loss(ids.masked_fill(~mask, 13))
    torch.testing.assert_close(loss, garbage)
    for _ in range(30):  # plain gradient descent (torch.optim's first step costs seconds of imports)
        lm.zero_grad()
        lm_loss(ids).backward()
        with torch.no_grad():
            for parameter in lm.parameters():
                parameter -= 0.1 * parameter.grad
    assert lm_loss(ids).item() < loss.item() / 2


def test_same_seed_same_init_and_outputs() -> None:
    ids, mask = _batch()
    outputs = []
    for _ in range(2):
        torch.manual_seed(7)
        model = TransformerClassifier(SMALL, 3)
        torch.manual_seed(8)
        outputs.append(model(ids, mask).logits)  # train mode: dropout draws from the seeded generator
    assert torch.equal(outputs[0], outputs[1])


def test_invalid_configs_are_clear_errors() -> None:
    with pytest.raises(SeqlabError, match="n_layers must be a whole number of at least 1"):
        dataclasses.replace(SMALL, n_layers=0)
    with pytest.raises(SeqlabError, match=r"dropout must be a number in \[0, 1\), got -0.1"):
        dataclasses.replace(SMALL, dropout=-0.1)
    with pytest.raises(SeqlabError, match="not divisible by 3 heads"):
        dataclasses.replace(SMALL, n_heads=3)
    with pytest.raises(SeqlabError, match="unknown pooling 'max'"):
        TransformerClassifier(SMALL, 2, pooling="max")  # type: ignore[arg-type]
