"""Topics about recurrent networks: the RNN, LSTM/GRU gates, gradient flow, optimizers, padding and packing."""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from seqlab.explain.counts import gru_layer_params, lstm_layer_params
from seqlab.explain.topic import DemoResult, Topic, fmt, generator, round_list

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


RNN = Topic(
    id="rnn",
    title="Recurrent networks",
    summary="One cell applied at every step, carrying a hidden state from left to right.",
    idea=(
        "A recurrent network reads a sequence one token at a time and keeps a hidden state h_t that summarises "
        "what it has read; the same weights are applied at every step, so the model handles any length. A "
        "classifier reads the last state (for a bidirectional RNN, the last states of both directions "
        "concatenated). Training unrolls the loop and backpropagates through time. The steps depend on each "
        "other, so an RNN cannot be parallelised over the sequence the way attention can: its cost per layer is "
        "O(n·d²) done in n sequential steps."
    ),
    formula="h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),   h_0 = 0,   ŷ = softmax(W_o h_n + b_o)",
    misconceptions=(
        "The weights are shared across time steps; an RNN does not have one layer per token.",
        "The hidden state has a fixed size, so a long input must be compressed into it.",
        "A bidirectional RNN is not a language model: its backward direction has already read the future.",
    ),
    commands=("seqlab train --model lstm", "seqlab params lstm", "seqlab prove attention-cost"),
    demo=rnn_demo,
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


LSTM_GRU = Topic(
    id="lstm-gru",
    title="LSTM and GRU gates",
    summary="Sigmoid gates decide what to forget, write and expose; the cell state is an additive memory.",
    idea=(
        "An LSTM keeps a cell state c_t next to h_t. Three sigmoid gates in (0, 1) act elementwise: the forget "
        "gate f scales the old memory, the input gate i scales the new candidate g, and the output gate o "
        "decides how much of tanh(c_t) to show as h_t. Because c_t is updated by addition, gradients can flow "
        "across many steps when f ≈ 1. f and i are independent, so the cell can keep and write at once. The GRU "
        "merges cell and hidden state and uses two gates: reset r (how much of h_{t−1} feeds the candidate) and "
        "update z (how much old state to keep); its new state is a convex mix of old state and candidate. "
        "PyTorch stores the gates stacked in one matrix and keeps two bias vectors, b_ih and b_hh."
    ),
    formula=(
        "LSTM: i,f,o = σ(W x_t + U h_{t−1} + b),   g = tanh(W_g x_t + U_g h_{t−1} + b_g)\n"
        "      c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   params/layer = 4h(x+h) + 8h\n"
        "GRU:  r,z = σ(W x_t + U h_{t−1} + b),   n = tanh(W_n x_t + b_in + r ⊙ (U_n h_{t−1} + b_hn))\n"
        "      h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},   params/layer = 3h(x+h) + 6h"
    ),
    misconceptions=(
        "The LSTM update is not a convex combination: f + i need not equal 1 (the GRU's weights do sum to 1).",
        "Gates are vectors acting per unit, not one scalar per step.",
        "The LSTM does not remove exploding gradients; gradient clipping is still used.",
    ),
    commands=(
        "seqlab prove lstm-not-convex gru-convex",
        "seqlab check lstm-not-convex gru-convex --fresh",
        "seqlab params lstm",
        "seqlab train --model gru",
    ),
    demo=lstm_gru_demo,
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


GRADIENTS = Topic(
    id="gradients",
    title="Vanishing and exploding gradients, clipping",
    summary="Backprop through time multiplies one Jacobian per step; products shrink or blow up.",
    idea=(
        "The gradient of a late loss with respect to an early state is an ordered product of step Jacobians "
        "J_t = ∂h_t/∂h_{t−1} = diag(tanh′)·W_hh, the latest step on the left: ∂h_T/∂h_k = J_T J_{T−1} ⋯ J_{k+1} "
        "(matrices do not commute, so the order matters). Since tanh′ ≤ 1 its norm is at most ‖W_hh‖^(T−k). If their norms are below 1 the product decays exponentially "
        "(vanishing: the model cannot learn long-range dependencies); above 1 it can grow exponentially "
        "(exploding: one huge step wrecks the weights, or the loss becomes NaN). Gating (LSTM/GRU), residual "
        "connections and normalisation keep the product near 1. Gradient clipping rescales the whole gradient "
        "when its norm exceeds a threshold: it keeps the direction and bounds the step. It cures exploding, "
        "not vanishing, gradients."
    ),
    formula=(
        "∂L/∂h_k = ∂L/∂h_T · J_T J_{T−1} ⋯ J_{k+1},   J_t = diag(tanh′(a_t)) W_hh,   ‖∂h_T/∂h_k‖ ≤ ‖W_hh‖^(T−k)\n"
        "LSTM cell path: ∂c_t/∂c_{t−1} = diag(f_t)\n"
        "clip:  g ← g · min(1, τ / ‖g‖)"
    ),
    misconceptions=(
        "Clipping does not fix vanishing gradients; it only caps large ones.",
        "Norm clipping (rescale the whole vector) keeps the direction; value clipping per coordinate does not.",
        "ReLU does not remove the problem in RNNs: the repeated W_hh product still scales the gradient.",
    ),
    commands=(
        "seqlab train --model lstm --grad-clip 1.0",
        "seqlab prove rnn-gradients lstm-memory",
        "seqlab check rnn-gradients lstm-memory --fresh",
        "seqlab explain lstm-gru",
    ),
    demo=gradients_demo,
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


OPTIMIZERS = Topic(
    id="optimizers",
    title="Optimizers: SGD, momentum, Adagrad, RMSprop, Adam",
    summary="How the gradient becomes a step: plain, with momentum, or scaled per parameter.",
    idea=(
        "SGD steps against the gradient of a mini-batch, with one learning rate for all parameters; momentum "
        "averages past gradients so steps build up along consistent directions and cancel across zig-zags. "
        "Adagrad divides each coordinate by the root of its summed squared gradients, so rare features get "
        "large steps but the step size only ever shrinks. RMSprop uses an exponential moving average instead, "
        "so it does not stall. Adam combines momentum (first moment) with RMSprop scaling (second moment) and "
        "corrects both for their zero start. AdamW applies weight decay directly to the weights rather than "
        "through the gradient. Transformers are usually trained with AdamW plus warm-up and decay."
    ),
    formula=(
        "SGD:  θ ← θ − η g          momentum: v ← μv + g,  θ ← θ − η v\n"
        "Adagrad: G ← G + g²,  θ ← θ − η g / (√G + ε)     RMSprop: G ← ρG + (1−ρ) g²\n"
        "Adam: m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − η m̂ / (√v̂ + ε),   m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)"
    ),
    misconceptions=(
        "Adam is not always better: well-tuned SGD with momentum can generalise as well or better.",
        "Adagrad's effective learning rate only decreases; on long runs it can stop learning.",
        "Adam with L2 in the loss is not the same as AdamW's decoupled weight decay.",
    ),
    commands=("seqlab train --optimizer adam", "seqlab train --optimizer sgd --lr 0.1"),
    demo=optimizers_demo,
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


PADDING_PACKING = Topic(
    id="padding-packing",
    title="Padding, truncation and packed sequences",
    summary="Batches need equal lengths; pads must never leak into what the model reads.",
    idea=(
        "Sentences in a batch have different lengths, so they are truncated to a maximum length and padded with "
        "a pad id to the longest one in the batch (dynamic padding; bucketing similar lengths together wastes "
        "less compute). The model must then ignore pads: an RNN should stop at each sequence's true length "
        "(pack_padded_sequence does this and also skips the work), and attention uses a padding mask so no "
        "token attends to a pad. Pooling (mean, last token) must also use the lengths or the mask."
    ),
    formula="lengths ℓ_b = Σ_t mask[b,t],   final state = h_{ℓ_b} (not h_T),   mean = Σ_t mask·h_t / ℓ_b",
    misconceptions=(
        "Pads change the result whenever the model reads them: a backward RNN over a right-padded batch starts "
        "in the pads, a forward one ends in them; packing (or masks, for attention and pooling) makes them harmless.",
        "The pad embedding being zero does not make an RNN ignore pads: biases and the recurrence still change h.",
        "Truncation silently drops text: check the length distribution before choosing max length.",
    ),
    commands=("seqlab data stats builtin-sentiment", "seqlab explain masks"),
    demo=padding_packing_demo,
)

TOPICS: tuple[Topic, ...] = (RNN, LSTM_GRU, GRADIENTS, OPTIMIZERS, PADDING_PACKING)
