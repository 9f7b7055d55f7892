"""Attention masks: a causal mask hides the future, a padding mask hides the pad tokens."""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


def _display_weights(length: int, blocked: list[list[bool]]) -> sp.Matrix:
    """The weight matrix written with e_ij = exp(logit_ij): what the proof shows (the algebra uses the full form)."""
    e = [[sp.Symbol(f"e{i + 1}{j + 1}", positive=True) for j in range(length)] for i in range(length)]
    rows = [sum(e[i][j] for j in range(length) if not blocked[i][j]) for i in range(length)]
    return sp.Matrix(length, length, lambda i, j: 0 if blocked[i][j] else e[i][j] / rows[i])


def _symbolic_attention(
    length: int, blocked: list[list[bool]]
) -> tuple[list[sp.Symbol], sp.Matrix, sp.Matrix]:
    """One-head attention over scalar tokens x_1..x_T (q = a x, k = b x, v = c x) with blocked pairs set to -oo.

    Returns the inputs, the weight matrix and the output vector, all symbolic.
    """
    a, b, c = sp.symbols("a b c", real=True)
    xs = list(sp.symbols(f"x1:{length + 1}", real=True))
    logits = sp.Matrix(length, length, lambda i, j: -sp.oo if blocked[i][j] else (a * xs[i]) * (b * xs[j]))
    exps = logits.applyfunc(sp.exp)  # exp(-oo) is exactly 0 in sympy
    weights = sp.Matrix(length, length, lambda i, j: exps[i, j] / sum(exps[i, :]))
    outputs = weights * sp.Matrix([c * x for x in xs])
    return xs, weights, outputs


SIZES_UP_TO = 4  # the symbolic proofs write the weights out for every sequence length up to this one


def _indicator_causal() -> tuple[bool, sp.Expr, sp.Expr]:
    """Any T, in indicator form: exp(-oo) = 0 turns row i's sums over j = 1..T into sums over j = 1..i.

    Returns (verified, the row sum, dy_i/dx_(i+m)) for symbolic i and m >= 1 (sympy, not a fixed T).
    """
    i, j, k, m = sp.symbols("i j k m", integer=True, positive=True)
    a, b, c = sp.symbols("a b c", real=True)
    x = sp.IndexedBase("x", real=True)
    weight = sp.exp(a * b * x[i] * x[j]) / sp.Sum(sp.exp(a * b * x[i] * x[k]), (k, 1, i))
    row_sum = sp.simplify(factor_sum(sp.Sum(weight, (j, 1, i))).xreplace({k: j}))
    later = sp.simplify(sp.diff(sp.Sum(weight * c * x[j], (j, 1, i)), x[i + m]).doit())
    return row_sum == 1 and later == 0, row_sum, later


