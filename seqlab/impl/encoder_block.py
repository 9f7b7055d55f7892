"""Checking a learner's Transformer encoder block (pre- or post-norm): their weights copied into seqlab's
TransformerBlock (attention found as in the multi-head kind, the feed-forward's two Linears, the two layer norms),
where the norms sit and which activation is used read off by trying each placement, the outputs and input gradients
compared; padding, permutation, gradient, dropout and parameter-count properties measured on their module; and the
named bugs, in the block's wiring and inside its attention."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.impl.compare import Bug, diagnose, max_diff, parity_row, where_worst
from seqlab.impl.dropout import DROPOUT, off_in_eval, same_weights
from seqlab.impl.layernorm import BETA_NAMES, EPS_NAMES, GAMMA_NAMES, seed_affine
from seqlab.impl.multihead import (  # the block's attention sublayer is checked the way the multihead kind is
    BUGS as ATTENTION_BUGS, D_MODEL, HEADS, buggy_output, cases, gradient_parity_row, gradient_row, mapped_weights,
    masked, padding_row, permutation_row, reference as attention_reference, run,
)
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.models.transformer import TransformerBlock, TransformerConfig

D_FF = 32  # not D_MODEL, so the feed-forward's Linears are told from the attention's by their shapes
TOLERANCE = 1e-9
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "ReLU": F.relu, "GELU": F.gelu, "GELU (tanh approximation)": partial(F.gelu, approximate="tanh"),
}


def closed_form_count(d: int = D_MODEL, d_ff: int = D_FF) -> int:
    """Parameters of one encoder block with biases everywhere: attention 4(d^2 + d), feed-forward 2 d d_ff + d_ff
    + d, two layer norms 2 * 2d."""
    return 4 * (d * d + d) + 2 * d * d_ff + d_ff + d + 4 * d


def build(cls: type, where: Path | None, seed: int, dropout: float | None = None) -> nn.Module:
    """The learner's block at d_model 24, 4 heads, d_ff 32 (and `dropout` when given), seeded, float64, eval."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError("an encoder block must be an nn.Module class with __init__(d_model, n_heads, d_ff, "
                            "dropout=0.0) and forward(x, mask=None)")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        args = (D_MODEL, HEADS, D_FF) if dropout is None else (D_MODEL, HEADS, D_FF, dropout)
        module = call(cls, *args, where=where)
    if not isinstance(module, nn.Module):
        raise ContractError(f"{cls.__name__}(d_model, n_heads, d_ff) is not an nn.Module")
    return module.to(torch.float64).eval()


@dataclass(frozen=True)
class Norm:
    """One layer norm found in the learner's block: where it is, its gamma and beta, its eps."""

    name: str
    gamma: torch.Tensor
    beta: torch.Tensor
    eps: float


def find_norms(module: nn.Module) -> list[Norm]:
    """The block's layer norms in the order they were defined: nn.LayerNorm modules, and any other module (not a
    Linear) that directly holds a [d_model] gamma and beta by the usual names."""
    found = []
    for name, part in module.named_modules():
        if isinstance(part, (nn.Linear, nn.MultiheadAttention)):
            continue
        own = dict(part.named_parameters(recurse=False))
        gamma = next((own[n] for n in GAMMA_NAMES if n in own and tuple(own[n].shape) == (D_MODEL,)), None)
        beta = next((own[n] for n in BETA_NAMES if n in own and tuple(own[n].shape) == (D_MODEL,)), None)
        if gamma is None or beta is None:
            continue
        eps = next((float(getattr(part, n)) for n in EPS_NAMES
                    if isinstance(getattr(part, n, None), (int, float))), 1e-5)
        found.append(Norm(name or "(the block itself)", gamma, beta, eps))
    return found


def find_feed_forward(module: nn.Module) -> tuple[nn.Linear, nn.Linear] | None:
    """The feed-forward's Linear(d_model, d_ff) and Linear(d_ff, d_model), when there is exactly one of each."""
    up = [part for part in module.modules() if isinstance(part, nn.Linear) and tuple(part.weight.shape) == (D_FF, D_MODEL)]
    down = [part for part in module.modules() if isinstance(part, nn.Linear)
            and tuple(part.weight.shape) == (D_MODEL, D_FF)]
    return (up[0], down[0]) if len(up) == 1 and len(down) == 1 else None


