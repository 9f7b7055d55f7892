"""The quiz bank: every question with its one right answer, the explanation, and the command that backs it.

Numeric answers are computed with seqlab.explain.counts (or math), never typed in as numbers.
"""

from __future__ import annotations

import math

from seqlab.explain import counts
from seqlab.explain.questions import Question, choice, number, true_false

# Gold label counts of the SST dev split (classes 0..4), from shared/data/MANIFEST.md.
SST_DEV_COUNTS: dict[str, int] = {"0": 139, "1": 289, "2": 229, "3": 279, "4": 165}

_lstm = counts.rnn_params("lstm", 100, 128)
_gru = counts.rnn_params("gru", 100, 128)
_bilstm = counts.rnn_params("lstm", 300, 256, num_layers=2, bidirectional=True)
_attn_768 = counts.attention_params(768)
_ffn_768 = counts.ffn_params(768, 3072)
_layer_768 = counts.transformer_layer_params(768, 3072)
_bert_base = counts.bert_params()
_majority_acc, _majority_f1 = counts.majority_baseline(SST_DEV_COUNTS)
_width_ratio = counts.rnn_params("lstm", 256, 256) / counts.rnn_params("lstm", 128, 128)
# sampling: one next-token distribution, likeliest first, and what top-p 0.8 and top-k 2 keep of it
NEXT_TOKEN_PROBS: tuple[float, ...] = (0.5, 0.2, 0.15, 0.1, 0.05)
_nucleus_08 = next(n for n in range(1, len(NEXT_TOKEN_PROBS) + 1) if sum(NEXT_TOKEN_PROBS[:n]) >= 0.8)
_top2_first = NEXT_TOKEN_PROBS[0] / sum(NEXT_TOKEN_PROBS[:2])

