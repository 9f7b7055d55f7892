"""Checking a learner's add & norm (BERT's post-norm residual step, LayerNorm(x + dropout(sublayer))): parity with
torch's layer_norm on x + s using their gamma, beta and eps, dropout off in eval and on in training, gradcheck, the
parameter count, and the named bugs."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.impl.compare import Bug, diagnose, parity_row
from seqlab.impl.dropout import DROPOUT, applied_in_eval
from seqlab.impl.layernorm import affine, eps_of, seed_affine
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call

WIDTH = 16
TOLERANCE = 1e-7


def build(cls: type, d: int, dropout: float | None, where: Path | None) -> nn.Module:
    """The learner's AddNorm at width d (and `dropout`, when given), in float64."""
    module = call(cls, d, where=where) if dropout is None else call(cls, d, dropout, where=where)
    if not isinstance(module, nn.Module):
        raise ContractError(f"{cls.__name__}({d}) is not an nn.Module")
    return module.to(torch.float64)


def _run(module: nn.Module, x: torch.Tensor, s: torch.Tensor, where: Path | None) -> torch.Tensor:
    out = call(module, x, s, where=where)
    if not isinstance(out, torch.Tensor):
        raise ContractError(f"forward(x, sublayer_out) returned {type(out).__name__}, not a tensor [B, T, d]")
    return out


def _normed(v: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float, dim: int = -1) -> torch.Tensor:
    if dim == -1:
        return F.layer_norm(v, (v.shape[-1],), gamma, beta, eps)
    mean, var = v.mean(dim=dim, keepdim=True), v.var(dim=dim, keepdim=True, unbiased=False)
    return gamma * (v - mean) / torch.sqrt(var + eps) + beta


def bugs(cases: list[tuple[torch.Tensor, torch.Tensor]], gamma: torch.Tensor, beta: torch.Tensor,
         eps: float) -> list[Bug]:
    """The add & norm bugs students write, each as what it outputs on case i."""
    def make(fn):
        return lambda i: fn(*cases[i])

    def ln(v: torch.Tensor, dim: int = -1) -> torch.Tensor:
        return _normed(v, gamma, beta, eps, dim)

    return [
        Bug("no residual", "add the input back before normalising: LayerNorm(x + sublayer_out), not "
            "LayerNorm(sublayer_out)", make(lambda x, s: ln(s))),
        Bug("norm applied to the sublayer only", "normalise the sum: LayerNorm(x + sublayer_out); x + "
            "LayerNorm(sublayer_out) is neither BERT's post-norm nor a pre-norm block", make(lambda x, s: x + ln(s))),
        Bug("residual added after the norm", "add x inside the norm: LayerNorm(x + sublayer_out), not "
            "LayerNorm(sublayer_out) + x or LayerNorm(x) + sublayer_out", make(lambda x, s: ln(x) + s)),
        Bug("residual added twice", "add x once: LayerNorm(x + sublayer_out)", make(lambda x, s: ln(x + s) + x)),
        Bug("sublayer output ignored", "normalise x + sublayer_out: your output is LayerNorm(x) alone",
            make(lambda x, s: ln(x))),
        Bug("layer norm over the wrong axis", "normalise over the features (dim=-1), not the tokens (dim=-2)",
            make(lambda x, s: ln(x + s, -2))),
        Bug("gamma/beta not applied", "use the LayerNorm's weight and bias (nn.LayerNorm applies them for you)",
            make(lambda x, s: F.layer_norm(x + s, (x.shape[-1],), None, None, eps))),
    ]


def gradcheck_row(module: nn.Module, where: Path | None, seed: int) -> ImplRow:
    """torch.autograd.gradcheck in float64 through x and the sublayer's output (eval mode)."""
    generator = torch.Generator().manual_seed(seed + 1)
    x, s = (torch.randn(1, 3, WIDTH, generator=generator, dtype=torch.float64, requires_grad=True) for _ in range(2))
    try:
        held = bool(torch.autograd.gradcheck(lambda a, b: _run(module, a, b, where), (x, s), eps=1e-6, atol=1e-5,
                                             raise_exception=False))
        detail = f"x and sublayer_out [1,3,{WIDTH}] float64: analytic gradients equal finite differences"
    except RuntimeError as exc:
        held, detail = False, f"backward failed: {str(exc).splitlines()[0]}"
    if not held and detail.startswith("x and"):
        detail = "your backward's gradients differ from finite differences (an in-place edit or a detach?)"
    return ImplRow("gradcheck", PROPERTY, 0.0 if held else 1.0, 0.0, held, detail)


