"""The worked examples of seqlab.explain.topics.recurrent, computed live with torch (seeded, never the global RNG)."""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from seqlab.explain.counts import gru_layer_params, lstm_layer_params
from seqlab.explain.demos.numbers import fmt, generator, round_list
from seqlab.explain.topic import DemoResult

M = TypeVar("M", bound=nn.Module)


def first_layer_weights(module: nn.Module) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(W_ih, W_hh, b_ih, b_hh) of layer 0 of an nn.RNN / nn.LSTM / nn.GRU, gates stacked as PyTorch stores them."""
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    w_ih, w_hh, b_ih, b_hh = (module.get_parameter(name) for name in names)
    return w_ih, w_hh, b_ih, b_hh


def _seeded_(module: M, seed: int, scale: float = 0.5) -> M:
    """Fill every parameter of `module` from a seeded generator (uniform in [-scale, scale])."""
    gen = generator(seed)
    with torch.no_grad():
        for param in module.parameters():
            param.copy_((torch.rand(param.shape, generator=gen) * 2 - 1) * scale)
    return module


@torch.no_grad()
def rnn_demo(seed: int) -> DemoResult:
    """Unroll a tanh RNN by hand for 4 steps and compare with nn.RNN."""
    torch_rnn = _seeded_(nn.RNN(3, 2, batch_first=True), seed)
    x = torch.randn(1, 4, 3, generator=generator(seed + 1))
    w_ih, w_hh, b_ih, b_hh = first_layer_weights(torch_rnn)
    h = torch.zeros(2)
    rows = []
    for t in range(4):
        h = torch.tanh(w_ih @ x[0, t] + b_ih + w_hh @ h + b_hh)
        rows.append((str(t + 1), fmt(float(h[0])), fmt(float(h[1]))))
    with torch.no_grad():
        out, _ = torch_rnn(x)
    difference = float((out[0, -1] - h).abs().max())
    return DemoResult(
        title=f"A 2-unit tanh RNN read 4 random 3-d inputs (seed {seed})",
        columns=("step t", "h_t[0]", "h_t[1]"),
        rows=tuple(rows),
        notes=(
            f"max |hand-unrolled h_4 - nn.RNN h_4| = {fmt(difference, 7)}: the same weights are used at every step.",
            "The last state h_4 is what a classifier reads; it must summarise the whole sequence.",
        ),
        values={
            "hidden_states": round_list([[float(v) for v in r[1:]] for r in rows]),
            "max_abs_difference": difference,
        },
    )


@torch.no_grad()
def lstm_gru_demo(seed: int) -> DemoResult:
    """One LSTM step and one GRU step computed gate by gate from torch's weights, checked against torch."""
    lstm = _seeded_(nn.LSTM(3, 4), seed)
    gru = _seeded_(nn.GRU(3, 4), seed + 1)
    gen = generator(seed + 2)
    x = torch.randn(3, generator=gen)
    h0 = torch.randn(4, generator=gen) * 0.5
    c0 = torch.randn(4, generator=gen) * 0.5

    # PyTorch stacks the LSTM gates as (input i, forget f, candidate g, output o).
    w_ih, w_hh, b_ih, b_hh = first_layer_weights(lstm)
    pre = w_ih @ x + b_ih + w_hh @ h0 + b_hh
    i, f, g, o = pre.chunk(4)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c1 = f * c0 + i * g
    h1 = o * torch.tanh(c1)
    with torch.no_grad():
        _, (torch_h, torch_c) = lstm(x.view(1, 1, 3), (h0.view(1, 1, 4), c0.view(1, 1, 4)))
    lstm_error = max(float((torch_h.view(4) - h1).abs().max()), float((torch_c.view(4) - c1).abs().max()))

    # GRU gates: reset r, update z, candidate n (r gates the recurrent part of n).
    w_ih, w_hh, b_ih, b_hh = first_layer_weights(gru)
    gi = w_ih @ x + b_ih
    gh = w_hh @ h0 + b_hh
    r = torch.sigmoid(gi[:4] + gh[:4])
    z = torch.sigmoid(gi[4:8] + gh[4:8])
    n = torch.tanh(gi[8:] + r * gh[8:])
    gru_h1 = (1 - z) * n + z * h0
    with torch.no_grad():
        _, torch_gru_h = gru(x.view(1, 1, 3), h0.view(1, 1, 4))
    gru_error = float((torch_gru_h.view(4) - gru_h1).abs().max())

    rows = tuple(
        (name, *(fmt(float(v)) for v in values.detach()))
        for name, values in (
            ("LSTM input i", i),
            ("LSTM forget f", f),
            ("LSTM candidate g", g),
            ("LSTM output o", o),
            ("LSTM f + i", f + i),
            ("GRU update z", z),
            ("GRU reset r", r),
        )
    )
    return DemoResult(
        title=f"One step of nn.LSTM(3, 4) and nn.GRU(3, 4), gates recomputed by hand (seed {seed})",
        columns=("gate", "unit 0", "unit 1", "unit 2", "unit 3"),
        rows=rows,
        notes=(
            f"max |hand - torch| for the LSTM (h, c): {fmt(lstm_error, 7)}; for the GRU h: {fmt(gru_error, 7)}.",
            "f + i is not 1: the LSTM cell can keep the old memory and add new content at once.",
            "The GRU's new state (1 - z)·n + z·h is a convex mix: its two weights always sum to 1.",
            f"Parameters per layer: LSTM 4h(x+h)+8h = {lstm_layer_params(3, 4)}, GRU 3h(x+h)+6h = "
            f"{gru_layer_params(3, 4)}.",
        ),
        values={
            "lstm_gates": {k: round_list(v.detach()) for k, v in {"i": i, "f": f, "g": g, "o": o}.items()},
            "gru_gates": {"z": round_list(z.detach()), "r": round_list(r.detach())},
            "lstm_max_abs_error": lstm_error,
            "gru_max_abs_error": gru_error,
            "max_abs_f_plus_i_minus_1": float((f + i - 1).abs().max()),
        },
    )


