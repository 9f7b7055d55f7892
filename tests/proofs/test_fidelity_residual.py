"""residual-jacobian measures the real block, norms kept, against the form it claims (issue 26).

Swapping a post-norm block's norms for nn.Identity let a block that normalises before the residual (no identity
path from x) pass. Each broken block here is a real seqlab TransformerBlock subclass run through the real check.
"""

from __future__ import annotations

import pytest
import torch

from seqlab.models.bert import BertConfig, BertLayer
from seqlab.models.transformer import TransformerBlock, TransformerConfig
from seqlab.proofs import select
from seqlab.proofs.base import MODEL

from . import broken


def config(norm_first: bool) -> TransformerConfig:
    return TransformerConfig(vocab_size=8, d_model=32, n_heads=4, n_layers=1, d_ff=64, dropout=0.0, norm_first=norm_first)


class NormBeforeResidualBlock(TransformerBlock):
    """x = LN(x); x = x + f(x): the skip carries LN(x), not x, so there is no identity path from the input."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        x = self.norm1(x)
        attended, probs = self.attention(x, attention_mask, causal, need_weights)
        x = x + self.dropout(attended)
        x = self.norm2(x)
        return x + self.dropout(self.ffn(x)), probs


def block(cls: type[TransformerBlock], norm_first: bool) -> TransformerBlock:
    torch.manual_seed(0)
    return cls(config(norm_first)).eval()


def check(*modules: torch.nn.Module):
    return select(["residual-jacobian"])[0].check(broken.with_parts(*modules))


@pytest.mark.parametrize("norm_first", [False, True], ids=["claims post-norm", "claims pre-norm"])
def test_a_block_that_normalises_before_the_residual_fails(norm_first):
    result = check(block(NormBeforeResidualBlock, norm_first))
    assert not result.passed, result.detail
    assert result.measured_on == MODEL
    assert result.extra["gradient gap"] > 0.01


class PreNormClaimingPostNormBlock(TransformerBlock):
    """Built post-norm (norm_first=False) but computes pre-norm: each sum is a residual, not the block it claims."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        attended, probs = self.attention(self.norm1(x), attention_mask, causal, need_weights)
        x = x + self.dropout(attended)
        return x + self.dropout(self.ffn(self.norm2(x))), probs


def test_a_block_that_is_not_the_form_it_claims_fails():
    result = check(block(PreNormClaimingPostNormBlock, False))
    assert not result.passed and result.extra["forward gap"] > 0.01


def test_the_half_skip_block_fails():
    result = check(broken.scaled_residual_block())
    assert not result.passed and result.extra["gradient gap"] > 0.1


def test_correct_pre_norm_post_norm_and_bert_blocks_pass_with_their_claims():
    bert = BertLayer(BertConfig(vocab_size=8, hidden_size=32, num_attention_heads=4, intermediate_size=64)).eval()
    result = check(block(TransformerBlock, False), block(TransformerBlock, True), bert)
    assert result.passed, result.detail
    assert result.measured_on == MODEL
    assert "3 Transformer block(s), 6 residual sublayers (2 post-norm, 1 pre-norm;" in result.detail
