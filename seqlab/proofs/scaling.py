"""Why attention divides by sqrt(d_k), and why h heads cost no more parameters than one wide head."""

from __future__ import annotations

import sympy as sp
from sympy.stats import E, Normal, covariance, variance

from seqlab.counting import formulas
from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class AttentionScaling(Identity):
    """q.k has variance d_k for unit-variance entries, so q.k / sqrt(d_k) has variance 1."""

    id = "attention-scaling"
    part = "attention"
    title = "dividing by sqrt(d_k) gives logits of unit variance"
    conditions = (
        "q, k in R^{d_k} with all 2 d_k entries independent, mean 0, variance 1 (any distribution; the proof uses "
        "only these moments, and Normal entries as a worked instance): Var(q . k) = d_k, so Var(q . k / sqrt(d_k)) = 1 "
        "(without the scale the softmax saturates as d_k grows)."
    )
    live_check = "seqlab.proofs.live.scaling:check_attention_scaling"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """From the moments alone (independence, mean 0, variance 1), then sympy.stats on Normal entries as an instance."""
        d = sp.Symbol("d_k", integer=True, positive=True)
        m_q, m_k, s_q, s_k = sp.symbols("E[q] E[k] E[q^2] E[k^2]", real=True)
        # Independence factors every expectation of a product into a product of expectations.
        term_var = s_q * s_k - (m_q * m_k) ** 2  # E[q^2 k^2] - E[q k]^2
        cross = (m_q * m_k) * (m_q * m_k) - (m_q * m_k) * (m_q * m_k)  # E[q_i k_i q_j k_j] - E[q_i k_i] E[q_j k_j]
        total = d * term_var + d * (d - 1) * cross
        moments = {m_q: 0, m_k: 0, s_q: 1, s_k: 1}
        general = sp.simplify(total.subs(moments))
        scaled = sp.simplify(general / sp.sqrt(d) ** 2)

        q1, k1, q2, k2 = (Normal(name, 0, 1) for name in ("q1", "k1", "q2", "k2"))
        normal_var = variance(q1 * k1)
        normal_cross = covariance(q1 * k1, q2 * k2)
        checks = [
            cross == 0,
            is_zero(general - d),
            is_zero(scaled - 1),
            E(q1 * k1) == 0 and normal_var == 1 and normal_cross == 0,
        ]
        steps = (
            ProofStep(
                "one term, independent q_i, k_i: Var(q_i k_i) = E[q_i^2] E[k_i^2] - (E[q_i] E[k_i])^2",
                eq("Var(q_i k_i)", term_var),
            ),
            ProofStep("two different terms share no variable, so independence makes them uncorrelated", eq("Cov(q_i k_i, q_j k_j)", cross)),
            ProofStep(
                "variance of the sum of d_k terms: d_k variances + d_k(d_k-1) covariances",
                eq("Var(q.k)", sp.factor(total)),
            ),
            ProofStep("with mean 0 and variance 1 (E[q] = E[k] = 0, E[q^2] = E[k^2] = 1)", eq("Var(q.k)", general)),
            ProofStep("dividing by sqrt(d_k) divides the variance by d_k", eq("Var(q.k/sqrt(dk))", scaled)),
            ProofStep(
                "instance: N(0,1) entries in sympy.stats give the same term variance and covariance",
                eq("(Var(q_i k_i), Cov)", sp.Tuple(normal_var, normal_cross)),
            ),
        )
        statement = "Var(q . k) = d_k and Var(q . k / sqrt(d_k)) = 1 for independent entries of mean 0 and variance 1"
        return ProofResult(statement, steps, all(checks))


class MultiHeadParameters(Identity):
    """h heads of width d/h have exactly the parameters of one head of width d."""

    id = "multihead-params"
    part = "attention"
    title = "h heads of width d/h cost the same parameters as one head of width d"
    conditions = (
        "model width d, h heads dividing d, each head with its own query/key/value projection d -> d/h (with "
        "bias), outputs concatenated and projected d -> d: 4(d^2 + d) parameters for every h."
    )
    live_check = "seqlab.proofs.live.scaling:check_multi_head_parameters"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Count weights and biases of both layouts for symbolic d and h; both equal the library's formula."""
        d, h = sp.symbols("d h", integer=True, positive=True)
        per_head = d * (d / h) + d / h  # one projection d -> d/h with bias
        many = 3 * h * per_head + (h * (d / h)) * d + d
        one = 3 * (d * d + d) + d * d + d
        checks = [is_zero(many - one), is_zero(sp.expand(many) - formulas.self_attention(d))]
        steps = (
            ProofStep("one head's query (or key, or value) projection d -> d/h, with bias", eq("P_head", per_head)),
            ProofStep("h heads x 3 projections, plus the output projection (h d/h) -> d", eq("P_h", many)),
            ProofStep("one head of width d", eq("P_1", one)),
            ProofStep("the difference simplifies to 0: h cancels", eq("P_h - P_1", sp.simplify(many - one))),
            ProofStep("both are", eq("P", sp.factor(sp.expand(many)))),
        )
        return ProofResult("P(h heads of width d/h) = P(1 head of width d) = 4(d^2 + d)", steps, all(checks))
