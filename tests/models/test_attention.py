"""Attention: the explicit and fast paths agree, masks do what they say, and bad widths are one clear error."""

from __future__ import annotations

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.models.attention import MultiHeadSelfAttention, causal_mask, scaled_dot_product


def _attention(seed: int = 0, d_model: int = 24, n_heads: int = 4) -> MultiHeadSelfAttention:
    torch.manual_seed(seed)
    return MultiHeadSelfAttention(d_model, n_heads).eval()


def _padding_mask() -> torch.Tensor:
    lengths = torch.tensor([6, 3, 1])
    return torch.arange(6)[None, :] < lengths[:, None]  # [3,6], True = real


@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scale", [True, False])
def test_fast_path_equals_explicit_path(use_mask: bool, causal: bool, scale: bool) -> None:
    attention = _attention()
    attention.scale = scale
    x = torch.randn(3, 6, 24)
    mask = _padding_mask() if use_mask else None
    explicit, probs = attention(x, mask, causal=causal, need_weights=True)
    fast, no_probs = attention(x, mask, causal=causal, need_weights=False)
    assert probs is not None and probs.shape == (3, 4, 6, 6)
    assert no_probs is None
    torch.testing.assert_close(fast, explicit, atol=2e-6, rtol=1e-5)


def test_causal_probabilities_are_zero_above_the_diagonal() -> None:
    _, probs = _attention()(torch.randn(2, 5, 24), causal=True, need_weights=True)
    above = ~causal_mask(5)
    assert torch.all(probs[..., above] == 0)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 4, 5))


def test_padding_keys_get_zero_probability() -> None:
    mask = _padding_mask()
    _, probs = _attention()(torch.randn(3, 6, 24), mask, need_weights=True)
    assert torch.all(probs.masked_select(~mask[:, None, None, :].expand_as(probs)) == 0)


def test_causal_mask_is_lower_triangular() -> None:
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]


@pytest.mark.parametrize("need_weights", [True, False])
def test_fully_masked_rows_are_finite(need_weights: bool) -> None:
    mask = torch.zeros(2, 4, dtype=torch.bool)
    mask[1, :2] = True
    out, _ = _attention()(torch.randn(2, 4, 24), mask, causal=True, need_weights=need_weights)
    assert torch.isfinite(out).all()


def test_scaled_dot_product_is_softmax_of_scaled_logits() -> None:
    torch.manual_seed(3)
    q, k, v = torch.randn(2, 5, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 3)
    out, probs = scaled_dot_product(q, k, v)
    expected = torch.softmax(q @ k.transpose(1, 2) / 8**0.5, dim=-1)
    torch.testing.assert_close(probs, expected)
    torch.testing.assert_close(out, expected @ v)
    _, unscaled = scaled_dot_product(q, k, v, scale=False)
    torch.testing.assert_close(unscaled, torch.softmax(q @ k.transpose(1, 2), dim=-1))


def test_padding_does_not_change_real_positions() -> None:
    attention = _attention()
    x = torch.randn(1, 4, 24)
    padded = torch.cat([x, torch.randn(1, 3, 24)], dim=1)
    mask = torch.tensor([[True] * 4 + [False] * 3])
    alone, _ = attention(x)
    with_padding, _ = attention(padded, mask)
    torch.testing.assert_close(with_padding[:, :4], alone, atol=2e-6, rtol=1e-5)


def test_width_not_divisible_by_heads_is_one_clear_error() -> None:
    with pytest.raises(SeqlabError) as caught:
        MultiHeadSelfAttention(100, 3)
    assert str(caught.value) == (
        "width 100 is not divisible by 3 heads; pick heads that divide the width (e.g. 1, 2, 4, 5)"
    )


