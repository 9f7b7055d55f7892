"""Topics about attention: Q/K/V, the sqrt(d_k) scale, multiple heads and their cost, masks, positions."""

from __future__ import annotations

from seqlab.explain.topic import Topic


ATTENTION = Topic(
    id="attention",
    title="Attention: queries, keys and values",
    summary="Each token mixes the values of all tokens, weighted by how well its query matches their keys.",
    idea=(
        "Each token's vector x is projected three ways: a query q (what I am looking for), a key k (what I "
        "offer to be found by) and a value v (what I pass on). The score of token i for token j is the dot "
        "product q_i·k_j; a softmax over j turns each row of scores into weights that are positive and sum "
        "to 1, and token i's output is the weighted average of the values. Every token sees every other in one "
        "step, so long-range dependencies are one hop away and the whole sequence is computed in parallel. "
        "Attention without positions and without a mask ignores order: permuting the inputs permutes the "
        "outputs (a causal mask breaks this, since which token sees which depends on position)."
    ),
    formula=(
        "Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V\n"
        "Q = XW_Q,  K = XW_K,  V = XW_V\n"
        "each row of the softmax sums to 1"
    ),
    misconceptions=(
        "The attention matrix is not layer- or batch-normalised afterwards: the softmax already normalises each row; "
        "layer norm acts on token vectors: on the residual sum in a post-norm block (BERT), on the sublayer's "
        "input in a pre-norm block (GPT-2).",
        "Attention weights are not explanations: a high weight does not prove the model's decision depends on that "
        "token.",
        "Q, K and V come from the same tokens in self-attention but through different learned projections.",
    ),
    commands=(
        'seqlab attention --pretrained "the film was great"',
        "seqlab prove softmax-shift",
        "seqlab explain scaling",
    ),
    demo_function="seqlab.explain.demos.attention:attention_demo",
)


SCALING = Topic(
    id="scaling",
    title="Why divide by √d_k",
    summary="Dot products of d_k-dim vectors have variance d_k; the scale keeps the softmax out of saturation.",
    idea=(
        "If the entries of q and k are independent with mean 0 and variance 1, q·k is a sum of d_k products "
        "each of variance 1, so its variance is d_k and its typical size √d_k. Large logits make the softmax "
        "nearly one-hot, and a saturated softmax has almost zero gradient, so training stalls. Dividing by "
        "√d_k restores unit variance for any head width. It is not a normalisation of the attention weights; "
        "it is a temperature fixed by the head width d_k = d_model / h (64 for bert-base)."
    ),
    formula="Var(q·k) = Σᵢ Var(qᵢkᵢ) = d_k   ⇒   Var(q·k / √d_k) = 1",
    misconceptions=(
        "We divide by √d_k, not d_k: the standard deviation, not the variance, grows like √d_k.",
        "d_k is the per-head width (d_model / heads), not d_model.",
        "The scale does not make rows sum to 1; the softmax does that with or without it.",
    ),
    commands=("seqlab prove attention-scaling", "seqlab check attention-scaling --fresh", "seqlab explain attention"),
    demo_function="seqlab.explain.demos.attention:scaling_demo",
)


MULTIHEAD = Topic(
    id="multi-head",
    title="Multi-head attention and its cost",
    summary="h heads of width d/h attend in parallel subspaces; same parameters as one head, T² cost.",
    idea=(
        "Instead of one attention over the full width d, the projections are split into h heads of width "
        "d/h. Each head computes its own softmax, so different heads can follow different relations (the "
        "previous token, the subject of a verb, [SEP]); their outputs are concatenated and mixed by an output "
        "projection W_O. Because the projections stay d x d in total, the parameter count 4d² + 4d does not "
        "depend on h. The cost is the T x T score matrix per head: time O(T²·d) and memory O(h·T²) per layer, "
        "which is why long inputs are expensive; fused kernels (flash attention) avoid storing it."
    ),
    formula=(
        "headᵢ = softmax(Q_i K_iᵀ / √(d/h)) V_i,   MHA(X) = [head₁; …; head_h] W_O\n"
        "params = 4(d² + d),   time O(T² d + T d²),   score memory O(h T²)"
    ),
    misconceptions=(
        "More heads do not add parameters; they split the same width into smaller subspaces.",
        "Heads are not guaranteed to specialise; many can be pruned with little loss.",
        "Only the scores are quadratic, and in T: T² d; the projections add T d², so for T < 2d a layer's "
        "cost is mostly the projections, not the T² part.",
    ),
    commands=(
        "seqlab params bert-base-uncased",
        "seqlab prove multihead-params attention-cost",
        'seqlab attention --pretrained "the film was great"',
    ),
    demo_function="seqlab.explain.demos.attention:multihead_demo",
)