def gradients_demo(seed: int) -> DemoResult:
    """Gradient norm reaching the first input of a 30-step tanh RNN, for three recurrent weight scales."""
    steps, width = 30, 16
    gen = generator(seed)
    base = torch.randn(width, width, generator=gen) / width**0.5
    inputs = torch.randn(steps, width, generator=gen)
    rows = []
    norms: dict[str, float] = {}
    for scale in (0.5, 1.0, 3.0):
        x0 = inputs[0].clone().requires_grad_(True)
        h = torch.zeros(width)
        for t in range(steps):
            h = torch.tanh(scale * base @ h + (x0 if t == 0 else inputs[t]))
        h.sum().backward()
        assert x0.grad is not None
        norms[str(scale)] = float(x0.grad.norm())
        rows.append((f"{scale:g}", f"{norms[str(scale)]:.3e}"))
    grad = torch.tensor([3.0, 4.0])  # norm 5
    clipped = grad.clone().requires_grad_(True)
    clipped.grad = grad.clone()
    torch.nn.utils.clip_grad_norm_([clipped], max_norm=1.0)
    assert clipped.grad is not None
    return DemoResult(
        title=f"|∂ sum(h_30) / ∂ x_1| in a tanh RNN with recurrent weights scale·W (seed {seed})",
        columns=("scale", "gradient norm at step 1"),
        rows=tuple(rows),
        notes=(
            "Small recurrent weights shrink the signal at every step (vanishing); large ones first amplify it, "
            "then tanh saturates. In linear regions large weights explode.",
            f"clip_grad_norm_([3, 4], max_norm=1) -> {round_list(clipped.grad, 3)}: same direction, norm 1.",
        ),
        values={"gradient_norms": norms, "clipped": round_list(clipped.grad)},
    )


# name -> (rule, learning rate); the rules follow PyTorch's defaults for the other hyperparameters.
OPTIMIZER_SETTINGS: dict[str, tuple[str, float]] = {
    "SGD lr=0.03": ("sgd", 0.03),
    "SGD+momentum 0.9": ("momentum", 0.03),
    "Adagrad lr=0.5": ("adagrad", 0.5),
    "RMSprop lr=0.05": ("rmsprop", 0.05),
    "Adam lr=0.1": ("adam", 0.1),
}


