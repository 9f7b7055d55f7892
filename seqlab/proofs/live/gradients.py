"""The live checks of seqlab.proofs.gradients (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import torch
from torch import nn

from seqlab.proofs.base import CheckResult, MODEL, STAND_IN
from seqlab.proofs.gradients import LSTMMemory, RNNGradients
from seqlab.proofs.live.recurrent import initial_state, recurrent_parts, rnn_by_hand, rnn_layout
from seqlab.proofs.target import LiveTarget, exact_copy, find_modules


STEPS = 24  # length of the live sequence
DISTANCES = (1, 4, 8, 16, 23)  # distances T - k shown in the detail
GAINS = {"vanishing": 0.5, "exploding": 1.5}  # the recurrent matrix's singular values in the two stand-ins


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


def check_rnn_gradients(identity: RNNGradients, target: LiveTarget) -> CheckResult:
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


def check_lstm_memory(identity: LSTMMemory, target: LiveTarget) -> CheckResult:
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