MASKS = Topic(
    id="masks",
    title="Causal and padding masks",
    summary="Masks set forbidden scores to −∞ before the softmax: no looking ahead, no attending to pads.",
    idea=(
        "A mask says which keys each query may attend to. The padding (key-padding) mask hides pad positions "
        "so that real tokens' outputs do not depend on how much padding the batch needed. The causal (square "
        "subsequent) mask lets position i attend only to positions j ≤ i; a decoder needs it so that "
        "predicting token i+1 cannot use token i+1 itself. Masks are applied to the logits by adding −∞ (or a "
        "very negative number) before the softmax, so masked weights are exactly zero and each row still sums "
        "to 1. Encoders like BERT use only the padding mask; GPT-style decoders use both."
    ),
    formula=(
        "S_ij = q_i·k_j/√d_k + M_ij,   M_ij = 0 if allowed else −∞\n"
        "causal: allowed ⇔ j ≤ i\n"
        "padding: allowed ⇔ key j is a real token"
    ),
    misconceptions=(
        "Masking is done before the softmax; zeroing weights after it leaves rows that no longer sum to 1.",
        "A padding mask is needed in encoders too, not only in decoders.",
        "The causal mask does not hide the current token: position i attends to itself.",
    ),
    commands=(
        "seqlab plot masks",
        "seqlab prove causal-mask padding-mask",
        "seqlab check causal-mask padding-mask --fresh",
    ),
    demo_function="seqlab.explain.demos.attention:masks_demo",
)


POSITIONS = Topic(
    id="positions",
    title="Positional encoding",
    summary="Attention is order-blind; added position vectors (sinusoidal or learned) tell it where each token is.",
    idea=(
        "Self-attention without masks treats its input as a set: permuting the tokens permutes the outputs and "
        "nothing else (a padding mask permuted with its tokens keeps this; a causal mask breaks it, since token i "
        "then sees only the tokens before it). To use word order, a position vector is added to each token embedding. The Transformer's "
        "sinusoidal encoding uses sines and cosines of geometrically spaced frequencies: it has no parameters, "
        "PE(p+k) is a fixed rotation of PE(p) for every p, and dot products depend only on the offset k. BERT "
        "and GPT-2 learn a table of position embeddings instead (max_position_embeddings rows, 512 for BERT), "
        "which cannot go beyond its length. RNNs need none: they read in order."
    ),
    formula="PE(p, 2i) = sin(p / 10000^(2i/d)),   PE(p, 2i+1) = cos(p / 10000^(2i/d)),   x_p = E[t_p] + PE(p)",
    misconceptions=(
        "Positions are added to the embeddings, not concatenated (in the original Transformer and BERT).",
        "Sinusoidal encodings have no trainable parameters; learned ones have max_len x d.",
        "Position information is not lost after the first layer; residual connections carry it upward.",
    ),
    commands=("seqlab plot positions", "seqlab prove sinusoidal-rotation", "seqlab check sinusoidal-rotation --fresh"),
    demo_function="seqlab.explain.demos.attention:positions_demo",
)

TOPICS: tuple[Topic, ...] = (ATTENTION, SCALING, MULTIHEAD, MASKS, POSITIONS)