def dropout_rows(cls: type, where: Path | None, seed: int, gamma: torch.Tensor, beta: torch.Tensor,
                 cases: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Built with dropout 0.5: in eval the output is LayerNorm(x + s) every time; in training, the sublayer's output
    is dropped before the sum (so the output changes, but no output entry is zeroed as dropout after the norm does)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = build(cls, WIDTH, DROPOUT, where)
    g, b = affine(module)
    if g is None or b is None:
        return [], []
    with torch.no_grad():
        g.copy_(gamma)
        b.copy_(beta)
    eps = eps_of(module)
    x, s = cases[0]
    want = F.layer_norm(x + s, (WIDTH,), gamma, beta, eps)
    module.eval()
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        first, second = _run(module, x, s, where), _run(module, x, s, where)
    worst = max(float((first - want).abs().max()), float((second - want).abs().max()))
    rows = [ImplRow("dropout off in eval", PROPERTY, worst, TOLERANCE, worst <= TOLERANCE,
                    f"built with dropout {DROPOUT}, eval mode, two calls: max |yours - LayerNorm(x + s)| {worst:.1e}")]
    diagnoses = []
    if worst > TOLERANCE:
        diagnoses.append(applied_in_eval(worst))
    module.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        with torch.no_grad():
            trained = _run(module, x, s, where)
    moved = float((trained - want).abs().max())
    zeroed = float((trained == 0).double().mean())
    expected_zeros = float((want == 0).double().mean())
    acts = moved > 1e-6 and zeroed <= expected_zeros + 0.05
    rows.append(ImplRow("dropout on the sublayer in training", PROPERTY, 0.0 if acts else 1.0, 0.0, acts,
                        f"train mode, dropout {DROPOUT}: output moved by {moved:.2g} from LayerNorm(x + s); "
                        f"{100 * zeroed:.0f}% of output entries exactly 0"))
    if moved <= 1e-6:
        diagnoses.append(Diagnosis("dropout never applied", "apply nn.Dropout(p) to sublayer_out before adding x",
                                   "training-mode output equals the eval one"))
    elif zeroed > expected_zeros + 0.05:
        diagnoses.append(Diagnosis("dropout after the norm", "drop the sublayer's output before the sum: "
                                   "LayerNorm(x + dropout(sublayer_out)), not dropout(LayerNorm(...))",
                                   f"{100 * zeroed:.0f}% of the outputs are exactly 0"))
    return rows, diagnoses


def check_addnorm(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the add-norm kind on the learner's class."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError("add & norm must be an nn.Module class: class AddNorm(nn.Module) with __init__(d_model, "
                            "dropout=0.0) and forward(x, sublayer_out)")
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = build(cls, WIDTH, None, where)
    module.eval()
    gamma, beta = affine(module)
    has_affine = gamma is not None and beta is not None and tuple(gamma.shape) == (WIDTH,) == tuple(beta.shape)
    rows = [ImplRow("a LayerNorm's gamma and beta", PROPERTY, 0.0 if has_affine else 1.0, 0.0, has_affine,
                    "found the norm's weight and bias [d]" if has_affine else
                    f"no gamma/beta of shape [{WIDTH}] (use nn.LayerNorm(d_model) or your own with weight and bias)")]
    diagnoses: list[Diagnosis] = []
    gammas, betas = seed_affine(gamma if has_affine else None, beta if has_affine else None, generator, WIDTH)
    eps = eps_of(module)
    cases = [(torch.randn(4, 6, WIDTH, generator=generator, dtype=torch.float64) * 2 + 0.3,
              torch.randn(4, 6, WIDTH, generator=generator, dtype=torch.float64) * 0.7),
             (torch.randn(1, 1, WIDTH, generator=generator, dtype=torch.float64),
              torch.randn(1, 1, WIDTH, generator=generator, dtype=torch.float64) * 3),
             (torch.randn(2, 5, WIDTH, generator=generator, dtype=torch.float64) * 1e-3,
              torch.randn(2, 5, WIDTH, generator=generator, dtype=torch.float64) * 1e-3)]
    outs = [_run(module, x.clone(), s.clone(), where) for x, s in cases]
    want = [F.layer_norm(x + s, (WIDTH,), gammas, betas, eps) for x, s in cases]
    rows.append(parity_row("same output as LayerNorm(x + sublayer_out)", outs, want, TOLERANCE,
                           f"eval mode, your gamma, beta (seeded values) and eps {eps:g}; x and sublayer_out "
                           f"[4,6,{WIDTH}], [1,1,{WIDTH}], [2,5,{WIDTH}] of std 1e-3"))
    if not rows[-1].passed:
        diagnoses.extend(diagnose(outs, bugs(cases, gammas, betas, eps), 1e-6))
    rows.append(gradcheck_row(module, where, seed))
    count = sum(p.numel() for p in module.parameters())
    rows.append(ImplRow("parameter count", PROPERTY, float(abs(count - 2 * WIDTH)), 0.0, count == 2 * WIDTH,
                        f"{count} parameters; the closed form is 2 d = {2 * WIDTH} (the norm's gamma and beta; the "
                        "residual and dropout have none)"))
    if has_affine:
        more_rows, more = dropout_rows(cls, where, seed, gammas, betas, cases)
        rows += more_rows
        diagnoses += more
    return rows, diagnoses
