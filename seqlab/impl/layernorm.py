"""Checking a learner's LayerNorm module: seqlab's layer-norm identities measured on it (inside a seqlab LayerNorm
whose normalisation is theirs), parity with torch's layer_norm using their gamma, beta and eps, and the named bugs."""

from __future__ import annotations

from pathlib import Path


import torch
import torch.nn.functional as F
from torch import nn

from seqlab.impl.compare import Bug, diagnose, parity_row
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.impl.wrapping import run_identities
from seqlab.models.layernorm import LayerNorm

WIDTH = 16
GAMMA_NAMES = ("weight", "gamma", "g", "a_2", "scale", "alpha")
BETA_NAMES = ("bias", "beta", "b", "b_2", "shift")
EPS_NAMES = ("eps", "epsilon", "variance_epsilon")
TOLERANCE = 1e-7


def build(cls: type, d: int, where: Path | None) -> nn.Module:
    """The learner's LayerNorm at width d, in float64."""
    module = call(cls, d, where=where)
    if not isinstance(module, nn.Module):
        raise ContractError(f"{cls.__name__}({d}) is not an nn.Module")
    return module.to(torch.float64)


def affine(module: nn.Module) -> tuple[nn.Parameter | None, nn.Parameter | None]:
    """The learner's gamma and beta, found by the usual names (weight/gamma/a_2, bias/beta/b_2)."""
    params = {name.rsplit(".", 1)[-1]: value for name, value in reversed(list(module.named_parameters()))}
    gamma = next((params[n] for n in GAMMA_NAMES if n in params), None)
    beta = next((params[n] for n in BETA_NAMES if n in params), None)
    return gamma, beta


def eps_of(module: nn.Module) -> float:
    """The eps the learner keeps (eps, epsilon or variance_epsilon), else 1e-5."""
    for part in module.modules():
        for name in EPS_NAMES:
            value = getattr(part, name, None)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
    return 1e-5


def set_eps(module: nn.Module, eps: float) -> None:
    """Set the eps the learner's module (and any norm inside it) keeps, so a check can run it with eps = 0."""
    for part in module.modules():
        for name in EPS_NAMES:
            if isinstance(getattr(part, name, None), (int, float)):
                setattr(part, name, eps)


class LearnerLayerNorm(LayerNorm):
    """seqlab's LayerNorm whose normalisation is the learner's module: their class, rebuilt at the width asked, with
    this module's gamma and beta copied into theirs before each call."""

    def __init__(self, cls: type, where: Path | None, d: int = WIDTH) -> None:
        learner = build(cls, d, where)
        super().__init__(d, eps_of(learner))
        self.cls, self.where, self.learner = cls, where, learner

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """Run the learner's module on x with this module's gamma and beta."""
        width = x.shape[-1]
        if width != self.learner_width():
            self.learner = build(self.cls, width, self.where).to(x.device)
        gamma, beta = affine(self.learner)
        with torch.no_grad():
            if gamma is not None:
                gamma.copy_(self.weight.detach())
            if beta is not None:
                beta.copy_(self.bias.detach())
        self.learner.to(x.dtype)
        set_eps(self.learner, self.eps)
        return call(self.learner, x, where=self.where)

    def learner_width(self) -> int:
        """The width the learner's module was built for."""
        gamma, _ = affine(self.learner)
        return int(gamma.shape[-1]) if gamma is not None else int(getattr(self.learner, "_seqlab_width", self.d))