@dataclass(frozen=True)
class Layout:
    """One way the learner's block may be wired: pre- or post-norm, its activation, which norm serves which
    sublayer, and whether a fused q|k|v is laid out per head."""

    norm_first: bool
    activation: str
    norms: tuple[Norm, Norm]
    interleaved: bool = False

    def describe(self) -> str:
        """'post-norm, ReLU, norms ln1 (attention) and ln2 (feed-forward)'."""
        placement = "pre-norm" if self.norm_first else "post-norm"
        first, second = self.norms
        norms = (f"one norm {first.name} for both sublayers" if first is second else
                 f"norms {first.name} (attention) and {second.name} (feed-forward)")
        fused = ", fused q|k|v per head" if self.interleaved else ""
        return f"{placement}, {self.activation}, {norms}{fused}"


def reference_block(module: nn.Module, layout: Layout, attention_weights: dict) -> TransformerBlock:
    """seqlab's TransformerBlock holding the learner's weights, wired as `layout` says (float64, eval)."""
    first, second = layout.norms
    config = TransformerConfig(vocab_size=2, d_model=D_MODEL, n_heads=HEADS, d_ff=D_FF, dropout=0.0,
                               norm_first=layout.norm_first, layer_norm_eps=first.eps)
    block = TransformerBlock(config).to(torch.float64).eval()
    feed_forward = find_feed_forward(module)
    assert feed_forward is not None
    block.ffn.activation = ACTIVATIONS[layout.activation]
    with torch.no_grad():
        block.attention.load_state_dict(attention_reference(attention_weights, layout.interleaved).state_dict())
        for mine, theirs in zip((block.ffn.linear1, block.ffn.linear2), feed_forward):
            mine.weight.copy_(theirs.weight)
            if theirs.bias is None:
                mine.bias.zero_()
            else:
                mine.bias.copy_(theirs.bias)
        for mine, theirs in ((block.norm1, first), (block.norm2, second)):
            mine.weight.copy_(theirs.gamma)
            mine.bias.copy_(theirs.beta)
            mine.eps = theirs.eps
    return block


def layouts(norms: list[Norm], fused: bool) -> list[Layout]:
    """Every wiring worth trying: both placements, each activation, both norm orders (one norm: used twice)."""
    orders = [(norms[0], norms[0])] if len(norms) == 1 else [(norms[0], norms[1]), (norms[1], norms[0])]
    return [Layout(pre, act, order, interleaved) for pre in (False, True) for act in ACTIVATIONS
            for order in orders for interleaved in ((False, True) if fused else (False,))]


def variant(block: TransformerBlock, x: torch.Tensor, mask: torch.Tensor | None, bug: str = "",
            attention_bug: str = "") -> torch.Tensor:
    """What seqlab's block would output with one of the usual wiring bugs (`bug`) or attention bugs
    (`attention_bug`, one of multihead.BUGS' codes); both empty: the correct output."""
    ffn, norm1, norm2 = block.ffn, block.norm1, block.norm2

    def attend(h: torch.Tensor) -> torch.Tensor:
        return buggy_output(block.attention, h, None if bug == "mask not passed" else mask, attention_bug)

    def feed(h: torch.Tensor) -> torch.Tensor:
        if bug == "no activation":
            return ffn.linear2(ffn.linear1(h))
        if bug == "activation after the second linear":
            return ffn.activation(ffn.linear2(ffn.linear1(h)))
        return ffn(h)

    if block.norm_first:
        if bug == "residual from the normed input":
            h = norm1(x)
            h = h + attend(h)
            h2 = norm2(h)
            return h2 + feed(h2)
        mid = attend(norm1(x)) if bug == "no residual around attention" else x + attend(norm1(x))
        ffn_in = x if bug == "feed-forward reads the block input" else mid
        if bug == "pre-norm and post-norm mixed":
            return norm2(mid + feed(mid))
        out = feed(norm2(ffn_in))
        return out if bug == "no residual around the feed-forward" else mid + out
    if bug == "norm applied to the sublayer only":
        mid = x + norm1(attend(x))
        return mid + norm2(feed(mid))
    mid = norm1(attend(x)) if bug == "no residual around attention" else norm1(x + attend(x))
    if bug == "pre-norm and post-norm mixed":
        return mid + feed(norm2(mid))
    ffn_in = x if bug == "feed-forward reads the block input" else mid
    if bug == "no residual around the feed-forward":
        return norm2(feed(ffn_in))
    return norm2(mid + feed(ffn_in))


