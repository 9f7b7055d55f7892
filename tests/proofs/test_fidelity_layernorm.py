"""Layer-norm checks measure the model's own modules on the tensors it gives them, in their own shape (issue 26).

A layer norm that averages over time (dim=1 of [B,T,D]) is right on a flattened [N,D] input, so a check that
flattens first passes it; each broken model here is a real seqlab model run through the real check.
"""

from __future__ import annotations

import copy

import pytest
import torch

from seqlab.models.layernorm import LayerNorm
from seqlab.proofs import select
from seqlab.proofs.base import MODEL
from seqlab.proofs.target import LiveTarget

from . import broken


class TimeMeanLayerNorm(LayerNorm):
    """The student's layer norm that normalises over dim=1: on [B,T,D] that is time, not the features."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=1, keepdim=True)
        var = x.var(dim=1, keepdim=True, unbiased=self.unbiased)
        return self.weight * (x - mean) / torch.sqrt(var + self.eps) + self.bias


class WrongEpsLayerNorm(LayerNorm):
    """Adds eps to the standard deviation instead of the variance while claiming the usual form."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        std = x.var(dim=-1, keepdim=True, unbiased=self.unbiased).sqrt()
        return self.weight * (x - mean) / (std + self.eps) + self.bias


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


@pytest.fixture(scope="module")
def fresh_target() -> LiveTarget:
    return broken.fresh(seed=0)


def with_norms(target: LiveTarget, cls: type[LayerNorm], **changes) -> LiveTarget:
    model = broken.replace_layernorms(target.model, cls)
    for module in model.modules():
        if isinstance(module, LayerNorm):
            for name, value in changes.items():
                setattr(module, name, value)
    return LiveTarget(model, target.device, target.seed, f"{cls.__name__} model", target.batch)


@pytest.mark.parametrize("identity_id", ["layernorm-norm", "layernorm-2d"])
def test_a_layer_norm_over_time_fails_both_checks_on_the_model(fresh_target, identity_id):
    result = check(identity_id, with_norms(fresh_target, TimeMeanLayerNorm))
    assert not result.passed, result.detail
    assert result.measured_on == MODEL
    assert result.measured > 0.01


def test_a_layer_norm_over_time_fails_even_without_text():
    """Without a batch the module gets random [B,T,d] vectors, not [N,d] ones that would hide the bug."""
    result = check("layernorm-norm", broken.with_parts(TimeMeanLayerNorm(24, eps=1e-5)))
    assert not result.passed and result.measured_on == MODEL


def test_eps_on_the_std_fails_with_a_large_eps(fresh_target):
    result = check("layernorm-2d", with_norms(fresh_target, WrongEpsLayerNorm, eps=0.1))
    assert not result.passed and result.measured_on == MODEL


@pytest.mark.parametrize("unbiased", [False, True])
@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.1])
def test_correct_layer_norms_pass_with_their_own_convention(fresh_target, unbiased, eps):
    target = with_norms(fresh_target, LayerNorm, unbiased=unbiased, eps=eps)
    for identity_id in ("layernorm-norm", "layernorm-2d"):
        result = check(identity_id, target)
        assert result.passed, result.detail
        assert result.measured_on == MODEL
    two_d = check("layernorm-2d", target)
    assert f"eps={eps:g}" in two_d.detail and ("unbiased" in two_d.detail) == unbiased
    if eps == 0.1:  # eps pulls the points near a = b off the corners: the check predicts where they land
        assert two_d.extra["points short of the corners"] > 0


def test_torch_layer_norm_is_resized_for_the_2d_check():
    model = torch.nn.Sequential(torch.nn.LayerNorm(24, eps=1e-3), torch.nn.LayerNorm(24, elementwise_affine=False))
    result = check("layernorm-2d", broken.with_parts(*model))
    assert result.passed, result.detail
    assert result.measured_on == MODEL and "eps=0.001" in result.detail


def test_the_2d_check_leaves_the_model_alone(fresh_target):
    model = copy.deepcopy(fresh_target.model)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    check("layernorm-2d", LiveTarget(model, fresh_target.device, 0, "copy", fresh_target.batch))
    assert all(torch.equal(before[name], p) for name, p in model.named_parameters())


class GammaOnBetaLayerNorm(LayerNorm):
    """Right normalisation, wrong affine part: gamma * (x_hat + beta). With gamma = 1, beta = 0 it is invisible."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=self.unbiased)
        return self.weight * ((x - mean) / torch.sqrt(var + self.eps) + self.bias)


def test_a_wrong_affine_part_fails_the_norm_check(fresh_target):
    model = broken.replace_layernorms(fresh_target.model, GammaOnBetaLayerNorm)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, LayerNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
    result = check("layernorm-norm", LiveTarget(model, fresh_target.device, 0, "gamma on beta", fresh_target.batch))
    assert not result.passed and result.measured_on == MODEL
    assert result.extra["norm error"] < 1e-9 and result.extra["affine"] > 0.01
