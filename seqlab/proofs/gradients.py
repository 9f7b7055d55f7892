"""Gradients through time: a vanilla RNN multiplies step Jacobians (vanishing/exploding), an LSTM's cell adds."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class RNNGradients(Identity):
    """dh_T/dh_k = J_T J_(T-1) ... J_(k+1) with J_t = diag(1 - h_t^2) W, so ||dh_T/dh_k|| <= ||W||^(T-k)."""

    id = "rnn-gradients"
    part = "vanilla RNN"
    title = "vanilla RNN: the gradient is a product of step Jacobians, bounded by ||W||^(T-k)"
    conditions = (
        "h_t = tanh(W h_(t-1) + U x_t + b): one step's Jacobian is J_t = diag(1 - h_t^2) W, and the gradient from "
        "step T back to step k is the ordered product J_T J_(T-1) ... J_(k+1) (later steps on the left). Since "
        "0 < tanh' <= 1, its spectral norm is at most ||W||_2^(T-k): it vanishes geometrically when ||W||_2 < 1; "
        "it can only explode when ||W||_2 > 1 (necessary, not sufficient: saturation shrinks tanh')."
    )
    live_check = "seqlab.proofs.live.gradients:check_rnn_gradients"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """One step's Jacobian in d = 2, the chain rule's order over two steps, and tanh' in (0, 1]."""
        w = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))
        u = sp.Matrix(sp.symbols("u1 u2", real=True))  # U x_t + b, fixed for the step
        h0 = sp.Matrix(sp.symbols("h1 h2", real=True))

        def step(h: sp.Matrix, drive: sp.Matrix) -> sp.Matrix:
            return (w * h + drive).applyfunc(sp.tanh)

        h1 = step(h0, u)
        jacobian = h1.jacobian(h0)
        claimed = sp.diag(*[1 - v**2 for v in h1]) * w
        v = sp.Matrix(sp.symbols("v1 v2", real=True))  # the second step's drive
        h2 = step(h1, v)
        j1 = claimed
        j2 = sp.diag(*[1 - e**2 for e in h2]) * w
        two_steps = h2.jacobian(h0)
        a = sp.Symbol("a", real=True)
        t = sp.Symbol("t", real=True)  # t = tanh(a) ranges over (-1, 1)
        tanh_slope = sp.diff(sp.tanh(a), a)
        at_most_one = sp.Le(1 - t**2, 1)  # t^2 >= 0 for real t: sympy decides it
        positive_on = sp.solve_univariate_inequality(1 - t**2 > 0, t, relational=False)
        numbers = dict(zip([*w, *u, *v, *h0], [sp.Rational(n, 7) for n in (3, -5, 2, 4, 1, -2, 3, 1, 2, -1)]))
        order_matters = (j1 * j2 - j2 * j1).subs(numbers).evalf()
        checks = [
            (jacobian - claimed).applyfunc(sp.expand) == sp.zeros(2, 2),
            (two_steps - j2 * j1).applyfunc(sp.expand) == sp.zeros(2, 2),
            any(abs(entry) > 1e-6 for entry in order_matters),
            is_zero(tanh_slope - (1 - sp.tanh(a) ** 2)),
            at_most_one is sp.true,
            positive_on == sp.Interval.open(-1, 1),
        ]
        steps = (
            ProofStep("one step, d = 2 (u = U x_t + b)", eq("h_t", h1)),
            ProofStep("its Jacobian with respect to h_(t-1) is diag(tanh') W", eq("dh_t/dh_(t-1)", sp.Symbol("diag(1 - h_t²) W"))),
            ProofStep("sympy: the difference from diag(1 - h_t^2) W expands to", eq("J - diag(1-h²) W", (jacobian - claimed).applyfunc(sp.expand))),
            ProofStep(
                "two steps: the chain rule puts the later Jacobian on the left (J_1 J_2 differs from it)",
                eq("dh_2/dh_0 - J_2 J_1", (two_steps - j2 * j1).applyfunc(sp.expand)),
            ),
            ProofStep("tanh' = 1 - tanh^2, and 1 - t^2 <= 1 for every real t (equality at t = tanh(0) = 0)", eq("1 - t² ≤ 1", at_most_one)),
            ProofStep("1 - t^2 > 0 exactly where tanh lives, so 0 < tanh' <= 1", eq("{t : 1 - t² > 0}", positive_on)),
            ProofStep(
                "so each factor has ||J_t|| <= ||diag(tanh')|| ||W|| <= ||W||, and the product over T - k steps",
                "||dh_T/dh_k||_2 <= ||J_T|| ... ||J_(k+1)|| <= ||W||_2^(T-k)",
            ),
        )
        statement = "dh_T/dh_k = J_T ... J_(k+1), J_t = diag(1 - h_t^2) W, and ||dh_T/dh_k||_2 <= ||W||_2^(T-k)"
        return ProofResult(statement, steps, all(checks))


