"""Attention output is a convex combination of the value vectors: weights >= 0 that sum to 1, so it lies in their hull."""

from __future__ import annotations

from typing import Any

import sympy as sp
import torch
from torch import nn

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq
from seqlab.proofs.capture import capture_calls, queries_with_keys, visible_keys
from seqlab.proofs.jacobian import path_weights, split_heads
from seqlab.proofs.projections import Projections
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy


class AttentionConvex(Identity):
    """o_i = sum_j p_ij v_j with p_ij >= 0 and sum_j p_ij = 1: each head's output is in the convex hull of its values."""

    id = "attention-convex"
    part = "attention"
    title = "attention output is a convex combination of the values"
    conditions = (
        "per head, before the output projection, in eval mode (training's dropout rescales the kept weights by "
        "1/(1-p), so rows no longer sum to 1): o_i = sum_j p_ij v_j with p_i = softmax over the keys query i may "
        "see, so p_ij >= 0 and sum_j p_ij = 1 and o_i lies in the convex hull of those values (in particular each "
        "coordinate is between the smallest and the largest value coordinate). A query with no key it may see "
        "outputs zeros (seqlab's rule), which is no combination at all; such rows are counted apart."
    )

    def prove(self) -> ProofResult:
        """Softmax weights are positive and sum to 1 (n = 3); with v1 <= v2 <= v3 the output is between v1 and v3."""
        es = sp.symbols("e1:4", positive=True)  # e_j = exp(z_j) > 0
        total = sum(es)
        p = [e / total for e in es]
        sums_to_one = sp.simplify(sum(p))
        positive = all(bool(w.is_positive) for w in p)
        v1 = sp.Symbol("v1", real=True)
        a, b = sp.symbols("a b", nonnegative=True)  # v2 = v1 + a, v3 = v1 + a + b: sorted values
        values = [v1, v1 + a, v1 + a + b]
        output = sum(w * v for w, v in zip(p, values))
        above_lowest = sp.factor(sp.simplify(output - values[0]))
        below_highest = sp.factor(sp.simplify(values[2] - output))
        checks = [
            sums_to_one == 1,
            positive,
            bool(above_lowest.is_nonnegative),
            bool(below_highest.is_nonnegative),
        ]
        steps = (
            ProofStep("softmax weights of three keys, e_j = exp(z_j) > 0", eq("p", sp.Matrix(p))),
            ProofStep("they sum to 1 (sympy) and each is a quotient of positives", eq("p1 + p2 + p3", sums_to_one)),
            ProofStep("so o = sum_j p_j v_j is a convex combination: the output of one head", eq("o", output)),
            ProofStep("with v1 <= v2 <= v3 (v2 = v1 + a, v3 = v1 + a + b, a, b >= 0): o - v1 is >= 0", eq("o - v1", above_lowest)),
            ProofStep("and v3 - o is >= 0: o lies between the smallest and the largest value", eq("v3 - o", below_highest)),
            ProofStep(
                "coordinate by coordinate this holds for vectors; together: o is in the convex hull of the v_j",
                "o_i in conv{v_j : key j visible to query i}",
            ),
        )
        return ProofResult("each attention head outputs a convex combination of its value vectors", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
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
