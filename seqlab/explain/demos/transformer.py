"""The worked examples of seqlab.explain.topics.transformer, computed live with torch (seeded, never the global RNG)."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.data.masking import IGNORE_INDEX, MaskingRule, MaskVocab, mask_tokens
from seqlab.data.sentence_pairs import PAIR_LABELS, build_pairs
from seqlab.data.vocab import Vocab
from seqlab.explain.counts import ffn_params
from seqlab.explain.demos.attention import softmax_attention
from seqlab.explain.demos.numbers import fmt, generator, matrix_rows, round_list
from seqlab.explain.topic import DemoResult


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
            f"In 2-D, with eps = 0, every point with a ≠ b maps to ±(1, −1): (0.3, 2.0) → "
            f"{round_list(two_d[0], 3)}, (5, −1) → {round_list(two_d[1], 3)}; with eps > 0, points near the diagonal "
            "(|a − b| not far above 2√eps) land short of them.",
            "gamma then stretches each coordinate and beta shifts it, so the output can be any scale and offset.",
        ),
        values={
            "norms": {name: float(y.norm()) for name, y, _, _ in variants},
            "sqrt_d": math.sqrt(d),
            "max_abs_difference_torch": match,
            "two_d": round_list(two_d),
        },
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
