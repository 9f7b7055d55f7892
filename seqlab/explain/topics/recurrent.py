"""Topics about recurrent networks: the RNN, LSTM/GRU gates, gradient flow, optimizers, padding and packing."""

from __future__ import annotations

from seqlab.explain.topic import Topic


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
    formula="h_t = tanh(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh),   h_0 = 0,   ŷ = softmax(W_o h_n + b_o)",
    misconceptions=(
        "The weights are shared across time steps; an RNN does not have one layer per token.",
        "The hidden state has a fixed size, so a long input must be compressed into it.",
        "A bidirectional RNN is not a language model: its backward direction has already read the future.",
    ),
    commands=("seqlab train --model lstm", "seqlab params lstm", "seqlab prove attention-cost"),
    demo_function="seqlab.explain.demos.recurrent:rnn_demo",
)


LSTM_GRU = Topic(
    id="lstm-gru",
    title="LSTM and GRU gates",
    summary="Sigmoid gates decide what to forget, write and expose; the cell state is an additive memory.",
    idea=(
        "An LSTM keeps a cell state c_t next to h_t. Three sigmoid gates in (0, 1) act elementwise: the forget "
        "gate f scales the old memory, the input gate i scales the new candidate g, and the output gate o "
        "decides how much of tanh(c_t) to show as h_t. Because c_t is updated by addition, the direct cell path "
        "(∂c_t/∂c_(t−1) = diag(f_t), with h_(t−1) held fixed) carries gradients across many steps when f ≈ 1. "
        "f and i are independent, so the cell can keep and write at once. The GRU "
        "merges cell and hidden state and uses two gates: reset r (how much of h_(t−1) feeds the candidate) and "
        "update z (how much old state to keep); its new state is a convex mix of old state and candidate. "
        "PyTorch stores the gates stacked in one matrix and keeps two bias vectors, b_ih and b_hh."
    ),
    formula=(
        "LSTM: i,f,o = σ(W x_t + U h_(t−1) + b),   g = tanh(W_g x_t + U_g h_(t−1) + b_g)\n"
        "      c_t = f ⊙ c_(t−1) + i ⊙ g,   h_t = o ⊙ tanh(c_t),   params/layer = 4h(x+h) + 8h\n"
        "GRU:  r,z = σ(W x_t + U h_(t−1) + b),   n = tanh(W_n x_t + b_in + r ⊙ (U_n h_(t−1) + b_hn))\n"
        "      h_t = (1 − z) ⊙ n + z ⊙ h_(t−1),   params/layer = 3h(x+h) + 6h"
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
    demo_function="seqlab.explain.demos.recurrent:lstm_gru_demo",
)


GRADIENTS = Topic(
    id="gradients",
    title="Vanishing and exploding gradients, clipping",
    summary="Backprop through time multiplies one Jacobian per step; products shrink or blow up.",
    idea=(
        "The gradient of a late loss with respect to an early state is an ordered product of step Jacobians "
        "J_t = ∂h_t/∂h_(t−1) = diag(tanh′)·W_hh, the latest step on the left: ∂h_T/∂h_k = J_T J_(T−1) ⋯ J_(k+1) "
        "(matrices do not commute, so the order matters). Since tanh′ ≤ 1 its norm is at most ‖W_hh‖^(T−k). If their norms are below 1 the product decays exponentially "
        "(vanishing: the model cannot learn long-range dependencies); above 1 it can grow exponentially "
        "(exploding: one huge step wrecks the weights, or the loss becomes NaN). Gating (LSTM/GRU), residual "
        "connections and normalisation keep the product near 1. Gradient clipping rescales the whole gradient "
        "when its norm exceeds a threshold: it keeps the direction and bounds the step. It cures exploding, "
        "not vanishing, gradients."
    ),
    formula=(
        "∂L/∂h_k = ∂L/∂h_T · J_T J_(T−1) ⋯ J_(k+1),   J_t = diag(tanh′(a_t)) W_hh,   ‖∂h_T/∂h_k‖ ≤ ‖W_hh‖^(T−k)\n"
        "LSTM cell path, partial (h_(t−1) held fixed):  ∂c_t/∂c_(t−1) = diag(f_t)\n"
        "clip:  g ← g · min(1, τ / ‖g‖)"
    ),
    misconceptions=(
        "Clipping does not fix vanishing gradients; it only caps large ones.",
        "Norm clipping (rescale the whole vector) keeps the direction; value clipping per coordinate does not.",
        "ReLU does not remove the problem in RNNs: the repeated W_hh product still scales the gradient.",
        "diag(f_t) is the LSTM's partial ∂c_t/∂c_(t−1) with h_(t−1) held fixed, not the whole gradient: the total "
        "derivative adds the paths through the gates, which read h_(t−1) = o_(t−1) ⊙ tanh(c_(t−1)).",
    ),
    commands=(
        "seqlab train --model lstm --grad-clip 1.0",
        "seqlab prove rnn-gradients lstm-memory",
        "seqlab check rnn-gradients lstm-memory --fresh",
        "seqlab explain lstm-gru",
    ),
    demo_function="seqlab.explain.demos.recurrent:gradients_demo",
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
    demo_function="seqlab.explain.demos.recurrent:optimizers_demo",
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
    formula="lengths ℓ_b = Σ_t mask[b,t],   final state = h_(ℓ_b) (not h_T),   mean = Σ_t mask·h_t / ℓ_b",
    misconceptions=(
        "Pads change the result whenever the model reads them: a backward RNN over a right-padded batch starts "
        "in the pads, a forward one ends in them; packing (or masks, for attention and pooling) makes them harmless.",
        "The pad embedding being zero does not make an RNN ignore pads: biases and the recurrence still change h.",
        "Truncation silently drops text: check the length distribution before choosing max length.",
    ),
    commands=("seqlab data stats builtin-sentiment", "seqlab explain masks"),
    demo_function="seqlab.explain.demos.recurrent:padding_packing_demo",
)

TOPICS: tuple[Topic, ...] = (RNN, LSTM_GRU, GRADIENTS, OPTIMIZERS, PADDING_PACKING)
