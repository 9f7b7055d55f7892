"""Topics about the Transformer block and BERT: residuals, layer norm, feed-forward, encoder vs decoder,
pretraining objectives and [CLS] pooling."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.data.masking import IGNORE_INDEX, MaskingRule, MaskVocab, mask_tokens
from seqlab.data.sentence_pairs import PAIR_LABELS, build_pairs
from seqlab.data.vocab import Vocab
from seqlab.explain.counts import ffn_params
from seqlab.explain.topic import DemoResult, Topic, fmt, generator, matrix_rows, round_list
from seqlab.explain.topics.attention import softmax_attention


def residual_demo(seed: int) -> DemoResult:
    """Gradient norm reaching the input of a 24-layer tanh stack, with and without residual connections."""
    gen = generator(seed)
    depth, width = 24, 16
    weights = [torch.randn(width, width, generator=gen) * 0.5 / math.sqrt(width) for _ in range(depth)]
    x_data = torch.randn(width, generator=gen)
    rows = []
    norms: dict[str, float] = {}
    for name, residual in (("plain: x ← f(x)", False), ("residual: x ← x + f(x)", True)):
        x0 = x_data.clone().requires_grad_(True)
        x = x0
        for weight in weights:
            x = x + torch.tanh(weight @ x) if residual else torch.tanh(weight @ x)
        x.sum().backward()
        assert x0.grad is not None
        norms[name] = float(x0.grad.norm())
        rows.append((name, f"{norms[name]:.3e}"))
    return DemoResult(
        title=f"‖∂ sum(x_24) / ∂ x_0‖ through 24 layers f(x) = tanh(Wx), small random W (seed {seed})",
        columns=("stack", "gradient norm at the input"),
        rows=tuple(rows),
        notes=(
            "Each residual layer's Jacobian is I + ∂f/∂x, so the identity path carries the gradient past every layer.",
        ),
        values={"gradient_norms": norms},
    )


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
        "'Add & norm' normalises the sum of input and sublayer output, not the attention weights.",
        "Residuals do not add parameters; they need input and output of the same width.",
        "Pre-norm and post-norm blocks with the same weights compute different functions.",
    ),
    commands=("seqlab explain layer-norm", "seqlab train --model transformer"),
    demo=residual_demo,
)


def layer_norm_by_hand(x: torch.Tensor, eps: float = 0.0, unbiased: bool = False) -> torch.Tensor:
    """(x − mean) / √(var + eps) over the last dimension, gamma = 1 and beta = 0."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=unbiased)
    return (x - mean) / torch.sqrt(var + eps)


def layer_norm_demo(seed: int) -> DemoResult:
    """Layer-normalise a seeded vector of width 8 by hand; measure its norm against √d in three variants."""
    gen = generator(seed)
    d = 8
    x = torch.randn(d, generator=gen, dtype=torch.float64) * 3 + 2
    variants = (
        ("biased var, eps = 0", layer_norm_by_hand(x), math.sqrt(d), "√d"),
        ("biased var, eps = 1e-5 (torch default)", layer_norm_by_hand(x, eps=1e-5), math.sqrt(d), "≈ √d"),
        ("unbiased var (Annotated Transformer)", layer_norm_by_hand(x, unbiased=True), math.sqrt(d - 1), "√(d−1)"),
    )
    rows = tuple(
        (name, fmt(float(y.mean()), 6), fmt(float(y.norm()), 6), f"{label} = {fmt(expected, 6)}")
        for name, y, expected, label in variants
    )
    torch_out = torch.nn.functional.layer_norm(x, (d,), eps=1e-5)
    match = float((torch_out - variants[1][1]).abs().max())
    two_d = layer_norm_by_hand(torch.tensor([[0.3, 2.0], [5.0, -1.0]], dtype=torch.float64))
    return DemoResult(
        title=f"Layer norm of x = {round_list(x, 2)} (seed {seed}), d = {d}",
        columns=("variant", "mean", "‖y‖", "expected"),
        rows=rows,
        notes=(
            f"max |by hand - F.layer_norm| = {match:.1e}.",
            f"In 2-D every point maps to ±(1, −1): (0.3, 2.0) → {round_list(two_d[0], 3)}, (5, −1) → "
            f"{round_list(two_d[1], 3)}.",
            "gamma then stretches each coordinate and beta shifts it, so the output can be any scale and offset.",
        ),
        values={
            "norms": {name: float(y.norm()) for name, y, _, _ in variants},
            "sqrt_d": math.sqrt(d),
            "max_abs_difference_torch": match,
            "two_d": round_list(two_d),
        },
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
        "leaves only the two points (1, −1) and (−1, 1). It behaves the same at training and test time and "
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
    demo=layer_norm_demo,
)


