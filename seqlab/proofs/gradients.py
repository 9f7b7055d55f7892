"""Gradients through time: a vanilla RNN multiplies step Jacobians (vanishing/exploding), an LSTM's cell adds."""

from __future__ import annotations

import sympy as sp
import torch
from torch import nn

from seqlab.proofs.base import MODEL, STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.recurrent import initial_state, recurrent_parts, rnn_by_hand, rnn_layout
from seqlab.proofs.target import LiveTarget, exact_copy, find_modules


STEPS = 24  # length of the live sequence
DISTANCES = (1, 4, 8, 16, 23)  # distances T - k shown in the detail
GAINS = {"vanishing": 0.5, "exploding": 1.5}  # the recurrent matrix's singular values in the two stand-ins


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

    def check(self, target: LiveTarget) -> CheckResult:
        """On tanh RNNs: autograd's dh_T/dh_k against the hand product, its norm against ||W||^(T-k), by distance."""
        found = [(name, m) for name, m in find_modules(target.model, (torch.nn.RNN,)) if m.nonlinearity == "tanh"]
        if found:
            runs = [(name, exact_copy(module, target)) for name, module in found]
            note, on = "", MODEL
        else:
            runs = [(kind, _stand_in_rnn(target, gain)) for kind, gain in GAINS.items()]
            note = (
                "; the model has no vanilla tanh RNN (seqlab's recurrent models are LSTM/GRU), so two fresh nn.RNN "
                f"were measured, W scaled to singular values {GAINS['vanishing']} and {GAINS['exploding']}"
            )
            on = STAND_IN
        product_error = bound_excess = 0.0
        curves = []
        for index, (name, rnn) in enumerate(runs):
            norms, bounds, error = _gradient_by_distance(rnn, target, offset=1700 + 10 * index)
            product_error = max(product_error, error)
            bound_excess = max(bound_excess, max(n / b - 1 for n, b in zip(norms, bounds)))
            shown = ", ".join(f"{d}: {norms[d - 1]:.1e}" for d in DISTANCES if d <= len(norms))
            rate = (norms[min(16, len(norms)) - 1] / norms[0]) ** (1 / (min(16, len(norms)) - 1))
            curves.append(f"{name}: ||dh_T/dh_k|| by distance T-k {shown} (about x{rate:.2f} per step)")
        measured = max(product_error, bound_excess)
        tolerance = 1e3 * target.rounding  # relative errors of a product of up to 23 matrices
        detail = (
            f"{len(runs)} RNN(s), {STEPS} steps from small random inputs; dh_T/dh_k by autograd for every k, "
            f"against the hand product diag(1-h^2) W ... (max relative difference {product_error:.1e}) and the bound "
            f"||W||^(T-k) (largest excess {max(bound_excess, 0.0):.1e}); " + "; ".join(curves) + note
        )
        extra = {"product error": product_error, "bound excess": bound_excess}
        return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)


def _stand_in_rnn(target: LiveTarget, gain: float) -> nn.RNN:
    """A fresh nn.RNN(16, 32) whose recurrent matrix is `gain` times an orthogonal matrix (all singular values = gain)."""
    torch.manual_seed(target.seed)
    rnn = torch.nn.RNN(16, 32, batch_first=True).to(target.device, target.dtype)
    with torch.no_grad():
        q, _ = torch.linalg.qr(target.randn(32, 32, offset=1750))
        rnn.weight_hh_l0.copy_(gain * q)
        rnn.bias_hh_l0.zero_()
        rnn.bias_ih_l0.zero_()
    return rnn


def _gradient_by_distance(rnn: nn.RNN, target: LiveTarget, offset: int) -> tuple[list[float], list[float], float]:
    """Run layer 0 step by step; for each distance T - k: ||dh_T/dh_k||_2, the bound ||W||^(T-k), and the worst
    relative difference between autograd's Jacobian and the hand product of diag(1 - h_t^2) W."""
    batch = 1
    x = target.randn(batch, STEPS, rnn.input_size, offset=offset) * 0.1
    h = (target.randn(1, batch, rnn.hidden_size, offset=offset + 1) * 0.1).requires_grad_(True)
    states = [h]
    # cuDNN's RNN backward has no batching rule (is_grads_batched vmaps it); the native kernels do, on any device
    with torch.backends.cudnn.flags(enabled=False):
        for t in range(STEPS):
            _, h = rnn(x[:, t : t + 1], h)
            states.append(h)
        final = states[-1][0, 0]  # [H]
        eye = torch.eye(rnn.hidden_size, dtype=final.dtype, device=final.device)
        grads = torch.autograd.grad(final, states[:-1], grad_outputs=eye, is_grads_batched=True, allow_unused=True)
    w = rnn.weight_hh_l0.detach()
    sigma = float(torch.linalg.matrix_norm(w, ord=2))
    norms, bounds, error = [], [], 0.0
    product = eye.clone()
    for distance in range(1, STEPS + 1):
        k = STEPS - distance
        h_next = states[k + 1].detach()[0, 0]
        product = product @ (torch.diag(1 - h_next**2) @ w)  # J_T ... J_(k+1): the new factor goes on the right
        autograd = grads[k][:, 0, 0, :] if grads[k] is not None else torch.zeros_like(product)
        scale = float(product.abs().max()) or 1.0
        error = max(error, float((autograd - product).abs().max()) / scale)
        norms.append(float(torch.linalg.matrix_norm(autograd, ord=2)))
        bounds.append(sigma**distance)
    return norms, bounds, error


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

    def check(self, target: LiveTarget) -> CheckResult:
        """One step of each LSTM (every layer, both directions): autograd's ∂c_1/∂c_0 with h_0 and x held fixed (the
        initial h is a separate input) against diag(f) recomputed by hand."""
        modules, note, on = recurrent_parts(target, torch.nn.LSTM)
        worst = 0.0
        forget = []
        layouts = []
        for index, (name, module) in enumerate(modules):
            lstm = exact_copy(module, target)
            layouts.append(f"{name}: {rnn_layout(lstm)}")
            batch = 2
            x = target.randn(batch, 1, lstm.input_size, offset=1800 + 10 * index)
            h0 = initial_state(lstm, batch, target, 1801 + 10 * index)
            c0 = initial_state(lstm, batch, target, 1802 + 10 * index)
            seq = x if lstm.batch_first else x.transpose(0, 1)
            with torch.backends.cudnn.flags(enabled=False):  # vectorize vmaps the backward: cuDNN's RNN has no rule
                jacobian = torch.autograd.functional.jacobian(lambda c: lstm(seq, (h0, c))[1][1], c0, vectorize=True)
            with torch.no_grad():
                _, _, _, steps = rnn_by_hand(lstm, x, h0, c0)  # one step per layer and direction, in index order
            for state, step in enumerate(steps):
                for b in range(batch):
                    block = jacobian[state, b, :, state, b, :]
                    worst = max(worst, float((block - torch.diag(step["f"][b])).abs().max()))
                forget.append(step["f"])
        gates = torch.cat([f.flatten() for f in forget])
        detail = (
            f"{len(modules)} LSTM(s) ({'; '.join(layouts)}), one step of every layer and direction: the partial ∂c_1/∂c_0 with "
            f"h_0 and x held fixed, by autograd (torch's own kernel) against diag(f) recomputed from the weights; max |difference| {worst:.1e}; "
            f"forget gates {float(gates.min()):.2f}..{float(gates.max()):.2f} (mean {float(gates.mean()):.2f}: "
            f"the share of the cell, and of its gradient, kept per step){note}"
        )
        return CheckResult(worst, target.rounding, worst <= target.rounding, detail, measured_on=on)