WIRING_BUGS = (
    ("no residual around attention", "add the block's input back: x + attention(...) (post-norm: "
     "norm1(x + attention(x)))", "no residual around attention"),
    ("no residual around the feed-forward", "add the feed-forward's input back: h + ffn(...)",
     "no residual around the feed-forward"),
    ("feed-forward reads the block input", "feed the attention sublayer's result to the feed-forward, not the block's "
     "input x", "feed-forward reads the block input"),
    ("residual taken from the normed input", "pre-norm keeps the raw stream: x = x + attn(norm1(x)), not x = norm1(x); "
     "x = x + attn(x)", "residual from the normed input"),
    ("pre-norm and post-norm mixed", "place both norms the same way: pre-norm x + f(norm(x)) for both sublayers, or "
     "post-norm norm(x + f(x)) for both", "pre-norm and post-norm mixed"),
    ("norm applied to the sublayer only", "post-norm normalises the sum: norm(x + f(x)), not x + norm(f(x))",
     "norm applied to the sublayer only"),
    ("no activation in the feed-forward", "put ReLU (or GELU) between the feed-forward's two Linears",
     "no activation"),
    ("activation after the second Linear", "the activation goes between the Linears: linear2(act(linear1(x)))",
     "activation after the second linear"),
    ("padding mask not used in attention", "pass the mask on to the attention sublayer, where padded keys' logits "
     "are filled with -inf before the softmax (weight exactly 0)", "mask not passed"),
)
PRE_NORM_ONLY = {"residual from the normed input"}
POST_NORM_ONLY = {"norm applied to the sublayer only"}


