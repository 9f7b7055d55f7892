"""Topics about the Transformer block and BERT: residuals, layer norm, feed-forward, encoder vs decoder,
pretraining objectives and [CLS] pooling."""

from __future__ import annotations

from seqlab.explain.topic import Topic


RESIDUAL = Topic(
    id="residual",
    title="Residual connections: add & norm",
    summary="Each sublayer adds its output to its input, then (post-norm) layer-normalises the sum.",
    idea=(
        "Every sublayer of a Transformer block (attention, then feed-forward) is wrapped as x + Sublayer(x): "
        "the sublayer only learns a correction, and the identity path lets gradients and information skip it, "
        "so deep stacks train. The original Transformer and BERT use post-norm, LayerNorm(x + Sublayer(x)); "
        "GPT-2 and most recent models use pre-norm, x + Sublayer(LayerNorm(x)), with one final layer norm, "
        "which is more stable for deep models and needs less learning-rate warm-up. Dropout is applied to the "
        "sublayer output before the add."
    ),
    formula=(
        "post-norm:  x ← LN(x + Dropout(Sublayer(x)))\n"
        "pre-norm:   x ← x + Dropout(Sublayer(LN(x)))   (final LN after the last block)\n"
        "∂(x + f(x))/∂x = I + ∂f/∂x"
    ),
    misconceptions=(
        "'Add & norm' (post-norm) normalises the sum of input and sublayer output; pre-norm normalises the sublayer's "
        "input instead, and leaves the sum alone. Neither normalises the attention weights.",
        "Residuals do not add parameters; they need input and output of the same width.",
        "Pre-norm and post-norm blocks with the same weights compute different functions.",
    ),
    commands=("seqlab explain layer-norm", "seqlab train --model transformer"),
    demo_function="seqlab.explain.demos.transformer:residual_demo",
)


LAYER_NORM = Topic(
    id="layer-norm",
    title="Layer normalisation",
    summary="Normalise each token's vector so its d entries have mean 0 and mean square 1, then scale by γ, shift by β.",
    idea=(
        "Layer norm standardises each token's d features on their own (not across the batch): subtract their "
        "mean, divide by their standard deviation, then apply a learned per-feature scale γ and shift β. Before "
        "γ and β, the d entries of each output vector have mean 0 and mean square 1, so its Euclidean norm is exactly "
        "√d (with eps = 0 and the biased variance): all vectors lie on a sphere of radius √d in the hyperplane Σy = 0. In 2-D that "
        "leaves only the two points (1, −1) and (−1, 1), reached by every input with a ≠ b (with eps > 0, inputs "
        "near the diagonal land short of them: |y| = |a − b| / √((a − b)² + 4 eps)). It behaves the same at training and test time and "
        "for any batch size, which is why Transformers use it instead of batch norm."
    ),
    formula="LN(x) = γ ⊙ (x − μ) / √(σ² + ε) + β,   μ = (1/d) Σ xᵢ,   σ² = (1/d) Σ (xᵢ − μ)²,   ‖(x − μ)/σ‖ = √d",
    misconceptions=(
        "Layer norm does not normalise across the batch; batch norm does.",
        "Layer norm is not applied to the attention matrix; the softmax already normalises it.",
        "The norm is √d, not 1: the d entries of one vector have mean 0 and mean square 1, so their squares sum to d.",
        "Using the unbiased variance (divide by d − 1) gives norm √(d − 1); PyTorch and BERT divide by d.",
    ),
    commands=(
        "seqlab prove layernorm-norm layernorm-2d",
        "seqlab check layernorm-norm --pretrained",
        "seqlab explain residual",
    ),
    demo_function="seqlab.explain.demos.transformer:layer_norm_demo",
)


FEED_FORWARD = Topic(
    id="feed-forward",
    title="The position-wise feed-forward sublayer",
    summary="Two linear layers with a GELU between them, applied to every token on its own.",
    idea=(
        "After attention has mixed information across tokens, each block applies the same two-layer MLP to "
        "every position independently: expand the width d to d_ff (usually 4d: 3072 for bert-base), apply a "
        "non-linearity (ReLU in the original Transformer, GELU in BERT and GPT), and project back to d. It holds "
        "about two thirds of a layer's parameters and is where much of a model's stored knowledge is thought to "
        "live. Attention mixes across positions; the FFN transforms within a position."
    ),
    formula="FFN(x) = W₂ GELU(W₁ x + b₁) + b₂,   W₁ ∈ ℝ^(d_ff×d),   params = 2·d·d_ff + d_ff + d",
    misconceptions=(
        "The FFN does not mix tokens; only attention does.",
        "'Position-wise' does not mean different weights per position: the same weights are used at every position.",
    ),
    commands=("seqlab params bert-base-uncased", "seqlab explain parameters"),
    demo_function="seqlab.explain.demos.transformer:feed_forward_demo",
)


