"""attention-scaling reads the scale off the model's own attention exactly: sqrt(d_k + 1) or d_k fails, sqrt(d_k) passes."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.proofs import select
from seqlab.proofs.target import LiveTarget

from . import broken


class StudentAttention(MultiHeadSelfAttention):
    """Attention written the way a student writes it: one path, logits divided by `divisor(d_head)`.

    `queries_first` divides the queries before the product instead of the logits after it (the same maths).
    """

    divisor = staticmethod(math.sqrt)
    queries_first = False

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        b, t, d = x.shape
        mask = self._batch_mask(attention_mask, causal, x)
        q, k, v = (proj(x).view(b, t, self.n_heads, self.d_head).transpose(1, 2)
                   for proj in (self.query, self.key, self.value))
        if self.queries_first:
            logits = (q / self.divisor(self.d_head)) @ k.transpose(-2, -1)
        else:
            logits = q @ k.transpose(-2, -1) / self.divisor(self.d_head)
        if mask.allowed is not None:
            logits = logits.masked_fill(~mask.allowed, torch.finfo(logits.dtype).min)
        probs = logits.softmax(dim=-1)
        context = (probs @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(context), probs if need_weights else None


def with_attention(target: LiveTarget, divisor, queries_first: bool = False) -> LiveTarget:
    """The fresh target with every attention module replaced by a StudentAttention (same weights)."""
    model = copy.deepcopy(target.model)
    cls = type("Student", (StudentAttention,), {"divisor": staticmethod(divisor), "queries_first": queries_first})
    for block in model.encoder.blocks:
        old = block.attention
        new = cls(old.d_model, old.n_heads)
        new.load_state_dict(old.state_dict())
        block.attention = new
    return LiveTarget(model.eval(), target.device, target.seed, "student attention", target.batch)


@pytest.fixture(scope="module")
def fresh_target() -> LiveTarget:
    return broken.fresh(seed=0)


def scaling(target: LiveTarget):
    return select(["attention-scaling"])[0].check(target)


@pytest.mark.parametrize("divisor, wrong", [
    (lambda d: math.sqrt(d + 1), 1 - 16 / 17),  # sqrt(d_k + 1): inside the old 10% tolerance on a sampled variance
    (lambda d: float(d), 1 - 1 / 16),           # d_k instead of sqrt(d_k)
])
def test_a_wrong_scale_fails_measured_on_the_model(fresh_target, divisor, wrong):
    result = scaling(with_attention(fresh_target, divisor))
    assert not result.passed
    assert result.measured_on == "model"
    assert result.measured == pytest.approx(wrong, rel=1e-6)  # exact: no sampling error left in the ratio
    assert "logits divided by" in result.detail


@pytest.mark.parametrize("queries_first", [False, True])
def test_the_right_scale_passes_however_it_is_written(fresh_target, queries_first):
    result = scaling(with_attention(fresh_target, math.sqrt, queries_first))
    assert result.passed, result.detail
    assert result.measured < 1e-9 and result.measured_on == "model"


def test_seqlab_attention_passes_on_both_paths(fresh_target):
    result = scaling(fresh_target)
    assert result.passed, result.detail
    assert result.extra["fused vs explicit weights"] < 1e-12
    assert 0.9 < result.extra["sampled Var(q.k) / d_k"] < 1.1  # the proof's instance: Var(q.k) is about d_k