class LSTMMemory(Identity):
    """The partial derivative ∂c_t/∂c_(t-1) (h_(t-1), x_t held fixed) = diag(f_t): the cell's own path is scaled by
    the forget gate, not squashed by a matrix. It is one path of the gradient, not the whole gradient."""

    id = "lstm-memory"
    part = "LSTM"
    title = "LSTM memory path: the partial ∂c_t/∂c_(t-1), h held fixed, is diag(f_t)"
    conditions = (
        "standard LSTM, c_t = f_t * c_(t-1) + i_t * g_t with the gates f, i, g computed from h_(t-1) and x_t only "
        "(no peepholes): the partial derivative with h_(t-1) and x_t held fixed is ∂c_t/∂c_(t-1) = diag(f_t). No "
        "weight matrix and no tanh' sit on this path, so with f near 1 it carries the gradient many steps unshrunk "
        "(unlike the RNN's J = diag(tanh') W). It is not the whole gradient: over several steps c_(t-1) also reaches "
        "c_t through h_(t-1) = o_(t-1) tanh(c_(t-1)) and the gates, so the total dc_T/dc_k is diag(f_T ... f_(k+1)) "
        "plus those paths."
    )
    live_check = "seqlab.proofs.live.gradients:check_lstm_memory"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Differentiate c'_k = f_k c_k + i_k g_k by c_m for symbolic units k, m; then d = 2 as a matrix."""
        k, m = sp.symbols("k m", integer=True)
        c, f, i, g = (sp.IndexedBase(name, real=True) for name in ("c", "f", "i", "g"))
        cell = f[k] * c[k] + i[k] * g[k]
        entry = sp.diff(cell, c[m])
        c1, c2 = sp.symbols("c1 c2", real=True)
        f1, f2, i1, i2, g1, g2 = sp.symbols("f1 f2 i1 i2 g1 g2", real=True)
        small = sp.Matrix([f1 * c1 + i1 * g1, f2 * c2 + i2 * g2])
        jacobian = small.jacobian(sp.Matrix([c1, c2]))
        checks = [sp.simplify(entry - f[k] * sp.KroneckerDelta(k, m)) == 0, jacobian == sp.diag(f1, f2)]
        steps = (
            ProofStep("the cell update, unit k (gates depend on h_(t-1), x_t, not on c_(t-1))", eq("c'_k", cell)),
            ProofStep("its partial derivative by unit m of the old cell, h_(t-1) and x_t held fixed",
                      eq("∂c'_k/∂c_m", entry)),
            ProofStep("so that partial Jacobian is diagonal, with the forget gate on the diagonal; d = 2",
                      eq("∂c'/∂c", jacobian)),
            ProofStep(
                "over many steps, the cell path alone contributes diag(f_T ... f_(k+1)): elementwise, no W, no tanh'; "
                "the total derivative adds the paths through h = o tanh(c) into later gates",
                "dc_T/dc_k = diag(f_T * ... * f_(k+1)) + (paths through h_t, ..., h_(T-1))",
            ),
        )
        return ProofResult("∂c_t/∂c_(t-1) = diag(f_t), the partial derivative with h_(t-1) and x_t held fixed",
                           steps, all(checks))
