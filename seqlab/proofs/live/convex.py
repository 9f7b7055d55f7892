"""The live checks of seqlab.proofs.convex (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqlab.proofs.base import CheckResult
from seqlab.proofs.capture import capture_calls, queries_with_keys, visible_keys
from seqlab.proofs.convex import AttentionConvex
from seqlab.proofs.live.jacobian import path_weights, split_heads
from seqlab.proofs.projections import Projections
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy


def context_of(attention: nn.Module, x: torch.Tensor, mask: Any, causal: bool, fused: bool) -> torch.Tensor:
    """The per-head context [B,H,T,d_head] one path of `attention` hands its output projection (hooked there)."""
    seen: list[torch.Tensor] = []
    handle = attention.out.register_forward_pre_hook(lambda _module, args: seen.append(args[0]))
    try:
        attention(x, mask, causal, not fused)
    finally:
        handle.remove()
    return split_heads(seen[0], attention)


def range_excess(context: torch.Tensor, values: torch.Tensor, visible: torch.Tensor, has_key: torch.Tensor) -> float:
    """How far any output coordinate of a query with keys lies outside [min, max] of the visible values' coordinates."""
    big = torch.finfo(values.dtype).max
    spread = values[:, :, None, :, :]  # [B,H,1,T,d]
    seen = visible[..., None]  # [B,1,T,T,1]
    highest = spread.masked_fill(~seen, -big).amax(dim=3)  # [B,H,T,d]
    lowest = spread.masked_fill(~seen, big).amin(dim=3)
    excess = torch.maximum(context - highest, lowest - context).clamp(min=0)
    return float(excess[has_key].max()) if bool(has_key.any()) else 0.0


def check_attention_convex(identity: AttentionConvex, target: LiveTarget) -> CheckResult:
    """Per module, on its real inputs and mask, both paths: the context (hooked before the output projection)
    equals P V, P >= 0, rows of P sum to 1, and each coordinate lies between the values' extremes."""
    modules, note, on = attention_modules(target)
    captured, capture_note = capture_calls(target, modules, lambda m: int(m.d_model), offset=3300)
    parts = {"negative weight": 0.0, "|row sum - 1|": 0.0, "|context - P V|": 0.0, "outside the values' range": 0.0}
    rows = empty = 0
    layouts = set()
    for part in captured:
        attention = exact_copy(part.module, target)
        projections = Projections(attention)
        layouts.add(projections.layout)
        x = part.x.to(target.dtype)
        heads = attention.n_heads
        with torch.no_grad():
            computed = projections.compute(x)
            values = split_heads(computed["value"], attention)  # [B,H,T,d_head]
            has_key = queries_with_keys(part.mask, part.causal, x.shape[0], heads, x.shape[1], target.device)
            visible = visible_keys(part.mask, part.causal, x.shape[0], x.shape[1], target.device)  # [B,1,T,T]
            rows += int(has_key.sum())
            empty += int((~has_key).sum())
            for fused in (False, True):
                context = context_of(attention, x, part.mask, part.causal, fused)
                probs = path_weights(attention, x, part, computed["query"], fused)
                scale = max(float(values.abs().max()), 1e-300)
                parts["negative weight"] = max(parts["negative weight"], float((-probs).clamp(min=0).max()))
                row_sums = probs.sum(-1)
                parts["|row sum - 1|"] = max(parts["|row sum - 1|"], float((row_sums - 1)[has_key].abs().max()))
                combined = probs @ values
                parts["|context - P V|"] = max(
                    parts["|context - P V|"], float((context - combined).abs().max()) / scale
                )
                parts["outside the values' range"] = max(
                    parts["outside the values' range"], range_excess(context, values, visible, has_key) / scale
                )
    measured = max(parts.values())
    tolerance = 10 * target.rounding
    inputs = "real hidden states" if all(part.real for part in captured) else "inputs"
    outside = parts["outside the values' range"]
    empties = f"; {empty} rows with no visible key output zeros" if empty else ""
    detail = (
        f"{len(captured)} attention module(s) ({', '.join(sorted(layouts))}) on their {inputs} with the model's "
        f"own mask, float64, explicit and fused path; the per-head context hooked before the output projection: "
        f"max |context - P V| {parts['|context - P V|']:.1e} (relative to the values), most negative weight "
        f"{parts['negative weight']:.1e}, max |row sum - 1| {parts['|row sum - 1|']:.1e} over {rows} query rows, "
        f"coordinates outside the visible values' range by {outside:.1e}{empties}{note}{capture_note}"
    )
    extra = {**parts, "rows": float(rows), "rows with no key": float(empty)}
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