def optimize_by_hand(rule: str, start: torch.Tensor, grad_fn, lr: float, steps: int) -> torch.Tensor:
    """Run one optimizer's update rule, written out, for `steps` steps; returns the final point."""
    point = start.clone()
    m = torch.zeros_like(point)  # momentum buffer / Adam's first moment
    v = torch.zeros_like(point)  # summed (Adagrad) or averaged (RMSprop, Adam) squared gradients
    for t in range(1, steps + 1):
        g = grad_fn(point)
        if rule == "sgd":
            point = point - lr * g
        elif rule == "momentum":
            m = 0.9 * m + g
            point = point - lr * m
        elif rule == "adagrad":
            v = v + g**2
            point = point - lr * g / (v.sqrt() + 1e-10)
        elif rule == "rmsprop":
            v = 0.99 * v + 0.01 * g**2
            point = point - lr * g / (v.sqrt() + 1e-8)
        elif rule == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
            point = point - lr * m_hat / (v_hat.sqrt() + 1e-8)
        else:
            raise ValueError(f"unknown update rule {rule!r}")
    return point


def _quadratic_grad(point: torch.Tensor) -> torch.Tensor:
    """Gradient of f(x, y) = ½(x² + 50y²)."""
    return point * torch.tensor([1.0, 50.0], dtype=point.dtype)


def optimizers_demo(seed: int) -> DemoResult:
    """Minimise the ill-conditioned quadratic ½(x² + 50y²) with five update rules from the same start."""
    start = torch.tensor([2.0, 1.0], dtype=torch.float64) + 0.1 * torch.randn(
        2, generator=generator(seed), dtype=torch.float64
    )
    rows = []
    losses: dict[str, float] = {}
    for name, (rule, lr) in OPTIMIZER_SETTINGS.items():
        point = optimize_by_hand(rule, start, _quadratic_grad, lr, steps=100)
        final = float(0.5 * (point[0] ** 2 + 50 * point[1] ** 2))
        losses[name] = final
        rows.append((name, f"{final:.2e}", fmt(float(point[0])), fmt(float(point[1]))))
    return DemoResult(
        title=f"100 steps on f(x, y) = ½(x² + 50y²) from ({fmt(float(start[0]), 2)}, {fmt(float(start[1]), 2)})",
        columns=("optimizer", "final loss", "x", "y"),
        rows=tuple(rows),
        notes=(
            "Plain SGD must keep lr < 2/50 for the steep y direction, so it crawls along the flat x direction.",
            "Momentum builds speed along x; adaptive methods divide by a per-coordinate gradient scale, so both "
            "directions move.",
            "Each rule is written out by hand here; the tests check it against torch.optim step for step.",
        ),
        values={"final_loss": losses},
    )


def padding_packing_demo(seed: int) -> DemoResult:
    """The last LSTM state of a padded sequence: read naively, read at its length, and packed."""
    lstm = _seeded_(nn.LSTM(3, 2, batch_first=True), seed)
    gen = generator(seed + 1)
    real = torch.randn(1, 3, 3, generator=gen)
    padded = torch.cat([real, torch.zeros(1, 2, 3)], dim=1)  # 3 real steps + 2 pad steps
    with torch.no_grad():
        _, (alone, _) = lstm(real)
        out_padded, (naive, _) = lstm(padded)
        at_length = out_padded[0, 2]
        _, (packed, _) = lstm(pack_padded_sequence(padded, torch.tensor([3]), batch_first=True))
    rows = (
        ("unpadded sequence (the truth)", fmt(float(alone[0, 0, 0])), fmt(float(alone[0, 0, 1]))),
        ("padded, last step (wrong)", fmt(float(naive[0, 0, 0])), fmt(float(naive[0, 0, 1]))),
        ("padded, output at length 3", fmt(float(at_length[0])), fmt(float(at_length[1]))),
        ("packed sequence h_n", fmt(float(packed[0, 0, 0])), fmt(float(packed[0, 0, 1]))),
    )
    wrong = float((naive - alone).abs().max())
    right = float((packed - alone).abs().max())
    return DemoResult(
        title=f"A length-3 sequence padded to 5, through the same nn.LSTM(3, 2) (seed {seed})",
        columns=("how the final state is read", "h[0]", "h[1]"),
        rows=rows,
        notes=(
            f"Reading after the pads is off by {fmt(wrong, 4)}; packing gives the true state (error {fmt(right, 7)}).",
            "A backward (bidirectional) direction would be wrong at every step without packing: it would start in "
            "the pads.",
        ),
        values={"naive_error": wrong, "packed_error": right},
    )
