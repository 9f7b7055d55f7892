"""Attention rows: each row of softmax weights sums to 1, its L2 norm is at most 1, and columns are free."""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


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
    live_check = "seqlab.proofs.live.rows:check_attention_rows"  # the torch half, imported on first use

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