ENCODER_DECODER = Topic(
    id="encoder-decoder",
    title="Encoder vs decoder: BERT vs GPT",
    summary="Encoders see both directions and suit understanding; decoders see only the past and generate.",
    idea=(
        "An encoder-only Transformer (BERT) lets every token attend to every other, so each output is a "
        "representation of the token in its full context: good for classification, tagging and retrieval, but "
        "it cannot generate text left to right. A decoder-only Transformer (GPT) uses the causal mask, so "
        "position t only sees tokens ≤ t and can be trained to predict the next token at every position at "
        "once; it generates by feeding its own predictions back. The original Transformer has both: an encoder "
        "over the source and a decoder with causal self-attention plus cross-attention to the encoder. A "
        "decoder's body can still be reused for classification (read the last token, which has seen everything)."
    ),
    formula="encoder: h_t = f(x_1 … x_T)     decoder: h_t = f(x_1 … x_t),   p(x) = ∏_t p(x_t | x_<t)",
    misconceptions=(
        "BERT is not a generative language model; it has no left-to-right factorisation of p(x).",
        "GPT and BERT blocks are nearly the same code; the mask and the training objective make the difference.",
        "A causal classifier should pool the last real token, not the first, which has seen only itself.",
    ),
    commands=(
        "seqlab train --model lm",
        'seqlab attention --pretrained "the film was great"',
        "seqlab explain objectives",
    ),
    demo_function="seqlab.explain.demos.transformer:encoder_decoder_demo",
)


OBJECTIVES = Topic(
    id="objectives",
    title="Pretraining objectives: masked vs causal LM, NSP vs SOP",
    summary="BERT: masked LM + next sentence prediction. GPT: next token. ALBERT: sentence order.",
    idea=(
        "A causal language model predicts each token from the ones before it; every position gives a training "
        "signal. BERT's masked language model instead picks 15% of tokens and asks the model to recover them "
        "from both sides; of the picked tokens 80% become [MASK], 10% a random token and 10% stay unchanged, so "
        "the model cannot rely on seeing [MASK] at fine-tuning time. BERT also trains next sentence prediction "
        "(NSP): is segment B the real continuation of A or a random sentence? RoBERTa found NSP unhelpful and "
        "dropped it; ALBERT replaced it with sentence order prediction (SOP): two consecutive segments, in "
        "order or swapped, which forces the model to learn coherence rather than topic."
    ),
    formula=(
        "causal LM:  L = −Σ_t log p(x_t | x_<t)\n"
        "masked LM:  L = −Σ_(t∈M) log p(x_t | x_∖M),  |M| ≈ 0.15·T   (80% [MASK], 10% random, 10% kept)\n"
        "NSP / SOP:  L = −log p(y | [CLS]),  y ∈ {IsNext, NotNext} / {in order, swapped}"
    ),
    misconceptions=(
        "BERT's pretraining does not include sentence order prediction; that is ALBERT's. BERT uses MLM + NSP.",
        "Not every picked token becomes [MASK]: 10% are random and 10% are left as they are.",
        "The MLM loss is computed only on the picked positions, not on all tokens.",
        "An order-blind model scores 1/2 on SOP in expectation over the coin flips that build the pairs; on a "
        "given dev set its accuracy is binomial around 1/2 (±2.1 points on 2,210 pairs), not 1/2 to the last digit.",
    ),
    commands=(
        "seqlab train --model bert --task mlm --name mybert",
        'seqlab predict runs/mybert-... "the film was [MASK] ."',
        "seqlab train --model bert --init-from runs/mybert-...",
        "seqlab train --model lm",
        "seqlab train --model bert --task mlm --sentence-objective sop --data cfimdb --data-dir DIR",
        "seqlab prove mlm-masking mlm-loss sentence-pairs",
        "seqlab check mlm-masking mlm-loss --run=runs/mybert-...",
    ),
    demo_function="seqlab.explain.demos.transformer:objectives_demo",
)


CLS_POOLING = Topic(
    id="cls-pooling",
    title="[CLS] pooling for classification",
    summary="BERT classifies from the final vector of [CLS], passed through a tanh pooler, then a linear head.",
    idea=(
        "BERT prepends [CLS] to every input. It has no meaning of its own, so through self-attention its final "
        "vector becomes a summary of the whole input; during pretraining the NSP head reads it, which trains it "
        "to carry sentence-level information. BERT's pooler maps it through dense + tanh, and a classifier adds "
        "dropout and one linear layer to C classes. Alternatives are mean pooling over real tokens (with the "
        "padding mask), which sentence-embedding models like MiniLM use, or the last token for causal models."
    ),
    formula="pooled = tanh(W_p h_[CLS] + b_p),   logits = W_c · Dropout(pooled) + b_c,   head params = d·C + C",
    misconceptions=(
        "[CLS] is not special before training; pretraining and fine-tuning make it a summary.",
        "Without fine-tuning, raw [CLS] vectors are often worse sentence embeddings than mean pooling.",
        "Mean pooling must skip pad positions; averaging them in changes the vector with the batch's padding.",
    ),
    commands=("seqlab train --model bert-pretrained", "seqlab explain fine-tuning"),
    demo_function="seqlab.explain.demos.transformer:cls_pooling_demo",
)

TOPICS: tuple[Topic, ...] = (RESIDUAL, LAYER_NORM, FEED_FORWARD, ENCODER_DECODER, OBJECTIVES, CLS_POOLING)
