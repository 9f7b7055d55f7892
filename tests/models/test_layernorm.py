"""LayerNorm by hand equals torch's, and its outputs have the norm the theory says."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.models.layernorm import LayerNorm


def test_equals_torch_layernorm_with_trained_gamma_and_beta() -> None:
    torch.manual_seed(0)
    ours, reference = LayerNorm(16, eps=1e-5), nn.LayerNorm(16, eps=1e-5)
    with torch.no_grad():
        ours.weight.normal_()
        ours.bias.normal_()
        reference.weight.copy_(ours.weight)
        reference.bias.copy_(ours.bias)
    x = torch.randn(3, 5, 16) * 4 + 2
    torch.testing.assert_close(ours(x), reference(x), atol=1e-6, rtol=1e-5)


def test_gradients_match_torch_layernorm() -> None:
    torch.manual_seed(1)
    ours, reference = LayerNorm(8, eps=1e-5), nn.LayerNorm(8, eps=1e-5)
    x1 = torch.randn(4, 8, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    (ours(x1) ** 2).sum().backward()
    (reference(x2) ** 2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad, atol=1e-5, rtol=1e-4)


def test_norm_is_sqrt_d_biased_and_sqrt_d_minus_1_unbiased() -> None:
    x = torch.randn(10, 32)
    biased = LayerNorm(32)(x).norm(dim=-1)
    unbiased = LayerNorm(32, unbiased=True)(x).norm(dim=-1)
    torch.testing.assert_close(biased, torch.full((10,), math.sqrt(32)))
    torch.testing.assert_close(unbiased, torch.full((10,), math.sqrt(31)))


def test_parameter_names_are_weight_and_bias() -> None:
    assert sorted(name for name, _ in LayerNorm(4).named_parameters()) == ["bias", "weight"]


def test_fused_fast_path_equals_the_written_out_formula():
    torch.manual_seed(0)
    norm = LayerNorm(16, eps=1e-5)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
    x = torch.randn(3, 7, 16, dtype=torch.float64)
    norm = norm.double()
    torch.testing.assert_close(norm(x), norm.normalize(x), rtol=0, atol=1e-12)