def seed_affine(gamma: torch.Tensor | None, beta: torch.Tensor | None, generator: torch.Generator,
                width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded gamma and beta (float64, [width]) copied into the learner's parameters, so a check sees their affine
    step at work; (ones, zeros) when they have none (gamma is None). The draws happen either way."""
    gammas = torch.randn(width, generator=generator, dtype=torch.float64) * 0.5 + 1
    betas = torch.randn(width, generator=generator, dtype=torch.float64) * 0.5
    if gamma is None or beta is None:
        return torch.ones(width, dtype=torch.float64), torch.zeros(width, dtype=torch.float64)
    with torch.no_grad():
        gamma.copy_(gammas)
        beta.copy_(betas)
    return gammas, betas


def buggy(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float, bug: str) -> torch.Tensor:
    """A buggy layer norm's output on x [B,T,d]."""
    dim = {"axis -2": -2, "axis 0": 0}.get(bug, -1)
    mean = x.mean(dim=dim, keepdim=True)
    var = x.var(dim=dim, keepdim=True, unbiased=bug == "unbiased")
    if bug == "no centering":
        var = (x**2).mean(dim=-1, keepdim=True)
    centred = x if bug == "no centering" else x - mean
    if bug == "eps outside":
        normed = centred / (var.sqrt() + eps)
    elif bug == "std under sqrt":
        normed = centred / torch.sqrt(var.sqrt() + eps)
    elif bug == "no eps":
        normed = centred / var.sqrt()
    else:
        normed = centred / torch.sqrt(var + eps)
    if bug == "swapped":
        return beta * normed + gamma
    if bug == "no affine":
        return normed
    return gamma * normed + beta


BUGS = (
    ("layer norm over the wrong axis", "normalise over the last axis (dim=-1, the features): you used dim=-2 (tokens)",
     "axis -2"),
    ("layer norm over the batch axis", "normalise over the last axis (dim=-1): you used dim=0 (the batch)", "axis 0"),
    ("unbiased variance", "use the biased variance: x.var(dim=-1, unbiased=False) divides by d, not d - 1", "unbiased"),
    ("eps outside the sqrt", "add eps to the variance inside the square root: (x - mean) / sqrt(var + eps)",
     "eps outside"),
    ("square root of the std", "divide by sqrt(var + eps): you took the square root of the standard deviation",
     "std under sqrt"),
    ("mean not subtracted", "subtract the mean before dividing (x - mean), and use the variance about the mean",
     "no centering"),
    ("gamma and beta swapped", "multiply by gamma (the scale, initialised to 1) and add beta (the shift, 0)",
     "swapped"),
    ("gamma/beta not applied", "return gamma * x_hat + beta: your gamma and beta are never used", "no affine"),
)


def check_layernorm(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the layer-norm kind on the learner's class: affine parameters, parity on ordinary and on tiny-
    variance inputs (where eps matters), identities, diagnoses."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError("a layer norm must be an nn.Module class: class LayerNorm(nn.Module) with __init__(d, eps)")
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = build(cls, WIDTH, where)
    gamma, beta = affine(module)
    rows: list[ImplRow] = []
    diagnoses: list[Diagnosis] = []
    has_affine = gamma is not None and beta is not None and tuple(gamma.shape) == (WIDTH,) == tuple(beta.shape)
    rows.append(ImplRow("gamma and beta parameters", PROPERTY, 0.0 if has_affine else 1.0, 0.0, has_affine,
                        "nn.Parameters of shape [d] named weight/bias or gamma/beta" if has_affine else
                        f"found gamma {None if gamma is None else tuple(gamma.shape)}, beta "
                        f"{None if beta is None else tuple(beta.shape)}; want two nn.Parameters of shape [{WIDTH}]"))
    if not has_affine:
        diagnoses.append(Diagnosis("missing gamma/beta", "add self.weight = nn.Parameter(torch.ones(d)) and self.bias = "
                                   "nn.Parameter(torch.zeros(d)) and return weight * x_hat + bias"))
    eps = eps_of(module)
    gammas, betas = seed_affine(gamma if has_affine else None, beta if has_affine else None, generator, WIDTH)
    inputs = [torch.randn(4, 6, WIDTH, generator=generator, dtype=torch.float64) * 3 + 0.7,
              torch.randn(3, 5, WIDTH, generator=generator, dtype=torch.float64) * 1e-3,  # var ~ eps: eps shows
              torch.randn(1, 1, WIDTH, generator=generator, dtype=torch.float64)]
    outs = [call(module, x.clone(), where=where) for x in inputs]
    want = [F.layer_norm(x, (WIDTH,), gammas, betas, eps) for x in inputs]
    rows.append(parity_row("same output as torch's layer_norm", outs, want, TOLERANCE,
                           f"your gamma, beta (set to seeded values) and eps {eps:g}; inputs [4,6,{WIDTH}] of std 3, "
                           f"[3,5,{WIDTH}] of std 1e-3 (where eps matters), [1,1,{WIDTH}]"))
    if not rows[-1].passed:
        diagnoses.extend(diagnose(outs, [Bug(name, advice, lambda i, b=bug: buggy(inputs[i], gammas, betas, eps, b))
                                         for name, advice, bug in BUGS], 1e-6))
    if has_affine:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            rows.extend(run_identities(LearnerLayerNorm(cls, where), "layer norm", (), seed))
    return rows, diagnoses