QUESTIONS: tuple[Question, ...] = (
    # tokenization
    true_false(
        "wordpiece-unk",
        "tokenization",
        "WordPiece maps every word that is not in its vocabulary to [UNK].",
        False,
        "It splits the word into vocabulary pieces ('embeddings' -> em ##bed ##ding ##s); [UNK] appears only when "
        "some part cannot be spelled with any piece, e.g. an unknown character.",
        see=('seqlab tokenize "embeddings"',),
    ),
    choice(
        "wordpiece-hashes",
        "tokenization",
        "In BERT's WordPiece output, what does '##' at the start of a piece mean?",
        (
            "the piece continues the previous piece of the same word",
            "the piece is a special token",
            "the piece was masked for pretraining",
            "the piece is a number",
        ),
        0,
        "'##' marks a continuation piece; decoding glues it to the piece before it without a space.",
        see=('seqlab tokenize "unbelievably"',),
    ),
    choice(
        "bert-pair-layout",
        "tokenization",
        "How does BERT lay out a sentence pair (A, B)?",
        ("[CLS] A [SEP] [CLS] B", "[CLS] A [SEP] B [SEP]", "A [SEP] B [CLS]", "[SEP] A [CLS] B [SEP]"),
        1,
        "[CLS] first, [SEP] after each segment; segment ids are 0 up to and including the first [SEP], then 1.",
        see=('seqlab tokenize "a dog runs" --pair "an animal runs"',),
    ),
    # embeddings
    number(
        "embedding-params-lm",
        "embeddings",
        "How many parameters does an embedding table for a vocabulary of 50,001 words with 200 dimensions have?",
        counts.embedding_params(50001, 200),
        "One row of d = 200 numbers per vocabulary entry: V·d = 50,001 x 200 = "
        f"{counts.embedding_params(50001, 200):,}.",
        see=("seqlab params lm-transfer",),
    ),
    true_false(
        "embedding-one-hot",
        "embeddings",
        "Looking up row t of an embedding matrix E gives the same vector as multiplying the one-hot vector of t by E.",
        True,
        "one_hot(t)·E selects row t; the lookup is just a fast way to do that product, so E trains like any weight.",
    ),
    # rnn
    true_false(
        "rnn-shared-weights",
        "rnn",
        "An RNN uses a separate weight matrix for every time step of the sequence.",
        False,
        "The same W_ih, W_hh and biases are applied at every step; that is why an RNN handles any length.",
    ),
    number(
        "bilstm-feature-size",
        "rnn",
        "A bidirectional LSTM classifier with hidden size 128 concatenates the final states of both directions. "
        "How wide is the vector its linear layer reads?",
        2 * 128,
        "One final state of width 128 per direction, concatenated: 2 x 128 = 256.",
    ),
    # lstm-gru
    number(
        "lstm-params",
        "lstm-gru",
        "How many parameters does PyTorch's nn.LSTM(input_size=100, hidden_size=128) have (one layer)?",
        _lstm,
        f"4 gates x 128 x (100 + 128) weights plus two bias vectors b_ih and b_hh of 4 x 128 each: "
        f"4·128·228 + 8·128 = {_lstm:,}.",
        see=("seqlab params lstm",),
        hint="Four gates, each with input weights, recurrent weights and biases. How many bias vectors does PyTorch keep?",
        mistakes=(
            (4 * 128 * 228, "you left out the biases: PyTorch keeps two per gate, b_ih and b_hh (8·128 in all)."),
            (4 * 128 * 228 + 4 * 128, "PyTorch keeps two bias vectors, b_ih and b_hh; you counted one."),
        ),
    ),
    number(
        "gru-params",
        "lstm-gru",
        "How many parameters does PyTorch's nn.GRU(input_size=100, hidden_size=128) have (one layer)?",
        _gru,
        f"3 gates x 128 x (100 + 128) weights plus two bias vectors of 3 x 128: 3·128·228 + 6·128 = {_gru:,}.",
        see=("seqlab params gru",),
        mistakes=(
            (3 * 128 * 228, "you left out the biases: two vectors b_ih and b_hh of 3·128 each."),
            (3 * 128 * 228 + 3 * 128, "PyTorch keeps two bias vectors, b_ih and b_hh; you counted one."),
            (_lstm, "that is the LSTM's count (4 gates); a GRU has 3."),
        ),
    ),
    number(
        "bilstm-params",
        "lstm-gru",
        "How many parameters does nn.LSTM(300, 256, num_layers=2, bidirectional=True) have?",
        _bilstm,
        "Layer 1: 2 directions x (4·256·(300+256) + 8·256); layer 2 reads both directions (512 inputs): "
        f"2 x (4·256·(512+256) + 8·256). Total {_bilstm:,}.",
        see=("seqlab params lstm",),
        hint="Count layer 1 and layer 2 separately, each for both directions. What width does layer 2 read?",
        mistakes=(
            (counts.rnn_params("lstm", 300, 256, num_layers=2),
             "you counted one direction only; bidirectional doubles every layer, and layer 2 reads 512 inputs."),
            (2 * counts.lstm_layer_params(300, 256) + 2 * counts.lstm_layer_params(256, 256),
             "layer 2 reads both directions of layer 1: 512 inputs, not 256."),
            (2 * 4 * 256 * (300 + 256) + 2 * 4 * 256 * (512 + 256),
             "you left out the biases: two vectors of 4·256 per direction and layer."),
        ),
    ),
    true_false(
        "lstm-convex",
        "lstm-gru",
        "In an LSTM the forget gate and the input gate always sum to 1, so the new cell state is a weighted "
        "average of the old state and the candidate.",
        False,
        "f and i come from separate sigmoids; f + i can be anywhere in (0, 2). The GRU's (1 − z) and z do sum to 1.",
        see=("seqlab prove lstm-not-convex gru-convex",),
    ),
    choice(
        "gru-update-gate",
        "lstm-gru",
        "Which GRU gate decides how much of the previous hidden state is carried into the new state?",
        ("the reset gate r", "the update gate z", "the forget gate f", "the output gate o"),
        1,
        "h_t = (1 − z)·n + z·h_{t−1}: z mixes old state and candidate. r only controls how much of h_{t−1} enters "
        "the candidate n; f and o are LSTM gates.",
        see=("seqlab prove gru-convex",),
    ),
    # gradients
    true_false(
        "clipping-vanishing",
        "gradients",
        "Clipping the gradient norm fixes vanishing gradients.",
        False,
        "Clipping only scales gradients that are too large (exploding); small gradients pass unchanged. Gating "
        "(LSTM/GRU) and residual connections address vanishing gradients.",
    ),
    number(
        "clip-component",
        "gradients",
        "The gradient (3, 4) is clipped with clip_grad_norm_(max_norm=1). What is its first component afterwards?",
        3 / math.hypot(3, 4),
        "Its norm is 5, so it is scaled by 1/5 and keeps its direction: (0.6, 0.8).",
        tolerance=1e-3,
    ),
    # optimizers
    choice(
        "adagrad-decays",
        "optimizers",
        "Which optimizer's per-parameter step size can only shrink as training goes on?",
        ("SGD with momentum", "RMSprop", "Adagrad", "Adam"),
        2,
        "Adagrad divides by the square root of the sum of all past squared gradients, which only grows. "
        "RMSprop and Adam use moving averages, so their scale can go back up.",
        see=("seqlab train --optimizer adagrad",),
    ),
    true_false(
        "adam-moments",
        "optimizers",
        "Adam keeps, per parameter, a moving average of the gradient and a moving average of the squared gradient.",
        True,
        "The first moment m acts like momentum and the second moment v scales the step per parameter; both are "
        "bias-corrected for their zero start.",
    ),
    # padding-packing
    true_false(
        "zero-pad-safe",
        "padding-packing",
        "If the pad embedding is all zeros, an LSTM's state after reading the pads equals its state at the last real "
        "token.",
        False,
        "Each pad step still applies the biases and W_hh·h, so the state keeps changing. Pack the sequence or read "
        "the state at each example's length.",
    ),
    choice(
        "why-pack",
        "padding-packing",
        "Why use pack_padded_sequence for an LSTM classifier?",
        (
            "so the final state is taken at each sequence's true length and pad steps are skipped",
            "to shrink the vocabulary",
            "to make every batch the same size",
            "so that the LSTM can attend to all tokens",
        ),
        0,
        "Packing runs each sequence only over its real steps; h_n is then the state after its last real token.",
    ),
    # attention
    true_false(
        "norm-attention-matrix",
        "attention",
        "After the attention matrix is computed, we apply layer or batch norm to it.",
        False,
        "The softmax already normalises each row to sum to 1. Layer norm acts on token vectors, not on the attention "
        "weights: on the residual sum in a post-norm block (BERT), on the sublayer's input in a pre-norm block "
        "(GPT-2).",
        see=("seqlab explain layer-norm",),
    ),
    true_false(
        "rows-sum-one",
        "attention",
        "Each row of the attention probability matrix sums to 1.",
        True,
        "Row i is a softmax over the keys for query i, so it is a probability distribution (masked entries are 0).",
        see=("seqlab prove attention-rows",),
        hint="Which direction does the softmax run over: queries or keys?",
    ),
    true_false(
        "columns-sum-one",
        "attention",
        "Each column of the attention probability matrix sums to 1.",
        False,
        "Only rows are normalised (a softmax over the keys for each query). A column collects what every query "
        "gives one key: anything from 0 (nobody looks at it) to T (everyone looks only at it).",
        see=("seqlab prove attention-rows",),
        hint="The softmax normalises one query's weights over all keys. What constrains a key's column?",
    ),
    choice(
        "row-l2-norm",
        "attention",
        "What is true of the L2 norm (square root of the sum of squares) of one row of attention probabilities?",
        (
            "it is always exactly 1, like the sum",
            "it is at most 1, and equals 1 only when the row is one-hot",
            "it is at least 1",
            "it is always 1/√T for T keys",
        ),
        1,
        "Each pᵢ lies in [0, 1] and they sum to 1, so Σpᵢ² ≤ Σpᵢ = 1, with equality only when one pᵢ is 1. "
        "A uniform row over T keys has the smallest norm, 1/√T.",
        hint="Compare pᵢ² with pᵢ when 0 ≤ pᵢ ≤ 1; then try a uniform row and a one-hot row.",
    ),
    choice(
        "qkv-source",
        "attention",
        "In self-attention, where do queries, keys and values come from?",
        (
            "the same token vectors through three different learned projections",
            "queries from tokens, keys and values from positions only",
            "three identical copies of the token vectors",
            "keys from the previous layer's attention weights",
        ),
        0,
        "Q = XW_Q, K = XW_K, V = XW_V: one input X, three learned matrices.",
    ),
    # scaling
    number(
        "dot-variance",
        "scaling",
        "q and k have d_k = 64 independent entries, each with mean 0 and variance 1. What is the variance of q·k?",
        64 * 1 * 1,
        "q·k sums 64 independent products qᵢkᵢ, each with variance 1·1 = 1, so Var(q·k) = 64: the reason to divide "
        "by √64.",
        see=("seqlab prove attention-scaling",),
    ),
    number(
        "bert-base-scale",
        "scaling",
        "bert-base has width 768 and 12 heads. By what number are its attention logits divided?",
        math.sqrt(768 // 12),
        "The scale uses the per-head width d_k = 768 / 12 = 64, so logits are divided by √64 = 8.",
        tolerance=1e-6,
        see=("seqlab prove attention-scaling",),
    ),
    true_false(
        "scale-by-dmodel",
        "scaling",
        "Attention logits are divided by √d_model, the full width of the model.",
        False,
        "They are divided by √d_k, the width of one head (d_model / heads), because each head's dot product sums d_k "
        "terms.",
    ),
    # multi-head
    number(
        "bert-attention-params",
        "multi-head",
        "How many parameters does one bert-base self-attention sublayer have (Q, K, V and output projections "
        "with biases, width 768, 12 heads)?",
        _attn_768,
        f"Four 768 x 768 matrices and four biases of 768: 4·768² + 4·768 = {_attn_768:,}, whatever the head count.",
        mistakes=(
            (4 * 768 * 768, "you left out the four bias vectors of 768."),
            (12 * _attn_768, "heads split the 768 x 768 projections into slices; they do not multiply them by 12."),
            (3 * 768 * 768 + 3 * 768, "Q, K and V are three projections, but there is a fourth: the output projection."),
        ),
        see=("seqlab prove multihead-params", "seqlab params bert-base-uncased"),
    ),
    true_false(
        "heads-multiply-params",
        "multi-head",
        "Going from 1 head to 12 heads at the same width multiplies the attention parameters by 12.",
        False,
        "Heads split the same d x d projections into 12 slices of width d/12; the count stays 4d² + 4d.",
        see=("seqlab prove multihead-params",),
    ),
    number(
        "score-entries",
        "multi-head",
        "One layer with 12 heads reads one 512-token input. How many entries does its attention-probability tensor "
        "have?",
        counts.attention_scores_entries(12, 512),
        f"12 heads x 512 queries x 512 keys = {counts.attention_scores_entries(12, 512):,}: it grows with the square "
        "of the length.",
        see=("seqlab prove attention-cost",),
    ),
    # masks
    number(
        "causal-allowed",
        "masks",
        "A causal mask is applied to 10 tokens. How many (query, key) pairs may attend?",
        counts.causal_allowed_entries(10),
        f"The diagonal and everything below it: 10·11/2 = {counts.causal_allowed_entries(10)} of the 100 pairs.",
        see=("seqlab prove causal-mask",),
    ),
    true_false(
        "causal-self",
        "masks",
        "Under a causal mask, position i may attend to itself.",
        True,
        "The square subsequent mask allows j ≤ i, including j = i; only later positions are hidden.",
        see=("seqlab prove causal-mask",),
    ),
    choice(
        "how-masks-apply",
        "masks",
        "How is an attention mask applied?",
        (
            "multiply the probabilities by 0 after the softmax",
            "add −∞ to the forbidden logits before the softmax",
            "set the forbidden values v_j to 0",
            "delete the forbidden rows of the matrix",
        ),
        1,
        "−∞ logits become exactly 0 after the softmax and the allowed weights still sum to 1; zeroing after the "
        "softmax leaves rows that no longer sum to 1.",
        see=("seqlab prove causal-mask padding-mask",),
    ),
    true_false(
        "bert-no-padding-mask",
        "masks",
        "BERT needs no padding mask because it attends in both directions.",
        False,
        "Without it, real tokens would attend to [PAD] and their outputs would depend on how much padding the batch "
        "had.",
        see=("seqlab prove padding-mask",),
    ),
    # positions
    true_false(
        "sinusoidal-params",
        "positions",
        "Sinusoidal positional encodings add trainable parameters to the model.",
        False,
        "They are a fixed table of sines and cosines; BERT's learned position embeddings are the kind with parameters.",
        see=("seqlab prove sinusoidal-rotation",),
    ),
    true_false(
        "permutation-equivariant",
        "positions",
        "Without position information and without an attention mask, permuting the input tokens of self-attention "
        "just permutes its outputs.",
        True,
        "Unmasked attention treats its input as a set; that is why positions must be added. A causal mask breaks "
        "this (which token sees which depends on position); a padding mask permuted with its tokens keeps it.",
    ),
    number(
        "bert-position-params",
        "positions",
        "How many parameters does bert-base's learned position embedding table have (512 positions, width 768)?",
        counts.embedding_params(512, 768),
        f"512 x 768 = {counts.embedding_params(512, 768):,}; it also limits BERT to 512 tokens.",
        see=("seqlab params bert-base-uncased",),
    ),
    # residual
    choice(
        "post-norm",
        "residual",
        "What does a post-norm block (the original Transformer, BERT) compute around each sublayer?",
        ("x + LN(Sublayer(x))", "LN(x + Sublayer(x))", "Sublayer(LN(x))", "LN(Sublayer(x))"),
        1,
        "Add the sublayer output to its input, then layer-normalise the sum. Pre-norm (GPT-2) computes x + "
        "Sublayer(LN(x)).",
    ),
    true_false(
        "residual-params",
        "residual",
        "Residual connections add parameters to every block.",
        False,
        "x + f(x) is a plain addition; it only needs f's output to have the width of x.",
    ),
    # layer-norm
    number(
        "layernorm-norm-384",
        "layer-norm",
        "A LayerNorm(384) has gamma = 1, beta = 0, eps = 0 (biased variance). What is the Euclidean norm of its output "
        "for any input vector that is not constant? (two decimals)",
        math.sqrt(384),
        "The 384 entries of the output have mean 0 and mean square 1, so the sum of squares is 384 and "
        f"the norm √384 ≈ {math.sqrt(384):.2f}.",
        tolerance=0.01,
        see=("seqlab prove layernorm-norm", "seqlab check layernorm-norm --pretrained"),
    ),
    true_false(
        "layernorm-batch",
        "layer-norm",
        "Layer norm normalises each feature across the examples of the batch.",
        False,
        "That is batch norm. Layer norm normalises each token's vector across its own features, independent of the "
        "batch.",
    ),
    choice(
        "layernorm-2d",
        "layer-norm",
        "LayerNorm(2) with gamma = 1, beta = 0, eps = 0 is applied to (0.3, 2.0). What comes out?",
        ("(1, −1)", "(−1, 1)", "(0.15, 1.0)", "(0, 0)"),
        1,
        "The mean is 1.15 and the standard deviation 0.85, so the output is (−1, 1): in 2-D with eps = 0 every point "
        "with a ≠ b maps to ±(1, −1), by the sign of a − b (with eps > 0, points near the diagonal land short of "
        "the corners).",
        see=("seqlab prove layernorm-2d",),
    ),
    number(
        "layernorm-params",
        "layer-norm",
        "How many parameters does nn.LayerNorm(768) have?",
        counts.layer_norm_params(768),
        f"One gamma and one beta per feature: 2 x 768 = {counts.layer_norm_params(768):,}.",
    ),
    # feed-forward
    number(
        "bert-ffn-params",
        "feed-forward",
        "How many parameters does bert-base's feed-forward sublayer have (768 -> 3072 -> 768, with biases)?",
        _ffn_768,
        f"768·3072 + 3072 + 3072·768 + 768 = {_ffn_768:,}: about two thirds of a layer.",
        see=("seqlab params bert-base-uncased",),
    ),
    true_false(
        "ffn-mixes",
        "feed-forward",
        "The feed-forward sublayer mixes information between positions.",
        False,
        "It applies the same MLP to each position on its own; only attention moves information between positions.",
    ),
    # encoder-decoder
    true_false(
        "bert-generates",
        "encoder-decoder",
        "BERT can generate text left to right the way GPT does, because both are Transformers.",
        False,
        "BERT is trained bidirectionally with masked LM; it has no left-to-right model of p(x). GPT's causal mask "
        "and next-token objective make generation possible.",
    ),
    choice(
        "causal-pooling",
        "encoder-decoder",
        "The body of a causal (GPT-style) LM is reused as a classifier. Which position's output has seen the whole "
        "input?",
        (
            "the first token",
            "the last real token",
            "a [CLS] token at the start",
            "the mean over all positions including pads",
        ),
        1,
        "Under the causal mask only the last real token attends to every earlier token; the first has seen only "
        "itself.",
        see=("seqlab train --model lm",),
    ),
    # objectives
    true_false(
        "bert-sop",
        "objectives",
        "BERT's pre-training includes sentence order prediction.",
        False,
        "BERT uses masked LM + next sentence prediction (NSP). Sentence order prediction is ALBERT's replacement for "
        "NSP: an NSP negative pairs a sentence with one from another text (topic gives it away), an SOP negative is "
        "the real pair swapped (only the order does). Train either beside the masked LM and compare their dev "
        "accuracies: seqlab train --model bert --task mlm --sentence-objective nsp (or sop) --data cfimdb.",
        see=("seqlab train --model bert --task mlm --sentence-objective sop --data cfimdb --data-dir DIR",
             "seqlab check sentence-pairs --fresh"),
    ),
    choice(
        "mlm-mask-share",
        "objectives",
        "Of the ~15% of tokens BERT selects for masked LM, what share is replaced by the [MASK] token?",
        ("100%", "80%", "50%", "15%"),
        1,
        "80% become [MASK], 10% a random token, 10% stay unchanged, so the model cannot rely on seeing [MASK].",
    ),
    true_false(
        "mlm-loss-positions",
        "objectives",
        "In masked language modelling the loss is computed only at the selected positions.",
        True,
        "The targets are the original tokens at the ~15% selected positions; other positions carry no loss.",
    ),
    # cls-pooling
    number(
        "cls-head-params",
        "cls-pooling",
        "A linear classifier reads bert-base's pooled [CLS] vector (768) and outputs 5 classes (SST). How many "
        "parameters?",
        counts.linear_params(768, 5),
        f"768 x 5 weights + 5 biases = {counts.linear_params(768, 5):,}.",
        see=("seqlab params bert-base-uncased",),
    ),
    choice(
        "bert-pooler",
        "cls-pooling",
        "What does BERT's pooler compute?",
        ("softmax(h_[CLS])", "tanh(W·h_[CLS] + b)", "the mean of all token vectors", "the max over token vectors"),
        1,
        "A dense layer with tanh on the final [CLS] vector; the classifier head sits on top of it.",
    ),
    # fine-tuning
    true_false(
        "fine-tune-lr",
        "fine-tuning",
        "Fine-tuning updates all of BERT's weights, typically with a learning rate around 2e-5 to 5e-5.",
        True,
        "Every layer adapts to the task; a small learning rate keeps the pretrained features from being destroyed.",
    ),
    number(
        "frozen-trainable",
        "fine-tuning",
        "MiniLM (width 384) is frozen and a 2-class linear head is trained on its pooled output. How many parameters "
        "are trainable?",
        counts.linear_params(384, 2),
        f"Only the head: 384 x 2 + 2 = {counts.linear_params(384, 2)}. Everything in the frozen body has "
        "requires_grad = False.",
        see=("seqlab train --model bert-pretrained --freeze",),
    ),
    # parameters
    number(
        "bert-base-total",
        "parameters",
        "How many parameters does bert-base-uncased have, including the pooler (V = 30522, 512 positions, "
        "2 segments, 12 layers, width 768, FFN 3072)?",
        _bert_base,
        f"Embeddings (30522 + 512 + 2)·768 + 2·768, 12 layers of {_layer_768:,}, pooler 768² + 768: {_bert_base:,}.",
        see=("seqlab params bert-base-uncased",),
    ),
    number(
        "bert-layer-params",
        "parameters",
        "How many parameters does one bert-base layer have (attention, feed-forward, two layer norms)?",
        _layer_768,
        f"{_attn_768:,} (attention) + {_ffn_768:,} (FFN) + 2 x 1,536 (layer norms) = {_layer_768:,}.",
        see=("seqlab params bert-base-uncased",),
    ),
    number(
        "lm-head-params",
        "parameters",
        "An untied LM head maps width 200 to a vocabulary of 50,001 words, with a bias. How many parameters?",
        counts.linear_params(200, 50001),
        f"200 x 50,001 weights + 50,001 biases = {counts.linear_params(200, 50001):,}. "
        "Tying to the embedding would leave only the 50,001 biases.",
        see=("seqlab params lm-transfer",),
        mistakes=((200 * 50001, "you left out the output bias: one per vocabulary entry, 50,001."),),
    ),
    number(
        "tied-lm-total",
        "parameters",
        "A language model has a token embedding of 50,001 x 200 and an LM head tied to it (the same matrix, "
        "used transposed), with an output bias. How many parameters do the embedding and head hold together?",
        counts.embedding_params(50001, 200) + 50001,
        f"The tied matrix is one tensor, counted once: 50,001·200 = {counts.embedding_params(50001, 200):,}, plus "
        f"the head's 50,001 biases = {counts.embedding_params(50001, 200) + 50001:,}.",
        see=("seqlab params lm-transfer", "seqlab params lm-transfer --tied"),
        hint="Tying means the head reuses the embedding tensor. How many times is a shared tensor counted?",
        mistakes=(
            (2 * counts.embedding_params(50001, 200) + 50001,
             "you counted the tied matrix twice; the head reuses the embedding's tensor, so it is counted once."),
            (counts.embedding_params(50001, 200), "you left out the head's output bias: 50,001 more."),
        ),
    ),
    # compound-scaling
    true_false(
        "double-width",
        "compound-scaling",
        "Doubling an LSTM layer's hidden size (with its input size equal to the hidden size) roughly doubles its "
        "parameters.",
        False,
        "The weights are 4h(x + h) = 8h² when x = h, so doubling h roughly quadruples them.",
        see=("seqlab params lstm",),
    ),
    number(
        "width-ratio",
        "compound-scaling",
        "What is the ratio of parameters nn.LSTM(256, 256) / nn.LSTM(128, 128)? (two decimals)",
        _width_ratio,
        f"(4·256·512 + 8·256) / (4·128·256 + 8·128) ≈ {_width_ratio:.2f}: almost 4x, not 2x, because weights grow as "
        "h².",
        tolerance=0.01,
    ),
    # bias-probes
    choice(
        "counterfactual",
        "bias-probes",
        "What does a counterfactual bias probe change in its inputs?",
        (
            "only the protected attribute (e.g. he -> she), then compares predictions",
            "the gold labels",
            "the model's weights",
            "the whole sentence, keeping the label",
        ),
        0,
        "Everything else stays fixed, so any change in the prediction is caused by the attribute.",
    ),
    true_false(
        "probe-proves-fair",
        "bias-probes",
        "If swapping he/she never changes the predictions on five templates, the model is proven unbiased.",
        False,
        "A probe only detects bias on what it tests; other templates, names or attributes may still show gaps.",
    ),
    # metrics
    number(
        "sst-majority-accuracy",
        "metrics",
        "SST dev has 139 / 289 / 229 / 279 / 165 sentences in classes 0-4. What accuracy does always predicting "
        "the most frequent class get? (three decimals)",
        _majority_acc,
        f"289 / 1101 ≈ {_majority_acc:.3f}: the majority baseline any SST model must beat.",
        tolerance=1e-3,
        see=("seqlab evaluate RUN",),
    ),
    number(
        "sst-majority-macro-f1",
        "metrics",
        "Same SST dev split: what macro-F1 does the majority-class baseline get? (three decimals)",
        _majority_f1,
        f"Class 1 has precision 289/1101 and recall 1, so its F1 = 2PR/(P + R) ≈ {5 * _majority_f1:.3f}; the other "
        f"four classes have F1 = 0; the macro average is {5 * _majority_f1:.3f} / 5 ≈ {_majority_f1:.3f}.",
        tolerance=1e-3,
        see=("seqlab evaluate RUN",),
    ),
    number(
        "random-accuracy",
        "metrics",
        "What accuracy does guessing uniformly at random among 4 classes (Stack Overflow tags) get on average?",
        1 / 4,
        "Each guess is right with probability 1/4, whatever the class distribution.",
        tolerance=1e-3,
    ),
    true_false(
        "macro-weights",
        "metrics",
        "Macro-F1 gives each class the same weight, however rare it is.",
        True,
        "It is the plain mean of the per-class F1 scores, so rare classes count as much as frequent ones.",
    ),
    # cross-entropy
    number(
        "uniform-ce",
        "cross-entropy",
        "A 5-class model predicts the uniform distribution. What is its cross-entropy loss, in nats? (two decimals)",
        counts.uniform_cross_entropy(5),
        f"−log(1/5) = ln 5 ≈ {counts.uniform_cross_entropy(5):.3f}: the loss to expect at the very start of training "
        "on SST.",
        tolerance=0.01,
    ),
    true_false(
        "ce-takes-probs",
        "cross-entropy",
        "PyTorch's F.cross_entropy expects probabilities (softmax outputs) as its input.",
        False,
        "It expects raw logits and applies log-softmax itself; applying softmax first gives a wrong, flatter loss.",
    ),
    true_false(
        "softmax-shift",
        "cross-entropy",
        "Adding the same constant to every logit changes the softmax output.",
        False,
        "e^{z+c} / Σ e^{z+c} = e^z / Σ e^z: the constant cancels (that is how a stable softmax subtracts the max).",
        see=("seqlab prove softmax-shift",),
    ),
    # sampling
    true_false(
        "sampling-temperature-order",
        "sampling",
        "Sampling at temperature 0.5 can make a token other than the likeliest one the most probable.",
        False,
        "Dividing every logit by the same t > 0 keeps their order: the likeliest token stays the likeliest, only "
        "with more (t < 1) or less (t > 1) of the probability.",
        see=('seqlab generate RUN "the film was" --show-probs --temperature 0.5',),
        hint="Is z₁ > z₂ still true after dividing both by the same positive number?",
    ),
    number(
        "top-p-count",
        "sampling",
        "The next-token probabilities are 0.5, 0.2, 0.15, 0.1 and 0.05. How many tokens does top-p with p = 0.8 "
        "keep for the draw?",
        _nucleus_08,
        "Add the likeliest first: 0.5, 0.7, 0.85. The running total first reaches 0.8 at the third token, and "
        "top-p keeps the token that crosses p.",
        hint="Add the probabilities from the largest down and stop as soon as the total is at least 0.8.",
        mistakes=((_nucleus_08 - 1, "you stopped before the token that crosses 0.8 (0.5 + 0.2 = 0.7 < 0.8); top-p "
                                    "keeps it, so the likeliest token always survives even for a tiny p."),),
    ),
    number(
        "top-k-renormalise",
        "sampling",
        "Top-k with k = 2 on the probabilities 0.5, 0.2, 0.15, 0.1, 0.05: with what probability is the likeliest "
        "token drawn? (three decimals)",
        _top2_first,
        f"Top-k keeps 0.5 and 0.2 and renormalises by what it kept: 0.5 / 0.7 ≈ {_top2_first:.3f}.",
        tolerance=0.002,
        hint="The kept probabilities must add up to 1 again: divide by their sum.",
        mistakes=((NEXT_TOKEN_PROBS[0], "that is the probability before the cut; the draw renormalises the two "
                                        "kept tokens so they add up to 1."),),
    ),
    choice(
        "greedy-seed",
        "sampling",
        "Which `seqlab generate` setting writes the same text whatever --seed is?",
        ("--temperature 0", "--temperature 1 --top-p 0.9", "--top-k 5 --temperature 1", "--temperature 2"),
        0,
        "Temperature 0 is greedy decoding: every step takes the argmax, so nothing is drawn and the seed plays no "
        "part. Any t > 0 draws from a distribution with more than one token in it (top-k 5 keeps five).",
        see=('seqlab generate RUN "the film was" --seed 1', 'seqlab generate RUN "the film was" --seed 2'),
        hint="Which setting leaves only one token with non-zero probability at every step?",
    ),
    true_false(
        "top-p-fixed-count",
        "sampling",
        "Top-p (nucleus) sampling keeps the same number of tokens at every step, like top-k.",
        False,
        "It keeps as many tokens as it takes to reach mass p: one when the model is sure, many when it is not. "
        "Top-k always keeps k.",
        see=('seqlab generate RUN "the film was" --temperature 1 --top-p 0.9 --show-probs',),
        hint="Think of a step where the model puts 0.95 on one token, and one where it spreads evenly.",
    ),
)
