"""Why attention divides by sqrt(d_k), and why h heads cost no more parameters than one wide head."""

from __future__ import annotations

import math

import sympy as sp
import torch
from sympy.stats import E, Normal, covariance, variance

from seqlab.counting import formulas
from seqlab.proofs.base import MODEL, CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.target import LiveTarget, attention_modules, attention_weights, exact_copy

from torch import nn


SAMPLE_LENGTH = 128


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

    def check(self, target: LiveTarget) -> CheckResult:
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


class MultiHeadParameters(Identity):
    """h heads of width d/h have exactly the parameters of one head of width d."""

    id = "multihead-params"
    part = "attention"
    title = "h heads of width d/h cost the same parameters as one head of width d"
    conditions = (
        "model width d, h heads dividing d, each head with its own query/key/value projection d -> d/h (with "
        "bias), outputs concatenated and projected d -> d: 4(d^2 + d) parameters for every h."
    )

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

    def check(self, target: LiveTarget) -> CheckResult:
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