def check_encoder_block(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the encoder-block kind on the learner's class."""
    module = build(cls, where, seed)
    generator = torch.Generator().manual_seed(seed + 3)
    norms = find_norms(module)
    for norm in norms:
        seed_affine(norm.gamma, norm.beta, generator, D_MODEL)
    inputs = cases(seed)
    outs = [run(module, x.clone(), None if m is None else m.clone(), where) for x, m in inputs]
    rows = [padding_row(module, inputs[0], where, seed), permutation_row(module, inputs[1][0], where, seed),
            gradient_row(module, inputs[0], where)]
    diagnoses: list[Diagnosis] = []
    count_row, count_diagnosis = parameter_count_row(module, norms)
    rows.append(count_row)
    diagnoses += count_diagnosis
    weights, how = mapped_weights(module)
    feed_forward = find_feed_forward(module)
    missing = ([] if weights else [f"attention's query/key/value/out ({how})"]) + \
        ([] if feed_forward else [f"the feed-forward's Linear({D_MODEL}, {D_FF}) and Linear({D_FF}, {D_MODEL})"]) + \
        ([] if norms and len(norms) <= 2 else [f"one or two layer norms with gamma and beta [{D_MODEL}] (found "
                                                f"{len(norms)})"])
    if missing:
        rows.append(ImplRow("same output as seqlab", "reference", float("inf"), TOLERANCE, False,
                            "could not find " + "; ".join(missing) + ": not compared"))
        return with_dropout(rows, diagnoses, cls, module, inputs[0], where, seed)
    real = [masked(o, m) for o, (_, m) in zip(outs, inputs)]
    tried = [compare_in(module, layout, weights, how, real, inputs) for layout in layouts(norms, how.startswith("fused"))]
    layout, block, row = min(tried, key=lambda item: item[2].measured)
    if not row.passed:
        found, diagnosed_in = diagnose_block(real, inputs, tried)
        diagnoses += found
        if diagnosed_in is not None:  # describe the failure in the wiring the bug was found in
            layout, block, row = diagnosed_in
    if not row.passed and tuple(outs[0].shape) == tuple(inputs[0][0].shape):
        with torch.no_grad():
            worst = where_worst(real[0], masked(block(*inputs[0])[0], inputs[0][1]), ("batch", "position"))
        row = replace(row, detail=f"{row.detail}; worst {worst}")
    rows.append(row)
    if row.passed:
        rows.append(gradient_parity_row(module, block, inputs[0], where))
    return with_dropout(rows, diagnoses, cls, module, inputs[0], where, seed)


def with_dropout(rows: list[ImplRow], diagnoses: list[Diagnosis], cls: type, module: nn.Module,
                 case: tuple[torch.Tensor, torch.Tensor | None], where: Path | None,
                 seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """rows and diagnoses with the dropout checks' added."""
    more_rows, more = dropout_rows(cls, module, case, where, seed)
    return rows + more_rows, diagnoses + more


Compared = tuple[Layout, TransformerBlock, ImplRow]  # a wiring, seqlab's block wired so, and the parity row


def compare_in(module: nn.Module, layout: Layout, weights: dict, how: str, real: list[torch.Tensor],
               inputs: list[tuple[torch.Tensor, torch.Tensor | None]]) -> Compared:
    """The learner's real-token outputs against seqlab's TransformerBlock holding their weights, wired as `layout`."""
    block = reference_block(module, layout, weights)
    with torch.no_grad():
        want = [masked(block(x, m)[0], m) for x, m in inputs]
    return layout, block, parity_row(
        "same output as seqlab", real, want, TOLERANCE, f"your weights in seqlab's TransformerBlock as "
        f"{layout.describe()}; attention {how}; padded batch (lengths 7, 4, 1), no mask, batch 1 of length 1; real "
        "tokens compared")


def diagnose_block(real: list[torch.Tensor], inputs: list[tuple[torch.Tensor, torch.Tensor | None]],
                   tried: list[Compared]) -> tuple[list[Diagnosis], Compared | None]:
    """The wiring and attention bugs whose outputs equal the learner's, tried in every layout already compared
    (`tried`: each layout with seqlab's block holding the learner's weights and its parity row), and the comparison
    of the layout they were found in (None when no bug matched)."""
    for compared in tried:
        layout, block, _ = compared
        skip = POST_NORM_ONLY if layout.norm_first else PRE_NORM_ONLY
        bugs = [Bug(name, advice, lambda i, code=code, b=block: masked(variant(b, *inputs[i], bug=code),
                                                                         inputs[i][1]))
                for name, advice, code in WIRING_BUGS if code not in skip]
        bugs += [Bug(f"attention: {name}", advice, lambda i, code=code, b=block: masked(
            variant(b, *inputs[i], attention_bug=code), inputs[i][1]))
            for name, advice, code in ATTENTION_BUGS if code != "mask ignored"]  # that one is "mask not passed"
        with torch.no_grad():
            found = diagnose(real, bugs, 1e-7)
        if found:
            return [replace(d, evidence=f"{d.evidence}, in a {layout.describe()} block") for d in found], compared
    return [], None


def parameter_count_row(module: nn.Module, norms: list[Norm]) -> tuple[ImplRow, list[Diagnosis]]:
    """The learner's parameter count against the closed form; one norm for both sublayers named as a bug."""
    count = sum(p.numel() for p in module.parameters())
    want = closed_form_count()
    row = ImplRow("parameter count", PROPERTY, float(abs(count - want)), 0.0, count == want,
                  f"{count} parameters; the closed form 4(d^2 + d) + 2 d d_ff + d_ff + d + 4d = {want} at d {D_MODEL}, "
                  f"d_ff {D_FF} (attention, feed-forward, two layer norms, biases everywhere)")
    if len(norms) == 1 and count == want - 2 * D_MODEL:
        return row, [Diagnosis("one layer norm shared by both sublayers", "make two norms (norm1 for attention, "
                               "norm2 for the feed-forward): each learns its own gamma and beta",
                               f"{2 * D_MODEL} parameters short, one norm found ({norms[0].name})")]
    return row, []


def dropout_rows(cls: type, module: nn.Module, case: tuple[torch.Tensor, torch.Tensor | None], where: Path | None,
                 seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Built with dropout 0.5 and given the checked module's weights: eval mode gives the same output as dropout 0
    every time; training mode changes it (dropout acts somewhere)."""
    noisy = build(cls, where, seed, DROPOUT)
    unfit = same_weights(noisy, module, "block", TOLERANCE)
    if unfit is not None:
        return [unfit], []
    x, mask = case
    with torch.no_grad():
        want = masked(run(module, x.clone(), mask, where), mask)
    eval_row, diagnoses = off_in_eval(lambda: masked(run(noisy, x.clone(), mask, where), mask), want, TOLERANCE)
    noisy.train()
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        trained = masked(run(noisy, x.clone(), mask, where), mask)
    moved = max_diff(trained, want)
    rows = [eval_row, ImplRow("dropout acts in training", PROPERTY, 0.0 if moved > 1e-6 else 1.0, 0.0, moved > 1e-6,
                              f"train mode, dropout {DROPOUT}: output moved by {moved:.2g} from the eval output"
                              + ("" if moved > 1e-6 else "; is the dropout argument stored and used?"))]
    if moved <= 1e-6:
        diagnoses.append(Diagnosis("dropout never applied", "apply nn.Dropout(dropout) to each sublayer's output "
                                   "before the residual sum", "training-mode output equals the eval one"))
    return rows, diagnoses