def test_dropout_on_probabilities_in_training_only() -> None:
    torch.manual_seed(0)
    attention = MultiHeadSelfAttention(16, 2, dropout=0.5)
    x = torch.randn(2, 5, 16)
    attention.train()
    a, _ = attention(x, need_weights=True)
    b, _ = attention(x, need_weights=True)
    assert not torch.allclose(a, b)
    attention.eval()
    c, _ = attention(x, need_weights=True)
    d, _ = attention(x, need_weights=False)
    torch.testing.assert_close(c, d, atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_a_query_with_nothing_to_attend_to_outputs_zeros_on_both_paths(causal: bool) -> None:
    """A row of padding (and, under a causal mask, left padding) attends to nothing: zeros, not an average."""
    attention = _attention().eval()
    mask = torch.tensor([[True, True, False, False], [False, False, False, False], [False, True, True, True]])
    x = torch.randn(3, 4, 24)
    explicit, probs = attention(x, mask, causal=causal, need_weights=True)
    fast, _ = attention(x, mask, causal=causal)
    torch.testing.assert_close(fast, explicit, atol=1e-5, rtol=1e-5)
    before_out = attention.out.bias.expand(4, -1)  # zero context -> the output projection's bias alone
    torch.testing.assert_close(explicit[1], before_out)
    assert torch.all(probs[1] == 0)
    if causal:  # query 0 of row 2 may see only key 0, which is padding
        torch.testing.assert_close(explicit[2, 0], attention.out.bias)
        assert torch.all(probs[2, :, 0] == 0)
    torch.testing.assert_close(probs[0].sum(-1), torch.ones(4, 4))


def test_the_packed_path_equals_the_padded_path_on_real_tokens() -> None:
    from seqlab.models.unpad import PackedTokens

    attention = _attention()
    mask = _padding_mask()
    x = torch.randn(3, 6, 24)
    packed = PackedTokens.of(mask)
    assert packed is not None
    padded, _ = attention(x, mask)
    real, probs = attention(packed.unpad(x), mask, packed=packed)  # [N,D]: the real tokens only
    assert probs is None
    assert real.shape == (int(mask.sum()), 24)
    torch.testing.assert_close(real, padded[mask], atol=2e-6, rtol=1e-5)


def test_a_prepared_mask_gives_what_the_padding_mask_gives() -> None:
    from seqlab.models.attention import AttentionMask

    attention = _attention()
    mask = _padding_mask()
    x = torch.randn(3, 6, 24)
    prepared = AttentionMask.of(mask, True, 6, x.device)
    for need_weights in (False, True):
        direct = attention(x, mask, causal=True, need_weights=need_weights)
        shared = attention(x, prepared, causal=True, need_weights=need_weights)
        assert all(torch.equal(a, b) for a, b in zip(direct, shared) if a is not None)
    with pytest.raises(ValueError, match="causal=True"):
        attention(x, prepared, causal=False)
    narrow = attention.to(torch.bfloat16)  # as under autocast: the float32 mask meets bfloat16 queries
    direct, _ = narrow(x.bfloat16(), mask, causal=True)
    shared, _ = narrow(x.bfloat16(), prepared, causal=True)
    assert torch.equal(direct, shared)


@pytest.mark.parametrize("family", ["transformer", "bert"])
@pytest.mark.parametrize("output_attentions", [False, True])
def test_encoders_build_the_mask_once_per_forward(
    monkeypatch: pytest.MonkeyPatch, family: str, output_attentions: bool
) -> None:
    from seqlab.models import attention as attention_module
    from seqlab.models.bert import BertConfig, BertModel
    from seqlab.models.transformer import TransformerConfig, TransformerEncoder

    built = []
    original = attention_module.AttentionMask.of.__func__

    def counting(cls, *args, **kwargs):
        built.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(attention_module.AttentionMask, "of", classmethod(counting))
    torch.manual_seed(0)
    if family == "transformer":
        model = TransformerEncoder(TransformerConfig(vocab_size=20, d_model=16, n_heads=2, n_layers=3, d_ff=32))
    else:
        model = BertModel(BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=8))
    ids = torch.randint(1, 20, (3, 6))
    model.eval()(ids, _padding_mask(), output_attentions=output_attentions)
    assert len(built) == 1
