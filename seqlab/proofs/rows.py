"""Attention rows: each row of softmax weights sums to 1, its L2 norm is at most 1, and columns are free."""

from __future__ import annotations

import sympy as sp
import torch
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq
from seqlab.proofs.target import LiveTarget, attention_modules, attention_weights, exact_copy


class AttentionRows(Identity):
    """sum_j p_ij = 1, ||p_i||_2 <= 1 with equality only for a one-hot row; column sums are unconstrained."""

    id = "attention-rows"
    part = "attention"
    title = "attention rows sum to 1 and have L2 norm <= 1; columns are unconstrained"
    conditions = (
        "p_i = softmax(z_i) over the n keys a query may see (masked keys have weight 0): the row's entries are in "
        "[0, 1] and sum to 1 (L1 norm 1), so sum p_ij^2 <= sum p_ij = 1, with equality only when one weight is 1 "
        "and the rest 0 (a one-hot row, e.g. the first query under a causal mask). Nothing ties a column: a key "
        "every query likes gets a column sum near the number of queries."
    )

    def prove(self) -> ProofResult:
        """L1 for symbolic n; L2 from p - p^2 = p(1 - p) >= 0 on [0, 1] (equality iff p in {0, 1}); a 3x3 column example."""
        i, j, k = sp.symbols("i j k", integer=True, positive=True)
        n = sp.Symbol("n", integer=True, positive=True)
        z = sp.IndexedBase("z", real=True)
        denominator = sp.Sum(sp.exp(z[i, k]), (k, 1, n))  # row i's normaliser, summed over its keys k
        row_sum = sp.Sum(sp.exp(z[i, j]) / denominator, (j, 1, n))  # p_ij summed over the keys j of row i
        pulled = factor_sum(row_sum)  # 1/denominator does not depend on j: it leaves the sum
        l1 = sp.simplify(pulled.xreplace({k: j}))

        p = sp.Symbol("p", real=True)
        gap = sp.factor(p - p**2)
        where_nonnegative = sp.solve_univariate_inequality(p - p**2 >= 0, p, relational=False)
        where_equal = sp.solve(p - p**2, p)

        example = sp.Matrix([[2, 0, 0], [2, 0, 0], [2, 0, 0]])  # every query prefers key 1
        weights = sp.Matrix(3, 3, lambda r, c: sp.exp(example[r, c]) / sum(sp.exp(example[r, k]) for k in range(3)))
        column_sums = sp.Matrix([sp.simplify(sum(weights[:, c])) for c in range(3)])
        checks = [
            l1 == 1,
            where_nonnegative == sp.Interval(0, 1),
            set(where_equal) == {0, 1},
            sp.simplify(column_sums[0] - 1) != 0 and bool(column_sums[0] > 1),
        ]
        steps = (
            ProofStep("the entries of row i, summed over its n keys", eq("sum_j p_ij", row_sum)),
            ProofStep("the denominator does not depend on j: it leaves the sum and cancels", eq("sum_j p_ij", l1)),
            ProofStep("every weight is in [0, 1], where p - p^2 is never negative", eq("p - p²", gap)),
            ProofStep("sympy: p - p^2 >= 0 exactly on", eq("{p : p - p² ≥ 0}", where_nonnegative)),
            ProofStep("so sum p_ij^2 <= sum p_ij = 1: the L2 norm of a row is at most 1", "||p_i||_2^2 = sum p_ij^2 <= sum p_ij = 1"),
            ProofStep(
                "equality needs p - p^2 = 0 for every entry, i.e. each p_ij in {0, 1}; summing to 1, exactly one is 1",
                eq("{p : p - p² = 0}", sp.FiniteSet(*where_equal)),
            ),
            ProofStep(
                "the same bound, quantitatively: each p_ij <= max_j p_ij, so L2^2 reaches 1 only as the largest weight does",
                "sum_j p_ij^2 <= max_j p_ij * sum_j p_ij = max_j p_ij",
            ),
            ProofStep("columns: three queries that all prefer key 1 (logits (2, 0, 0) each)", eq("W", weights)),
            ProofStep("column sums are not 1 (the first is about 2.36)", eq("1ᵀ W", column_sums.T)),
        )
        statement = "each attention row sums to 1 and has L2 norm <= 1, = 1 only for a one-hot row; columns sum to anything"
        return ProofResult(statement, steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
        """Read every attention module's weights on both paths, with a padding mask, with and without the causal mask."""
        modules, note, on = attention_modules(target)
        parts = {"|row L1 - 1|": 0.0, "row L2 above 1": 0.0, "L2² above the largest weight": 0.0}
        lengths = torch.tensor([10, 7, 3], device=target.device)
        length = 10
        mask = torch.arange(length, device=target.device)[None, :] < lengths[:, None]
        column_low, column_high = float("inf"), float("-inf")
        one_hot_rows = rows = 0
        for index, (_, module) in enumerate(modules):
            attention = exact_copy(module, target)
            x = target.randn(3, length, attention.d_model, offset=1600 + index) * 2
            for causal in (False, True):
                for probs in attention_weights(attention, x, mask, causal).values():
                    real = mask[:, None, :].expand(probs.shape[:3])  # rows of real queries
                    l1 = probs.sum(-1)[real]
                    l2 = probs.norm(dim=-1)[real]
                    biggest = probs.max(dim=-1).values[real]
                    parts["|row L1 - 1|"] = max(parts["|row L1 - 1|"], float((l1 - 1).abs().max()))
                    parts["row L2 above 1"] = max(parts["row L2 above 1"], float((l2 - 1).clamp(min=0).max()))
                    # The quantitative form of "equality only for one-hot": sum p^2 <= max p * sum p = max p,
                    # so L2^2 can reach 1 only as fast as the largest weight does.
                    parts["L2² above the largest weight"] = max(
                        parts["L2² above the largest weight"], float((l2**2 - biggest).clamp(min=0).max())
                    )
                    one_hot_rows += int((biggest >= 1 - target.rounding).sum())
                    rows += int(real.sum())
                    keys = mask[:, None, :].expand(probs.shape[0], probs.shape[1], length)  # real key columns
                    columns = probs.masked_fill(~real[..., None], 0).sum(-2)[keys]
                    column_low, column_high = min(column_low, float(columns.min())), max(column_high, float(columns.max()))
        measured = max(parts.values())
        detail = (
            f"{len(modules)} attention module(s), float64, weights of both the explicit and the fused path, "
            f"padding mask, with and without the causal mask; {rows} real rows: max |L1 - 1| {parts['|row L1 - 1|']:.1e}, "
            f"L2 above 1 by {parts['row L2 above 1']:.1e}, L2² above the row's largest weight by "
            f"{parts['L2² above the largest weight']:.1e} (so L2 = 1 only when one weight is 1); {one_hot_rows} rows "
            f"one-hot to rounding, with L2 = 1 (such as the first query under the causal mask); column sums ranged "
            f"{column_low:.2f}..{column_high:.2f}, unconstrained{note}"
        )
        extra = {**parts, "column sum min": column_low, "column sum max": column_high, "one-hot rows": float(one_hot_rows)}
        return CheckResult(
            measured, target.rounding, measured <= target.rounding, detail, extra=extra, measured_on=on
        )
