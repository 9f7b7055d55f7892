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
        hint="Suppose 'embeddings' is not in the vocabulary but em, ##bed, ##ding and ##s are. What does WordPiece "
             "write?",
        slip="that is how a word vocabulary works ([UNK] for every unseen word); WordPiece spells an unseen word "
             "with pieces instead.",
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
        hint="Run seqlab tokenize \"unbelievably\": which pieces start with ## and which piece never does?",
        mistakes=(
            (1, "special tokens are written in brackets ([CLS], [SEP], [MASK]); ## marks a piece that is glued to "
                "the one before it."),
            (2, "masking replaces a piece by [MASK]; ## only says that the piece continues a word."),
            (3, "## has nothing to do with digits: in un ##like ##able, ##able continues the word."),
        ),
    ),
    choice(
        "bert-pair-layout",
        "tokenization",
        "How does BERT lay out a sentence pair (A, B)?",
        ("[CLS] A [SEP] [CLS] B", "[CLS] A [SEP] B [SEP]", "A [SEP] B [CLS]", "[SEP] A [CLS] B [SEP]"),
        1,
        "[CLS] first, [SEP] after each segment; segment ids are 0 up to and including the first [SEP], then 1.",
        see=('seqlab tokenize "a dog runs" --pair "an animal runs"',),
        hint="How many [CLS] tokens does one input have, and where does the pooler read it? What ends a segment?",
        mistakes=(
            (0, "there is one [CLS] per input, at position 0 where the pooler reads it; the second segment is closed "
                "by a [SEP] instead."),
            (2, "[CLS] comes first, where the pooler reads it, not at the end."),
            (3, "[CLS] and [SEP] are swapped here: [CLS] opens the input and a [SEP] closes each segment."),
        ),
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
        hint="One row per vocabulary entry. How many numbers are in a row, and does an embedding have a bias?",
        mistakes=(
            (50000 * 200, "the vocabulary has 50,001 entries (one row each), not 50,000."),
            (50001 * 200 + 200, "an embedding table has no bias: it is just the V x d matrix."),
        ),
    ),
    true_false(
        "embedding-one-hot",
        "embeddings",
        "Looking up row t of an embedding matrix E gives the same vector as multiplying the one-hot vector of t by E.",
        True,
        "one_hot(t)·E selects row t; the lookup is just a fast way to do that product, so E trains like any weight.",
        hint="Write out one_hot(t)·E for a 3-row E: which rows of E get multiplied by 0?",
        slip="a lookup and a matrix product look different, but one_hot(t)·E multiplies every row of E by 0 except "
             "row t, so they give the same vector.",
    ),
    # rnn
    true_false(
        "rnn-shared-weights",
        "rnn",
        "An RNN uses a separate weight matrix for every time step of the sequence.",
        False,
        "The same W_ih, W_hh and biases are applied at every step; that is why an RNN handles any length.",
        hint="If each step had its own matrix, how could the RNN read a sentence longer than any it was trained on?",
        slip="the unrolled picture draws a box per step, but every box is the same cell with the same weights; only "
             "the hidden state changes from step to step.",
    ),
    number(
        "bilstm-feature-size",
        "rnn",
        "A bidirectional LSTM classifier with hidden size 128 concatenates the final states of both directions. "
        "How wide is the vector its linear layer reads?",
        2 * 128,
        "One final state of width 128 per direction, concatenated: 2 x 128 = 256.",
        hint="Each direction ends with its own final state of width 128. What does concatenating two vectors do?",
        mistakes=(
            (128, "that is one direction; the forward and backward final states are concatenated: 2 x 128."),
            (4 * 128, "you concatenated h and c of both directions; the classifier reads the hidden states h only: 2 "
                      "x 128."),
        ),
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
            (counts.rnn_params("gru", 100, 128), "that is a GRU's count (3 gate blocks); an LSTM has 4: input, "
                                                 "forget, candidate and output."),
            (4 * 128 * 100 + 8 * 128, "you left out the recurrent weights W_hh (4·128·128): every gate reads the "
                                      "previous h as well as x."),
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
            (3 * 128 * 100 + 6 * 128, "you left out the recurrent weights W_hh (3·128·128): every gate reads the "
                                      "previous h as well as x."),
        ),
        hint="How many gate blocks does a GRU have? Each one reads the input and the previous state; how many bias "
             "vectors does PyTorch keep per block?",
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
            (2 * counts.lstm_layer_params(300, 256), "you counted layer 1 only; num_layers=2 stacks a second "
                                                     "bidirectional layer on top, reading 512 inputs."),
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
        hint="Are f and i computed by one shared sigmoid or by two separate ones? Compare the GRU's (1 − z) and z.",
        slip="that is the GRU, whose (1 − z) and z do sum to 1; the LSTM's f and i are two separate sigmoids.",
    ),
    choice(
        "gru-update-gate",
        "lstm-gru",
        "Which GRU gate decides how much of the previous hidden state is carried into the new state?",
        ("the reset gate r", "the update gate z", "the forget gate f", "the output gate o"),
        1,
        "h_t = (1 − z)·n + z·h_(t−1): z mixes old state and candidate. r only controls how much of h_(t−1) enters "
        "the candidate n; f and o are LSTM gates.",
        see=("seqlab prove gru-convex",),
        hint="Write the GRU's last line, h_t = ... : which gate multiplies h_(t−1) directly there?",
        mistakes=(
            (0, "the reset gate r acts inside the candidate n (how much of h_(t−1) feeds it), not on the final mix."),
            (2, "the forget gate is an LSTM gate; a GRU has only a reset gate r and an update gate z."),
            (3, "the output gate is an LSTM gate; a GRU has only a reset gate r and an update gate z."),
        ),
    ),
    # gradients
    true_false(
        "clipping-vanishing",
        "gradients",
        "Clipping the gradient norm fixes vanishing gradients.",
        False,
        "Clipping only scales gradients that are too large (exploding); small gradients pass unchanged. Gating "
        "(LSTM/GRU) and residual connections address vanishing gradients.",
        hint="Clipping rescales a gradient whose norm is above max_norm. What does it do to a gradient that is tiny?",
        slip="clipping is the cure for exploding gradients (too large); it leaves small ones as they are.",
    ),
    number(
        "clip-component",
        "gradients",
        "The gradient (3, 4) is clipped with clip_grad_norm_(max_norm=1). What is its first component afterwards?",
        3 / math.hypot(3, 4),
        "Its norm is 5, so it is scaled by 1/5 and keeps its direction: (0.6, 0.8).",
        tolerance=1e-3,
        hint="Compute the norm of (3, 4) first. Clipping divides the whole vector by norm / max_norm.",
        mistakes=(
            (1, "that clips each component to 1 (clip_grad_value_); clip_grad_norm_ rescales the whole vector to "
                "norm 1 and keeps its direction."),
            (3, "the norm of (3, 4) is 5, above max_norm = 1, so the vector is scaled down."),
            (3 / 7, "you divided by the L1 norm 3 + 4 = 7; clip_grad_norm_ uses the L2 norm √(3² + 4²) = 5."),
        ),
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
        hint="Which method divides by a sum of squared gradients that never forgets, rather than by a moving average?",
        mistakes=(
            (0, "SGD with momentum has one step size for all parameters (the learning rate); nothing in it shrinks "
                "per parameter."),
            (1, "RMSprop divides by a moving average of squared gradients, which can fall again, so its step can "
                "grow back."),
            (3, "Adam's second moment is a moving average too, so its per-parameter step can grow back."),
        ),
    ),
    true_false(
        "adam-moments",
        "optimizers",
        "Adam keeps, per parameter, a moving average of the gradient and a moving average of the squared gradient.",
        True,
        "The first moment m acts like momentum and the second moment v scales the step per parameter; both are "
        "bias-corrected for their zero start.",
        hint="Adam combines momentum with RMSprop's per-parameter scale. What does each of those keep?",
        slip="that is momentum alone (or RMSprop alone); Adam keeps both moving averages, m and v.",
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
        hint="Write one LSTM step with x = 0. Which terms of the gates still act on the state?",
        slip="a zero input removes only the W_ih·x term; the biases and W_hh·h still act at every pad step.",
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
        hint="What is h_n of a short sentence that was padded to the length of the batch's longest one?",
        mistakes=(
            (1, "packing does not touch the vocabulary; it decides which time steps the LSTM runs."),
            (2, "padding is what makes a batch rectangular; packing then lets the LSTM skip the pad steps."),
            (3, "an LSTM does not attend; packing only decides which steps it runs over."),
        ),
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
        hint="What does the softmax already guarantee about each row? And what does layer norm act on in a block?",
        slip="normalisation layers act on token vectors (the residual stream); the attention weights are already "
             "normalised by their softmax.",
    ),
    true_false(
        "rows-sum-one",
        "attention",
        "Each row of the attention probability matrix sums to 1.",
        True,
        "Row i is a softmax over the keys for query i, so it is a probability distribution (masked entries are 0).",
        see=("seqlab prove attention-rows",),
        hint="Which direction does the softmax run over: queries or keys?",
        slip="you may be picturing the matrix the other way round: rows are queries, and each query's softmax runs "
             "over all keys.",
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
        slip="that treats the softmax as if it ran over queries; it runs over the keys of each query, so only rows "
             "are normalised.",
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
        mistakes=(
            (0, "the sum is 1, but squaring numbers in [0, 1] makes them smaller: Σpᵢ² ≤ Σpᵢ = 1."),
            (2, "squares of numbers in [0, 1] are at most the numbers, so the norm is at most 1, not at least."),
            (3, "1/√T is the norm of the uniform row only, the smallest possible; a one-hot row has norm 1."),
        ),
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
        hint="Self-attention has one input X. If Q, K and V all come from X, what makes a query differ from a key?",
        mistakes=(
            (1, "positions enter by being added to the token vectors; K and V are projections of the same vectors as "
                "Q."),
            (2, "identical copies would leave no room to learn what to look for; Q, K and V are three learned "
                "projections of X."),
            (3, "keys are projections of this layer's input vectors, not of any attention weights."),
        ),
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
        hint="q·k is a sum of 64 products qᵢkᵢ. What is the variance of one product, and how do variances of "
             "independent terms combine?",
        mistakes=(
            (8, "8 = √64 is the standard deviation of q·k; its variance is 64, which is why logits are divided by "
                "√64."),
            (1, "one product qᵢkᵢ has variance 1, but q·k adds 64 independent ones, and variances add."),
            (64 * 64, "that is 64²; 64 independent terms of variance 1 add up to a variance of 64."),
        ),
    ),
    number(
        "bert-base-scale",
        "scaling",
        "bert-base has width 768 and 12 heads. By what number are its attention logits divided?",
        math.sqrt(768 // 12),
        "The scale uses the per-head width d_k = 768 / 12 = 64, so logits are divided by √64 = 8.",
        tolerance=1e-6,
        see=("seqlab prove attention-scaling",),
        hint="The scale comes from the width of one head's dot product. What is that width, and is the divisor that "
             "width or its square root?",
        mistakes=(
            (768 // 12, "64 is d_k, the width of one head; logits are divided by its square root."),
            (768, "768 is d_model, and the divisor is a square root: of the per-head width 768 / 12."),
            (math.sqrt(768), "√768 uses the full width d_model; each head's dot product has only d_k = 768 / 12 = 64 "
                             "terms."),
            (12, "12 is the number of heads; the divisor is √d_k, the square root of the head width."),
        ),
    ),
    true_false(
        "scale-by-dmodel",
        "scaling",
        "Attention logits are divided by √d_model, the full width of the model.",
        False,
        "They are divided by √d_k, the width of one head (d_model / heads), because each head's dot product sums d_k "
        "terms.",
        hint="Each head computes its own q·k. How many terms are in that dot product?",
        slip="that mixes up d_model with d_k: each head's dot product sums d_k = d_model / heads terms.",
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
        hint="Count the projections (queries, keys, values and the output), each a 768 x 768 matrix with a bias. Do "
             "the heads change the count?",
    ),
    true_false(
        "heads-multiply-params",
        "multi-head",
        "Going from 1 head to 12 heads at the same width multiplies the attention parameters by 12.",
        False,
        "Heads split the same d x d projections into 12 slices of width d/12; the count stays 4d² + 4d.",
        see=("seqlab prove multihead-params",),
        hint="With 12 heads of width 64, what shape has one head's query projection? Stack the 12: what do you get?",
        slip="each head does not get its own 768 x 768 projections; the heads share out one 768 x 768 matrix in "
             "slices of 64.",
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
        hint="Each head has its own matrix of probabilities: one row per query, one column per key.",
        mistakes=(
            (512 * 512, "that is one head's matrix; each of the 12 heads has its own 512 x 512."),
            (12 * 512, "each head has a full matrix, one row per query and one column per key: 512 x 512."),
        ),
    ),
    # masks
    number(
        "causal-allowed",
        "masks",
        "A causal mask is applied to 10 tokens. How many (query, key) pairs may attend?",
        counts.causal_allowed_entries(10),
        f"The diagonal and everything below it: 10·11/2 = {counts.causal_allowed_entries(10)} of the 100 pairs.",
        see=("seqlab prove causal-mask",),
        hint="Draw the 10 x 10 grid of (query i, key j): which pairs does the mask allow? Count row by row.",
        mistakes=(
            (10 * 9 // 2, "you left out the diagonal: a position may attend to itself (j ≤ i), 10 more pairs."),
            (10 * 10, "that is every pair; the causal mask hides each query's later keys."),
            (10 * 10 // 2, "half the grid is 50, but the diagonal belongs wholly to the allowed side: 45 below it + "
                           "10 on it."),
        ),
    ),
    true_false(
        "causal-self",
        "masks",
        "Under a causal mask, position i may attend to itself.",
        True,
        "The square subsequent mask allows j ≤ i, including j = i; only later positions are hidden.",
        see=("seqlab prove causal-mask",),
        hint="Is the causal mask j < i or j ≤ i? What would the first position attend to under each?",
        slip="the causal mask hides only later positions; if it hid j = i too, position 0 would attend to nothing.",
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
        hint="After masking, each row must still be a distribution that sums to 1. Which option keeps that?",
        mistakes=(
            (0, "zeroing after the softmax leaves rows that sum to less than 1; −∞ before the softmax gives the same "
                "zeros and keeps the sum at 1."),
            (2, "a zero value v_j still takes its share of the softmax, so the allowed weights no longer sum to 1."),
            (3, "rows are queries: deleting them drops outputs; a mask hides keys, entries inside each row."),
        ),
    ),
    true_false(
        "bert-no-padding-mask",
        "masks",
        "BERT needs no padding mask because it attends in both directions.",
        False,
        "Without it, real tokens would attend to [PAD] and their outputs would depend on how much padding the batch "
        "had.",
        see=("seqlab prove padding-mask",),
        hint="Without a mask, could a real token's softmax give weight to a [PAD] key?",
        slip="attending in both directions makes the mask more needed, not less: every real token would see the "
             "[PAD] keys.",
    ),
    # positions
    true_false(
        "sinusoidal-params",
        "positions",
        "Sinusoidal positional encodings add trainable parameters to the model.",
        False,
        "They are a fixed table of sines and cosines; BERT's learned position embeddings are the kind with parameters.",
        see=("seqlab prove sinusoidal-rotation",),
        hint="Are sin(pos / 10000^(2i/d)) and cos(...) learned, or computed from the position?",
        slip="that confuses the fixed sinusoidal table with learned position embeddings (BERT's 512 x 768).",
    ),
    true_false(
        "permutation-equivariant",
        "positions",
        "Without position information and without an attention mask, permuting the input tokens of self-attention "
        "just permutes its outputs.",
        True,
        "Unmasked attention treats its input as a set; that is why positions must be added. A causal mask breaks "
        "this (which token sees which depends on position); a padding mask permuted with its tokens keeps it.",
        hint="Without positions or a mask, does anything in softmax(QKᵀ/√d_k)·V depend on where a token sits?",
        slip="you may be thinking of a model with positions or a causal mask; bare attention treats its input as a "
             "set.",
    ),
    number(
        "bert-position-params",
        "positions",
        "How many parameters does bert-base's learned position embedding table have (512 positions, width 768)?",
        counts.embedding_params(512, 768),
        f"512 x 768 = {counts.embedding_params(512, 768):,}; it also limits BERT to 512 tokens.",
        see=("seqlab params bert-base-uncased",),
        hint="One learned vector per position, as wide as the model.",
        mistakes=(
            (512, "512 is the number of rows; each row is a 768-wide vector: 512 x 768."),
            (0, "sinusoidal tables have no parameters, but BERT learns its position embeddings."),
            (512 * 768 + 768, "an embedding table has no bias: 512 x 768."),
        ),
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
        hint="'Post' means the layer norm comes after the residual addition. Where is the addition in each option?",
        mistakes=(
            (0, "x + LN(Sublayer(x)) normalises only the sublayer's output; post-norm normalises the sum."),
            (2, "Sublayer(LN(x)) is the pre-norm half (GPT-2's x + Sublayer(LN(x))), and it drops the residual."),
            (3, "without x + ... there is no residual connection at all."),
        ),
    ),
    true_false(
        "residual-params",
        "residual",
        "Residual connections add parameters to every block.",
        False,
        "x + f(x) is a plain addition; it only needs f's output to have the width of x.",
        hint="Write the block as x + f(x). Which part of that needs weights?",
        slip="the parameters of a block are all inside f; the residual is a plain addition.",
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
        hint="After this layer norm the 384 outputs have mean 0 and variance 1. What is their sum of squares?",
        mistakes=(
            (1, "each entry has mean square 1, which is not a norm of 1: the sum of squares is 384."),
            (384, "384 is the sum of squares; the Euclidean norm is its square root."),
            (math.sqrt(383), "√383 comes from the unbiased variance (divide by n − 1); nn.LayerNorm divides by n."),
        ),
    ),
    true_false(
        "layernorm-batch",
        "layer-norm",
        "Layer norm normalises each feature across the examples of the batch.",
        False,
        "That is batch norm. Layer norm normalises each token's vector across its own features, independent of the "
        "batch.",
        hint="To normalise one token's vector, does layer norm need any other example of the batch?",
        slip="that is batch norm; layer norm computes its mean and variance over each token's own features.",
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
        hint="Compute the mean and standard deviation of (0.3, 2.0), then (x − mean) / std for each entry. Which "
             "entry is below the mean?",
        mistakes=(
            (0, "the signs are swapped: 0.3 is below the mean 1.15, so it maps to −1."),
            (2, "(0.15, 1.0) is the input halved; layer norm subtracts the mean and divides by the standard "
                "deviation."),
            (3, "only a constant input has nothing left after subtracting the mean; here 0.3 ≠ 2.0."),
        ),
    ),
    number(
        "layernorm-params",
        "layer-norm",
        "How many parameters does nn.LayerNorm(768) have?",
        counts.layer_norm_params(768),
        f"One gamma and one beta per feature: 2 x 768 = {counts.layer_norm_params(768):,}.",
        hint="The mean and variance are computed from the input. What does LayerNorm learn, per feature?",
        mistakes=(
            (768, "you counted one of the two vectors; LayerNorm learns a gamma and a beta per feature."),
            (0, "the mean and variance are computed, but gamma (scale) and beta (shift) are learned."),
        ),
    ),
    # feed-forward
    number(
        "bert-ffn-params",
        "feed-forward",
        "How many parameters does bert-base's feed-forward sublayer have (768 -> 3072 -> 768, with biases)?",
        _ffn_768,
        f"768·3072 + 3072 + 3072·768 + 768 = {_ffn_768:,}: about two thirds of a layer.",
        see=("seqlab params bert-base-uncased",),
        hint="Two linear layers, 768 -> 3072 and 3072 -> 768, each with one bias per output.",
        mistakes=(
            (2 * 768 * 3072, "you left out the biases: 3,072 for the first layer and 768 for the second."),
            (768 * 3072 + 3072, "that is the first layer only; the FFN has a second one, 3072 -> 768."),
            (2 * (768 * 3072 + 3072), "the second layer's bias has 768 entries (its output width), not 3,072."),
        ),
    ),
    true_false(
        "ffn-mixes",
        "feed-forward",
        "The feed-forward sublayer mixes information between positions.",
        False,
        "It applies the same MLP to each position on its own; only attention moves information between positions.",
        hint="Does the FFN's input at position i include anything from position j?",
        slip="that is attention's job; the FFN applies the same MLP to each position on its own.",
    ),
    # encoder-decoder
    true_false(
        "bert-generates",
        "encoder-decoder",
        "BERT can generate text left to right the way GPT does, because both are Transformers.",
        False,
        "BERT is trained bidirectionally with masked LM; it has no left-to-right model of p(x). GPT's causal mask "
        "and next-token objective make generation possible.",
        hint="What was BERT trained to predict, and could a token see the tokens to its right during that training?",
        slip="sharing the architecture is not sharing the training: BERT never learned to predict the next token "
             "from the left context alone.",
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
        hint="Under a causal mask, which position attends to all the others?",
        mistakes=(
            (0, "under the causal mask the first token sees only itself."),
            (2, "a [CLS] at the start would see only itself under a causal mask; that trick needs BERT's "
                "bidirectional attention."),
            (3, "averaging over pads mixes in positions that carry no text."),
        ),
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
        hint="BERT pretrains with masked LM and one sentence-pair task. Which one, and which later model (ALBERT) "
             "replaced it?",
        slip="you may be thinking of ALBERT; BERT's pair task is next sentence prediction (NSP).",
    ),
    choice(
        "mlm-mask-share",
        "objectives",
        "Of the ~15% of tokens BERT selects for masked LM, what share is replaced by the [MASK] token?",
        ("100%", "80%", "50%", "15%"),
        1,
        "80% become [MASK], 10% a random token, 10% stay unchanged, so the model cannot rely on seeing [MASK].",
        hint="Of the selected tokens, some become [MASK], some a random token, some stay as they are. Why not turn "
             "them all into [MASK]?",
        mistakes=(
            (0, "if every selected token became [MASK], the model could rely on seeing [MASK], which never appears "
                "when it is fine-tuned."),
            (2, "BERT's split is 80 / 10 / 10, not half and half."),
            (3, "15% is the share of all tokens selected for prediction; of those, most become [MASK]."),
        ),
    ),
    true_false(
        "mlm-loss-positions",
        "objectives",
        "In masked language modelling the loss is computed only at the selected positions.",
        True,
        "The targets are the original tokens at the ~15% selected positions; other positions carry no loss.",
        hint="A position's target is its original token. Which positions have a target that the input does not show?",
        slip="a loss at every position would reward copying the visible tokens; only the selected positions have a "
             "target.",
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
        hint="A linear layer from 768 inputs to 5 outputs: a weight matrix and one bias per output.",
        mistakes=(
            (768 * 5, "you forgot the 5 biases: nn.Linear(768, 5) has 768·5 weights + 5 biases."),
            (768 * 5 + 768, "the bias has one entry per output class (5), not per input feature (768)."),
            (counts.linear_params(768, 768) + counts.linear_params(768, 5),
             "that adds the pooler (768 x 768 + 768); the question asks only for the classifier on top of it."),
        ),
    ),
    choice(
        "bert-pooler",
        "cls-pooling",
        "What does BERT's pooler compute?",
        ("softmax(h_[CLS])", "tanh(W·h_[CLS] + b)", "the mean of all token vectors", "the max over token vectors"),
        1,
        "A dense layer with tanh on the final [CLS] vector; the classifier head sits on top of it.",
        hint="The pooler is one dense layer on the final [CLS] vector. Which nonlinearity did BERT put there?",
        mistakes=(
            (0, "softmax is the classifier's last step, over the classes; the pooler comes before it."),
            (2, "mean pooling is a common alternative (sentence-transformers), but BERT's pooler reads only [CLS]."),
            (3, "max pooling is another alternative; BERT's pooler reads only [CLS]."),
        ),
    ),
    # fine-tuning
    true_false(
        "fine-tune-lr",
        "fine-tuning",
        "Fine-tuning updates all of BERT's weights, typically with a learning rate around 2e-5 to 5e-5.",
        True,
        "Every layer adapts to the task; a small learning rate keeps the pretrained features from being destroyed.",
        hint="Fine-tuning, unlike freezing, lets every layer change. What would a large learning rate do to the "
             "pretrained weights?",
        slip="that describes freezing (only the head trains, --freeze); fine-tuning updates every layer, gently.",
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
        hint="A frozen body has requires_grad = False everywhere. What does a 384 -> 2 linear layer hold?",
        mistakes=(
            (384 * 2, "you forgot the 2 biases: 384·2 weights + 2 biases."),
            (384 * 2 + 384, "the bias has one entry per class (2), not per input feature (384)."),
        ),
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
        hint="Add the embeddings (token, position and segment tables and their layer norm), 12 identical layers, and "
             "the pooler.",
        mistakes=(
            (_bert_base - counts.linear_params(768, 768), "you left out the pooler (768² + 768 = 590,592)."),
            (_bert_base - counts.embedding_params(512, 768), "you left out the 512 x 768 position embeddings."),
        ),
    ),
    number(
        "bert-layer-params",
        "parameters",
        "How many parameters does one bert-base layer have (attention, feed-forward, two layer norms)?",
        _layer_768,
        f"{_attn_768:,} (attention) + {_ffn_768:,} (FFN) + 2 x 1,536 (layer norms) = {_layer_768:,}.",
        see=("seqlab params bert-base-uncased",),
        hint="One attention sublayer, one feed-forward sublayer and two LayerNorm(768).",
        mistakes=(
            (_attn_768 + _ffn_768, "you left out the two layer norms (2 x 1,536)."),
            (_attn_768 + _ffn_768 + counts.layer_norm_params(768),
             "a bert-base layer has two layer norms, one after attention and one after the FFN."),
        ),
    ),
    number(
        "lm-head-params",
        "parameters",
        "An untied LM head maps width 200 to a vocabulary of 50,001 words, with a bias. How many parameters?",
        counts.linear_params(200, 50001),
        f"200 x 50,001 weights + 50,001 biases = {counts.linear_params(200, 50001):,}. "
        "Tying to the embedding would leave only the 50,001 biases.",
        see=("seqlab params lm-transfer",),
        mistakes=(
            (200 * 50001, "you left out the output bias: one per vocabulary entry, 50,001."),
            (200 * 50001 + 200, "the bias has one entry per output (50,001), not per input (200)."),
        ),
        hint="A linear layer from 200 to 50,001 outputs: the weights plus one bias per output.",
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
        hint="With x = h, write the weight count 4h(x + h) in terms of h alone. How does it grow with h?",
        slip="that treats the count as linear in the width, but h grows both sides of every weight matrix.",
    ),
    number(
        "width-ratio",
        "compound-scaling",
        "What is the ratio of parameters nn.LSTM(256, 256) / nn.LSTM(128, 128)? (two decimals)",
        _width_ratio,
        f"(4·256·512 + 8·256) / (4·128·256 + 8·128) ≈ {_width_ratio:.2f}: almost 4x, not 2x, because weights grow as "
        "h².",
        tolerance=0.01,
        hint="Compute both counts with 4h(x + h) + 8h, or reason from how the weights grow with h.",
        mistakes=(
            (2, "the count grows like h² (8h² + 8h), so doubling h gives almost 4x, not 2x."),
            (4, "4 holds for the weights alone; the 8h biases only double, so the ratio is a little under 4."),
        ),
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
        hint="To blame a change in the prediction on one attribute, what must stay fixed?",
        mistakes=(
            (1, "changing the gold labels tests nothing about the model; the probe edits an input attribute."),
            (2, "the probe leaves the model alone and edits its inputs."),
            (3, "changing the whole sentence changes many things at once: you could not tell which one moved the "
                "prediction."),
        ),
    ),
    true_false(
        "probe-proves-fair",
        "bias-probes",
        "If swapping he/she never changes the predictions on five templates, the model is proven unbiased.",
        False,
        "A probe only detects bias on what it tests; other templates, names or attributes may still show gaps.",
        hint="Can a test on five templates and one pair of words speak for every sentence, name and attribute?",
        slip="a probe can show a bias, never prove its absence: it says nothing about what it did not test.",
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
        hint="Find the largest class count and divide it by the number of dev sentences.",
        mistakes=(
            (1 / 5, "1/5 is what random guessing among 5 classes expects; the majority baseline always picks the "
                    "largest class."),
            (279 / 1101, "279 is class 3; the most frequent class is class 1, with 289."),
        ),
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
        hint="Work out precision, recall and F1 of the one class that is always predicted; the other four are never "
             "predicted. Then average over all 5.",
        mistakes=(
            (5 * _majority_f1, "that is the F1 of the majority class alone; macro-F1 averages it with the four zeros "
                               "of the other classes."),
            (_majority_acc, "that is the accuracy; macro-F1 averages per-class F1 scores, four of which are 0 here."),
        ),
    ),
    number(
        "random-accuracy",
        "metrics",
        "What accuracy does guessing uniformly at random among 4 classes (Stack Overflow tags) get on average?",
        1 / 4,
        "Each guess is right with probability 1/4, whatever the class distribution.",
        tolerance=1e-3,
        hint="On each example, what is the chance that a uniform guess among 4 classes hits the gold one?",
        mistakes=(
            (1 / 2, "1/2 is chance for two classes; with 4 classes a uniform guess is right 1 time in 4."),
        ),
    ),
    true_false(
        "macro-weights",
        "metrics",
        "Macro-F1 gives each class the same weight, however rare it is.",
        True,
        "It is the plain mean of the per-class F1 scores, so rare classes count as much as frequent ones.",
        hint="Macro-F1 is the mean of the per-class F1 scores. Does that mean look at how big each class is?",
        slip="that is weighted F1 (or accuracy); macro-F1 is the plain mean over classes.",
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
        hint="Cross-entropy is −log of the probability given to the gold class. What does a uniform 5-way prediction "
             "give it?",
        mistakes=(
            (math.log2(5), "that is log₂ 5, in bits; a loss in nats uses the natural log."),
            (1 / 5, "0.2 is the probability of the gold class; the loss is −ln of it."),
            (math.log10(5), "that is log₁₀ 5; PyTorch's cross-entropy uses the natural log (nats)."),
        ),
    ),
    true_false(
        "ce-takes-probs",
        "cross-entropy",
        "PyTorch's F.cross_entropy expects probabilities (softmax outputs) as its input.",
        False,
        "It expects raw logits and applies log-softmax itself; applying softmax first gives a wrong, flatter loss.",
        hint="Does F.cross_entropy apply log_softmax itself, or does it expect you to have done it?",
        slip="it takes raw logits and applies log_softmax itself; a softmax before it is applied twice (nn.NLLLoss "
             "is the one that takes log-probabilities).",
    ),
    true_false(
        "softmax-shift",
        "cross-entropy",
        "Adding the same constant to every logit changes the softmax output.",
        False,
        "e^(z+c) / Σ e^(z+c) = e^z / Σ e^z: the constant cancels (that is how a stable softmax subtracts the max).",
        see=("seqlab prove softmax-shift",),
        hint="Write e^(z_i + c) = e^c · e^(z_i). What happens to e^c between the numerator and the denominator?",
        slip="adding a constant is not scaling: multiplying the logits (a temperature) changes the softmax, adding "
             "the same c to all of them does not.",
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
        slip="temperature reshapes how sharp the distribution is, never the order of the logits.",
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
        mistakes=(
            (NEXT_TOKEN_PROBS[0], "that is the probability before the cut; the draw renormalises the two "
                                        "kept tokens so they add up to 1."),
            (0.5 + 0.2, "0.7 is the mass top-k keeps; the likeliest token's share of it is what is drawn."),
        ),
    ),
    choice(
        "greedy-seed",
        "sampling",
        "Which seqlab generate setting writes the same text whatever --seed is?",
        ("--temperature 0", "--temperature 1 --top-p 0.9", "--top-k 5 --temperature 1", "--temperature 2"),
        0,
        "Temperature 0 is greedy decoding: every step takes the argmax, so nothing is drawn and the seed plays no "
        "part. Any t > 0 draws from a distribution with more than one token in it (top-k 5 keeps five).",
        see=('seqlab generate RUN "the film was" --seed 1', 'seqlab generate RUN "the film was" --seed 2'),
        hint="Which setting leaves only one token with non-zero probability at every step?",
        mistakes=(
            (1, "top-p 0.9 still draws among the tokens that make up 90% of the mass; the seed picks among them."),
            (2, "top-k 5 keeps five tokens to draw from, so the seed still decides."),
            (3, "temperature 2 flattens the distribution: more randomness, not less."),
        ),
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
        slip="that is top-k; top-p keeps as many tokens as it takes to reach mass p.",
    ),
)