def feed_forward_demo(seed: int) -> DemoResult:
    """GELU against ReLU at a few points, and the feed-forward parameter count against nn.Linear layers."""
    points = torch.tensor([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    gelu = torch.nn.functional.gelu(points)  # exact erf form, as BERT uses
    relu = torch.relu(points)
    counted = {}
    with torch.device("meta"):
        for d, f in ((768, 3072), (384, 1536)):
            ffn = nn.Sequential(nn.Linear(d, f), nn.GELU(), nn.Linear(f, d))
            counted[f"{d}->{f}->{d}"] = sum(p.numel() for p in ffn.parameters())
    return DemoResult(
        title="The activation inside the feed-forward sublayer: GELU(x) = x·Φ(x) against ReLU(x)",
        columns=("", *(fmt(float(p), 1) for p in points)),
        rows=(("GELU", *(fmt(float(v)) for v in gelu)), ("ReLU", *(fmt(float(v)) for v in relu))),
        notes=tuple(
            f"FFN {shape}: counted {n:,} = 2·d·f + f + d = {ffn_params(*map(int, shape.split('->')[:2])):,}"
            for shape, n in counted.items()
        ),
        values={"gelu": round_list(gelu), "relu": round_list(relu), "params": counted},
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
    formula="FFN(x) = W₂ GELU(W₁ x + b₁) + b₂,   W₁ ∈ ℝ^{d_ff×d},   params = 2·d·d_ff + d_ff + d",
    misconceptions=(
        "The FFN does not mix tokens; only attention does.",
        "'Position-wise' does not mean different weights per position: the same weights are used at every position.",
    ),
    commands=("seqlab params bert-base-uncased", "seqlab explain parameters"),
    demo=feed_forward_demo,
)


def encoder_decoder_demo(seed: int) -> DemoResult:
    """Change the last token and see which earlier outputs move, with and without the causal mask."""
    gen = generator(seed)
    x = torch.randn(5, 8, generator=gen)
    x_changed = x.clone()
    x_changed[-1] = torch.randn(8, generator=gen)
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    rows = []
    shifts: dict[str, list[float]] = {}
    for name, allowed in (("encoder (BERT, bidirectional)", None), ("decoder (GPT, causal)", causal)):
        before = softmax_attention(x, x, allowed) @ x
        after = softmax_attention(x_changed, x_changed, allowed) @ x_changed
        shift = (after - before).norm(dim=-1)
        shifts[name] = [float(s) for s in shift]
        rows.append((name, *(fmt(float(s)) for s in shift)))
    return DemoResult(
        title=f"‖change of output at each position‖ when only token 5 changes (seed {seed})",
        columns=("model", "pos 1", "pos 2", "pos 3", "pos 4", "pos 5"),
        rows=tuple(rows),
        notes=("In the decoder, outputs before the changed token do not move at all: they never saw it.",),
        values={"output_shift": shifts},
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
    demo=encoder_decoder_demo,
)


OBJECTIVE_SENTENCE = "the movie was long but the ending made it worth every minute"
MASK_DRAWS = 20_000  # maskings of the sentence for the measured shares


def objectives_demo(seed: int) -> DemoResult:
    """Masked-LM corruption of a sentence by the very function `seqlab train --task mlm` uses, its measured
    shares over many draws, the causal-LM targets, and NSP vs SOP pairs."""
    words = OBJECTIVE_SENTENCE.split()
    vocab = Vocab.build([OBJECTIVE_SENTENCE], mask_token=True)
    ids = torch.tensor([vocab.encode(OBJECTIVE_SENTENCE).ids])
    real = torch.ones_like(ids, dtype=torch.bool)
    mask_vocab = MaskVocab.of(vocab)
    for offset in range(100):  # keep the demo informative: the first draw from this seed that picks a token
        out = mask_tokens(ids, real, mask_vocab, generator=generator(seed + offset))
        if bool(out.chosen.any()):
            break
    corrupted = [vocab.words[i] for i in out.input_ids[0].tolist()]
    targets = [vocab.words[i] if i != IGNORE_INDEX else "-" for i in out.labels[0].tolist()]
    pair_rows = _pair_rows(seed)
    many = mask_tokens(ids.repeat(MASK_DRAWS, 1), real.repeat(MASK_DRAWS, 1), mask_vocab,
                       generator=generator(seed + 1000))
    n = many.candidates.sum().item()
    kept = many.chosen & ~many.masked & ~many.randomized
    rule = MaskingRule()
    shares = {
        "chosen": (many.chosen.sum().item() / n, rule.probability),
        "[MASK]": (many.masked.sum().item() / n, rule.probability * rule.mask_fraction),
        "random token": (many.randomized.sum().item() / n, rule.probability * rule.random_fraction),
        "unchanged (still predicted)": (kept.sum().item() / n, rule.probability * rule.keep_fraction),
    }
    return DemoResult(
        title=f"Pretraining inputs and targets for one sentence (seed {seed})",
        columns=("objective", "input", "targets"),
        rows=(
            ("masked LM (BERT)", " ".join(corrupted), " ".join(targets)),
            ("causal LM (GPT)", " ".join(words[:-1]), " ".join(words[1:])),
            *pair_rows,
        ),
        notes=(
            "MLM predicts only the chosen ~15% ('-' = label -100, no loss there); the causal LM predicts every "
            "next token.",
            f"The masked row comes from seqlab.data.masking.mask_tokens, the function `seqlab train --task mlm` "
            f"applies to every batch. Over {MASK_DRAWS:,} maskings of this sentence: "
            + ", ".join(f"{name} {100 * got:.2f}% (expected {100 * want:.1f}%)" for name, (got, want) in shares.items())
            + ".",
            "On the built-in corpus a small Transformer trained this way fills 'i did not [MASK] this movie .' with "
            "like / hate / mind / love (docs/RESULTS.md: seqlab train --model transformer --task mlm).",
            "The NSP and SOP rows are built by seqlab.data.sentence_pairs, as `seqlab train --model bert --task mlm "
            "--sentence-objective nsp|sop` builds its pairs: the SOP negative has exactly the words of the real pair, "
            "so only the order tells them apart (seqlab prove sentence-pairs); docs/RESULTS.md has NSP vs SOP dev "
            "accuracy on CFIMDB.",
        ),
        values={"masked_input": corrupted, "masked_targets": targets, "causal_targets": words[1:],
                "shares": {name: got for name, (got, _) in shares.items()},
                "expected": {name: want for name, (_, want) in shares.items()}},
    )


PAIR_REVIEW = ("the movie was long . the ending made it worth every minute . the cast deserves an award .",
               "my printer jams every morning . the ink costs more than the printer .")


def _pair_rows(seed: int) -> list[tuple[str, str, str]]:
    """One real and one negative pair per sentence objective, from the builder `--sentence-objective` uses."""
    rows = []
    for objective, name in (("nsp", "NSP (BERT)"), ("sop", "SOP (ALBERT)")):
        for offset in range(200):  # the first seed from `seed` that gives the first text both kinds of pair
            pairs = [p for p in build_pairs(PAIR_REVIEW, objective, seed + offset) if p.text == 0]
            if {p.real for p in pairs} == {True, False}:
                break
        for pair in sorted(pairs, key=lambda p: not p.real):
            label = PAIR_LABELS[objective][0 if pair.real else 1]
            rows.append((name, f"A = '{pair.first}'  B = '{pair.second}'", f"{label} (label {int(not pair.real)})"))
    return rows


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
        "masked LM:  L = −Σ_{t∈M} log p(x_t | x_∖M),  |M| ≈ 0.15·T   (80% [MASK], 10% random, 10% kept)\n"
        "NSP / SOP:  L = −log p(y | [CLS]),  y ∈ {IsNext, NotNext} / {in order, swapped}"
    ),
    misconceptions=(
        "BERT's pretraining does not include sentence order prediction; that is ALBERT's. BERT uses MLM + NSP.",
        "Not every picked token becomes [MASK]: 10% are random and 10% are left as they are.",
        "The MLM loss is computed only on the picked positions, not on all tokens.",
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
    demo=objectives_demo,
)


def cls_pooling_demo(seed: int) -> DemoResult:
    """[CLS] pooling (tanh(W h_CLS + b)) next to mean pooling with and without the padding mask."""
    gen = generator(seed)
    labels = ("[CLS]", "great", "film", "[SEP]", "[PAD]")
    hidden = torch.randn(5, 4, generator=gen)
    real = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0])
    pooler = nn.Linear(4, 4)
    with torch.no_grad():
        pooler.weight.copy_(torch.randn(4, 4, generator=gen) * 0.5)
        pooler.bias.zero_()
        cls_pooled = torch.tanh(pooler(hidden[0]))
    mean_masked = (hidden * real[:, None]).sum(0) / real.sum()
    mean_all = hidden.mean(0)
    return DemoResult(
        title=f"Turning 5 token vectors (seed {seed}) into one sentence vector",
        columns=("pooling", "v[0]", "v[1]", "v[2]", "v[3]"),
        rows=matrix_rows(
            torch.stack([cls_pooled, mean_masked, mean_all]),
            ("[CLS]: tanh(W h₀ + b)", "mean over real tokens", "mean incl. [PAD] (wrong)"),
        ),
        notes=(f"The token rows were {', '.join(labels)}; a pad changes the unmasked mean, never the masked one.",),
        values={
            "cls": round_list(cls_pooled),
            "mean_masked": round_list(mean_masked),
            "mean_all": round_list(mean_all),
        },
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
    demo=cls_pooling_demo,
)

TOPICS: tuple[Topic, ...] = (RESIDUAL, LAYER_NORM, FEED_FORWARD, ENCODER_DECODER, OBJECTIVES, CLS_POOLING)