def _indicator_padding() -> tuple[bool, sp.Expr, sp.Expr]:
    """Any T, in indicator form, R real tokens then pads: a real query i = R - n sums over the keys j = 1..R only.

    Returns (verified, the real row sum, dy_i/dx_(R+m)) for symbolic R, n >= 0, m >= 1.
    """
    j, k, m, real = sp.symbols("j k m R", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    a, b, c = sp.symbols("a b c", real=True)
    x = sp.IndexedBase("x", real=True)
    i = real - n
    weight = sp.exp(a * b * x[i] * x[j]) / sp.Sum(sp.exp(a * b * x[i] * x[k]), (k, 1, real))
    row_sum = sp.simplify(factor_sum(sp.Sum(weight, (j, 1, real))).xreplace({k: j}))
    pad = sp.simplify(sp.diff(sp.Sum(weight * c * x[j], (j, 1, real)), x[real + m]).doit())
    return row_sum == 1 and pad == 0, row_sum, pad


def _mask_facts(blocked: list[list[bool]], queries: range) -> bool:
    """For one blocked pattern: blocked weights are 0, every row sums to 1, and no output of `queries` has a
    blocked input in it."""
    length = len(blocked)
    xs, weights, outputs = _symbolic_attention(length, blocked)
    return (
        all(weights[i, j] == 0 for i in range(length) for j in range(length) if blocked[i][j])
        and all(sp.cancel(sum(weights[i, :]) - 1) == 0 for i in range(length))
        and all(sp.diff(outputs[i], xs[j]) == 0 for i in queries for j in range(length) if blocked[i][j])
    )


def _causal_facts(length: int) -> bool:
    """For one T: the masked weights are 0, rows sum to 1, and no output has a later input in it."""
    return _mask_facts([[j > i for j in range(length)] for i in range(length)], range(length))


def _padding_facts(length: int, pads: int) -> bool:
    """For one T and the last `pads` tokens padded: pad weights 0, rows sum to 1, real outputs free of pads."""
    real = length - pads
    return _mask_facts([[j >= real for j in range(length)] for _ in range(length)], range(real))


class CausalMask(Identity):
    """With the square subsequent mask, position t never sees positions after t."""

    id = "causal-mask"
    part = "attention"
    title = "causal mask: no output depends on a later input"
    conditions = (
        "logits of key j > query i set to -inf (or the most negative float) before the softmax: those weights are "
        "exactly 0, each row still sums to 1, and output t has zero Jacobian with respect to every input after t."
    )
    live_check = "seqlab.proofs.live.masks:check_causal_mask"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Symbolic one-head attention with the causal mask for every T up to SIZES_UP_TO; display T = 3."""
        checks = [_causal_facts(size) for size in range(1, SIZES_UP_TO + 1)]
        general, general_sum, general_later = _indicator_causal()
        length = 3
        blocked = [[j > i for j in range(length)] for i in range(length)]
        xs, weights, outputs = _symbolic_attention(length, blocked)
        jacobian = outputs.jacobian(sp.Matrix(xs))
        _, _, open_outputs = _symbolic_attention(length, [[False] * length for _ in range(length)])
        open_jacobian = open_outputs.jacobian(sp.Matrix(xs))
        logit_names = sp.Matrix(length, length, lambda i, j: sp.Symbol(f"l{i + 1}{j + 1}") if j <= i else -sp.oo)
        shown_weights = _display_weights(length, blocked)
        values = sp.Matrix(sp.symbols(f"v1:{length + 1}"))
        pattern = jacobian.applyfunc(lambda e: 0 if e == 0 else sp.Symbol("*"))
        size = sp.count_ops(open_jacobian[0, 2])
        steps = (
            ProofStep(
                "scalar tokens, one head: q_i = a x_i, k_j = b x_j, v_j = c x_j; the mask sets j > i to -oo",
                eq("L", logit_names),
            ),
            ProofStep(
                "softmax rows (e_ij = exp(l_ij)); exp(-oo) = 0, so the weights are lower triangular",
                eq("W", shown_weights),
            ),
            ProofStep(
                "each row sums to 1",
                eq("W 1", sp.Matrix([sp.simplify(sum(weights[i, :])) for i in range(length)])),
            ),
            ProofStep("output y = W v: y_t sums v_j over j <= t only", eq("y", shown_weights * values)),
            ProofStep("Jacobian dy_i/dx_j: zero above the diagonal (the future cannot leak)", eq("J", pattern)),
            ProofStep(
                "without the mask the same entry is a nonzero expression",
                f"dy1/dx3 = a {size}-operation expression in a, b, c, x1, x2, x3, not identically 0",
            ),
            ProofStep(
                f"the same facts written out entry by entry, checked by sympy for every T = 1..{SIZES_UP_TO}",
                f"T = 1..{SIZES_UP_TO}: W upper triangle 0, rows sum to 1, dy_t/dx_s = 0 for s > t",
            ),
            ProofStep(
                "any T (indicator form): exp(-oo) = 0 makes every sum over j = 1..T a sum over j = 1..i, so row i "
                "sums to 1 (symbolic i) ...",
                eq("sum_(j<=i) w_ij", general_sum),
            ),
            ProofStep(
                "... and y_i = sum_(j<=i) w_ij c x_j has no later input in it: its derivative by x_(i+m), m >= 1",
                eq("dy_i/dx_(i+m)", general_later),
            ),
        )
        statement = (
            f"with a causal mask, output t does not depend on inputs after t and weight rows sum to 1 "
            f"(one head, scalar tokens; sympy-verified for any T in indicator form, and written out for "
            f"T = 1..{SIZES_UP_TO})"
        )
        return ProofResult(statement, steps, all(checks) and general)


class PaddingMask(Identity):
    """With a key-padding mask, real tokens never see the pad tokens."""

    id = "padding-mask"
    part = "attention"
    title = "padding mask: real tokens ignore the pads"
    conditions = (
        "logits of every pad key set to -inf (or the most negative float) for every query: pad keys get weight "
        "exactly 0, so outputs at real positions do not depend on what the pad positions hold (ids or vectors)."
    )
    live_check = "seqlab.proofs.live.masks:check_padding_mask"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Symbolic one-head attention with the last tokens padded, every T up to SIZES_UP_TO; display T = 3, 1 pad."""
        facts = [_padding_facts(size, pads) for size in range(2, SIZES_UP_TO + 1) for pads in range(1, size)]
        length = 3
        blocked = [[j == length - 1 for j in range(length)] for _ in range(length)]
        xs, weights, outputs = _symbolic_attention(length, blocked)
        jacobian = outputs.jacobian(sp.Matrix(xs))
        checks = [all(facts)]
        steps = (
            ProofStep(
                "x3 is a pad token: the mask sets column 3 of the logits to -oo",
                eq("L[:, 3]", sp.Matrix([-sp.oo] * length)),
            ),
            ProofStep(
                "the pad column of the weights is exactly 0 (e_ij = exp(l_ij))",
                eq("W", _display_weights(length, blocked)),
            ),
            ProofStep(
                "outputs at the real positions 1, 2 (v_j = c x_j)",
                eq("y[1:2]", outputs[: length - 1, :].applyfunc(sp.simplify)),
            ),
            ProofStep(
                "they contain no x3, so dy_i/dx3 = 0 for real i",
                eq("dy[1:2]/dx3", jacobian[: length - 1, length - 1]),
            ),
        )
        general, general_sum, general_pad = _indicator_padding()
        steps = steps + (
            ProofStep(
                f"the same facts written out for every T = 2..{SIZES_UP_TO} and every number of pads, checked by sympy",
                f"T = 2..{SIZES_UP_TO}, 1..T-1 pads: pad columns 0, rows sum to 1, dy_real/dx_pad = 0",
            ),
            ProofStep(
                "any T (indicator form), R real tokens then pads: exp(-oo) = 0 leaves the keys j = 1..R, so a real "
                "query i = R - n (n >= 0) has a row summing to 1 ...",
                eq("sum_(j<=R) w_ij", general_sum),
            ),
            ProofStep("... and no pad in its output: the derivative by x_(R+m), m >= 1", eq("dy_i/dx_(R+m)", general_pad)),
        )
        statement = (
            "outputs at real positions do not depend on pad positions (one head, scalar tokens; sympy-verified for "
            f"any T and any number of pads in indicator form, and written out for T = 2..{SIZES_UP_TO})"
        )
        return ProofResult(statement, steps, all(checks) and general)
