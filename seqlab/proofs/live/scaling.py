"""The live checks of seqlab.proofs.scaling (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.counting import formulas
from seqlab.proofs.base import CheckResult, MODEL
from seqlab.proofs.scaling import AttentionScaling, MultiHeadParameters
from seqlab.proofs.target import LiveTarget, attention_modules, attention_weights, exact_copy


SAMPLE_LENGTH = 128


def _scale_ratios(attention: nn.Module, target: LiveTarget, offset: int) -> tuple[dict[str, torch.Tensor], float, float]:
    """Per path, Var_row(log weights) / Var_row(raw logits q.k) for every (batch, head, query) row, from the same
    N(0,1) queries and keys; also the mean sampled Var(q.k) and the largest gap between the two paths' weights.

    Heads are read in the layout seqlab's attention uses (the width split into n_heads slices of d_head).
    """
    batch = 4
    width, heads, d_head = attention.d_model, attention.n_heads, attention.d_head
    draws = {
        "query": target.randn(batch, SAMPLE_LENGTH, width, offset=offset),
        "key": target.randn(batch, SAMPLE_LENGTH, width, offset=offset + 1),
    }
    x = target.randn(batch, SAMPLE_LENGTH, width, offset=offset + 2)
    weights = attention_weights(attention, x, replace=draws)
    q, k = (draws[name].view(batch, SAMPLE_LENGTH, heads, d_head).transpose(1, 2) for name in ("query", "key"))
    raw = q @ k.transpose(-2, -1)  # [B,H,T,T]: the logits before any scale
    raw_variance = raw.var(dim=-1)
    ratios = {path: probs.clamp_min(1e-300).log().var(dim=-1) / raw_variance for path, probs in weights.items()}
    return ratios, float(raw_variance.mean()), float((weights["fused"] - weights["explicit"]).abs().max())


def attention_parameters(module: torch.nn.Module) -> int:
    """Number of parameters in a module."""
    return sum(p.numel() for p in module.parameters())


def check_attention_scaling(identity: AttentionScaling, target: LiveTarget) -> CheckResult:
    """Feed each attention module N(0,1) queries and keys; from the same draws, its log-weights' variance over
    the raw logits' variance q.k is its scale squared, which must be exactly 1/d_k.

    Row-wise log-weights equal the scaled logits minus one constant per row, so with the raw logits q.k
    computed by hand from the very draws the module received, Var_row(log w) / Var_row(q.k) = s^2 for
    every row: no sampling error, so sqrt(d_k + 1) or d_k instead of sqrt(d_k) fails. Both paths are
    read: the explicit one and the fused kernel the model trains and predicts with. The sampled
    Var(q.k) (about d_k) and Var(q.k / sqrt(d_k)) (about 1) are reported beside it, as the proof's instance.
    """
    modules, note, on = attention_modules(target)
    worst = 0.0
    disagreement = 0.0
    rows = []
    raw_variances: list[float] = []
    for index, (_, module) in enumerate(modules):
        attention = exact_copy(module, target)
        d_head = attention.d_head
        ratios, raw, gap = _scale_ratios(attention, target, offset=1000 + 10 * index)
        disagreement = max(disagreement, gap)
        raw_variances.append(raw / d_head)
        for path, ratio in ratios.items():
            worst = max(worst, float((ratio * d_head - 1).abs().max()))
        effective = {path: 1 / float(ratio.mean().sqrt()) for path, ratio in ratios.items()}
        rows.append(
            f"{type(module).__name__} d_head {d_head}: logits divided by "
            + ", ".join(f"{value:.6g} ({path})" for path, value in effective.items())
            + f" (want sqrt({d_head}) = {math.sqrt(d_head):.6g}); sampled Var(q.k) {raw:.3g} (theory {d_head})"
        )
    tolerance = 1e3 * target.rounding
    detail = (
        f"{len(modules)} attention module(s), queries and keys replaced by N(0,1) entries, {SAMPLE_LENGTH} tokens; "
        "for every row, Var(log-weights) / Var(q.k by hand, same draws) on the explicit and the fused "
        "(F.scaled_dot_product_attention) path must be 1/d_k exactly; "
        + "; ".join(rows)
        + f"; fused vs explicit weights differ by {disagreement:.1e}; measured = max |ratio * d_k - 1|{note}"
    )
    passed = worst <= tolerance and disagreement <= 100 * target.rounding
    extra = {"fused vs explicit weights": disagreement, "sampled Var(q.k) / d_k": max(raw_variances)}
    return CheckResult(worst, tolerance, passed, detail, extra=extra, measured_on=on)


def check_multi_head_parameters(identity: MultiHeadParameters, target: LiveTarget) -> CheckResult:
    """Count the model's own attention modules against the formula, and build its attention class with its h
    and with one head at the same width: all three counts must agree."""
    modules, note, on = attention_modules(target)
    name, module = modules[0]
    cls = type(module)
    d = module.d_model
    heads = module.n_heads if module.n_heads > 1 else next(h for h in (4, 2, 8) if d % h == 0)
    bias = module.query.bias is not None
    many = attention_parameters(cls(d, heads, bias=bias))
    one = attention_parameters(cls(d, 1, bias=bias))
    formula = int(formulas.self_attention(d, bias))
    own = {attention_parameters(m) for _, m in modules if m.d_model == d}
    measured = float(max(abs(many - one), abs(many - formula), *(abs(count - formula) for count in own)))
    detail = (
        f"{len(modules)} attention module(s){' of the model' if on == MODEL else ''} ({name} first) hold {', '.join(f'{c:,}' for c in sorted(own))} "
        f"parameters each; new {cls.__name__}(d={d}, h={heads}) has {many:,}, (d={d}, h=1) has {one:,}; "
        f"formula 4(d^2{' + d' if bias else ''}) = {formula:,}; measured = largest difference{note}"
    )
    extra = {"multi_head": many, "single_head": one, "model's own": float(max(own))}
    # The model's own modules are counted, and new ones of its class: measured on the model when they are its.
    return CheckResult(measured, 0.0, measured == 0, detail, extra=extra, measured_on=on)
