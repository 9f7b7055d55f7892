"""Checking a learner's multi-head self-attention module: their weights copied into seqlab's
MultiHeadSelfAttention (separate or fused q/k/v, the usual names) and the outputs and gradients compared; padding,
permutation and gradient properties measured on their module; and the named bugs."""

from __future__ import annotations

import math
from pathlib import Path


import torch
from torch import nn

from seqlab.impl.compare import Bug, dead_parameters, diagnose, max_diff, parity_row, where_worst
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.proofs.base import STAND_IN

D_MODEL, HEADS = 24, 4  # d_head 6: sqrt(d_model), d_head and sqrt(d_head) all differ, so each scale bug has one name
TOLERANCE = 1e-9
ROLES = {
    "query": ("query", "q", "q_proj", "w_q", "wq", "q_lin", "to_q"),
    "key": ("key", "k", "k_proj", "w_k", "wk", "k_lin", "to_k"),
    "value": ("value", "v", "v_proj", "w_v", "wv", "v_lin", "to_v"),
    "out": ("out", "o", "out_proj", "o_proj", "w_o", "wo", "proj", "dense", "out_lin", "to_out", "c_proj", "output"),
}
FUSED = ("qkv", "in_proj", "c_attn", "qkv_proj", "to_qkv", "w_qkv")


def build(cls: type, where: Path | None, seed: int) -> nn.Module:
    """The learner's module at d_model 24, 4 heads, seeded, in float64 and eval mode."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError("multi-head attention must be an nn.Module class with __init__(d_model, n_heads)")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = call(cls, D_MODEL, HEADS, where=where)
    return module.to(torch.float64).eval()


def run(module: nn.Module, x: torch.Tensor, mask: torch.Tensor | None, where: Path | None) -> torch.Tensor:
    """The learner's output [B,T,D] (the first item when it returns (out, weights))."""
    out = call(module, x, mask, where=where) if mask is not None else call(module, x, where=where)
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise ContractError(f"forward must return the output tensor [B, T, D], not {type(out).__name__}")
    return out


def linear_weights(module: nn.Module) -> list[tuple[str, torch.Tensor, torch.Tensor | None]]:
    """(name, weight [out, in], bias) of every projection: nn.Linear layers, and torch MultiheadAttention's
    in_proj_weight / out_proj."""
    found = []
    for name, part in module.named_modules():
        if isinstance(part, nn.Linear):
            found.append((name, part.weight, part.bias))
        elif isinstance(part, nn.MultiheadAttention) and part.in_proj_weight is not None:
            found.append((f"{name}.in_proj".lstrip("."), part.in_proj_weight, part.in_proj_bias))
    return found


def mapped_weights(module: nn.Module) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor | None]], str]:
    """seqlab's four projections (query, key, value, out) read from the learner's module, and how they were found;
    an empty dict when the layout is not one of the usual ones."""
    linears = linear_weights(module)
    last = {name: (name.rsplit(".", 1)[-1].lower(), w, b) for name, w, b in linears}
    square = [(n, s, w, b) for n, (s, w, b) in last.items() if tuple(w.shape) == (D_MODEL, D_MODEL)]
    fused = [(n, s, w, b) for n, (s, w, b) in last.items() if tuple(w.shape) == (3 * D_MODEL, D_MODEL)]
    if len(fused) == 1 and len(square) == 1:
        name, _, w, b = fused[0]
        qs, ks, vs = w.chunk(3, 0)
        biases = b.chunk(3, 0) if b is not None else (None, None, None)
        return ({"query": (qs, biases[0]), "key": (ks, biases[1]), "value": (vs, biases[2]),
                 "out": (square[0][2], square[0][3])}, f"fused {name} [3D, D] as q | k | v, out {square[0][0]}")
    if len(square) == 4:
        chosen: dict[str, tuple[torch.Tensor, torch.Tensor | None]] = {}
        names = {}
        for role, words in ROLES.items():
            hits = [(n, w, b) for n, s, w, b in square if s in words]
            if len(hits) == 1:
                chosen[role] = (hits[0][1], hits[0][2])
                names[role] = hits[0][0]
        if len(chosen) == 4:
            return chosen, "separate " + ", ".join(f"{role} = {names[role]}" for role in ROLES)
        ordered = dict(zip(ROLES, [(w, b) for _, _, w, b in square]))
        return ordered, "separate projections in the order they were defined (q, k, v, out)"
    return {}, f"found {len(square)} [D, D] and {len(fused)} [3D, D] projections"


def reference(weights: dict[str, tuple[torch.Tensor, torch.Tensor | None]], interleaved: bool = False) -> nn.Module:
    """seqlab's MultiHeadSelfAttention holding those weights (float64, eval); `interleaved`: a fused q|k|v laid out
    per head ([H, 3, d_head] rows) instead of q | k | v."""
    attention = MultiHeadSelfAttention(D_MODEL, HEADS).to(torch.float64).eval()
    if interleaved:
        stacked = torch.cat([weights[r][0] for r in ("query", "key", "value")]).view(HEADS, 3, -1, D_MODEL)
        bias = [weights[r][1] for r in ("query", "key", "value")]
        biases = torch.cat(bias).view(HEADS, 3, -1) if all(b is not None for b in bias) else None
        weights = dict(weights)
        for index, role in enumerate(("query", "key", "value")):
            part_bias = biases[:, index].reshape(-1) if biases is not None else None
            weights[role] = (stacked[:, index].reshape(D_MODEL, D_MODEL), part_bias)
    with torch.no_grad():
        for role, (weight, bias) in weights.items():
            linear = getattr(attention, role)
            linear.weight.copy_(weight.detach())
            if bias is None:
                linear.bias.zero_()
            else:
                linear.bias.copy_(bias.detach())
    return attention


def cases(seed: int) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
    """Seeded inputs: padded batch of 3 (lengths 7, 4, 1); no mask; batch 1 of length 1."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([7, 4, 1])
    mask = torch.arange(7)[None, :] < lengths[:, None]
    return [
        (torch.randn(3, 7, D_MODEL, generator=generator, dtype=torch.float64), mask),
        (torch.randn(2, 5, D_MODEL, generator=generator, dtype=torch.float64), None),
        (torch.randn(1, 1, D_MODEL, generator=generator, dtype=torch.float64), torch.ones(1, 1, dtype=torch.bool)),
    ]


def buggy_output(attention: nn.Module, x: torch.Tensor, mask: torch.Tensor | None, bug: str) -> torch.Tensor:
    """What seqlab's module would output with one of the usual bugs."""
    b, t, d = x.shape
    h, dh = HEADS, D_MODEL // HEADS
    if bug in ("split without transpose", "split and merge without transpose"):
        q, k, v = (proj(x).reshape(b, h, t, dh) for proj in (attention.query, attention.key, attention.value))
    else:
        q, k, v = (proj(x).view(b, t, h, dh).transpose(1, 2) for proj in (attention.query, attention.key,
                                                                          attention.value))
    scale = {"no scale": 1.0, "d_model": 1 / math.sqrt(d), "d_k": 1 / dh}.get(bug, 1 / math.sqrt(dh))
    logits = q @ k.transpose(-2, -1) * scale
    keep = None if mask is None or bug == "mask ignored" else mask[:, None, None, :]
    if bug == "mask inverted" and keep is not None:
        keep = ~keep
    if keep is not None and bug != "mask after softmax":
        logits = logits.masked_fill(~keep, float("-inf"))
    probs = logits.softmax(dim=-2 if bug == "softmax axis" else -1)
    if keep is not None and bug == "mask after softmax":
        probs = probs.masked_fill(~keep, 0.0)
    context = probs @ v  # [B,H,T,dh]
    if bug in ("merge without transpose", "split and merge without transpose"):
        merged = context.reshape(b, t, d)
    else:
        merged = context.transpose(1, 2).reshape(b, t, d)
    return attention.out(merged)


BUGS = (
    ("no 1/sqrt(d_k)", "divide q k^T by sqrt(d_head) (d_head = d_model / n_heads)", "no scale"),
    ("scaled by sqrt(d_model) instead of sqrt(d_k)", "the scale is 1/sqrt(d_head), the width of one head", "d_model"),
    ("scaled by d_k instead of sqrt(d_k)", "divide by math.sqrt(d_head), not by d_head", "d_k"),
    ("heads merged in the wrong order", "merge heads with context.transpose(1, 2).reshape(B, T, D): [B,H,T,dh] -> "
     "[B,T,H,dh] first", "merge without transpose"),
    ("heads split in the wrong order", "split with x.view(B, T, H, dh).transpose(1, 2), not x.view(B, H, T, dh)",
     "split without transpose"),
    ("heads split and merged in the wrong order", "split with x.view(B, T, H, dh).transpose(1, 2) and merge with "
     "context.transpose(1, 2).reshape(B, T, D): reshaping [B,T,D] straight to [B,H,T,dh] mixes tokens into heads",
     "split and merge without transpose"),
    ("padding mask ignored", "mask the logits of padded keys: mask[:, None, None, :] == False -> -inf", "mask ignored"),
    ("mask inverted", "True in the mask means a real token: fill the logits where the mask is False", "mask inverted"),
    ("mask applied after softmax", "mask the logits before the softmax, not the weights after it",
     "mask after softmax"),
    ("softmax over the wrong axis", "softmax over the keys: dim=-1", "softmax axis"),
)


def check_multihead(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the multi-head kind on the learner's class."""
    module = build(cls, where, seed)
    inputs = cases(seed)
    outs = [run(module, x.clone(), None if m is None else m.clone(), where) for x, m in inputs]
    rows = [padding_row(module, inputs[0], where, seed), permutation_row(module, inputs[1][0], where, seed),
            gradient_row(module, inputs[0], where)]
    weights, how = mapped_weights(module)
    diagnoses: list[Diagnosis] = []
    if not weights:
        rows.append(ImplRow("same output as seqlab", "reference", float("inf"), TOLERANCE, False,
                            f"could not map your weights onto query/key/value/out ({how}): not compared",
                            STAND_IN))
        return rows, diagnoses
    layouts = [False, True] if how.startswith("fused") else [False]
    best, best_row = None, None
    for interleaved in layouts:
        attention = reference(weights, interleaved)
        with torch.no_grad():
            want = [attention(x, m)[0] for x, m in inputs]
        real = [w if m is None else w * m[..., None] for w, (_, m) in zip(want, inputs)]
        got = [o if m is None else o * m[..., None] for o, (_, m) in zip(outs, inputs)]
        layout = " (fused rows per head)" if interleaved else ""
        row = parity_row("same output as seqlab", got, real, TOLERANCE,
                         f"your weights ({how}{layout}) in seqlab's MultiHeadSelfAttention; padded batch (lengths 7, "
                         "4, 1), no mask, batch 1 of length 1; real tokens compared")
        if best_row is None or row.measured < best_row.measured:
            best, best_row = attention, row
    assert best is not None and best_row is not None
    if not best_row.passed and tuple(outs[0].shape) == tuple(inputs[0][0].shape):
        with torch.no_grad():
            worst = where_worst(outs[0] * inputs[0][1][..., None], best(*inputs[0])[0] * inputs[0][1][..., None],
                                ("batch", "position"))
        best_row = ImplRow(best_row.name, best_row.source, best_row.measured, best_row.tolerance, False,
                           f"{best_row.detail}; worst {worst}")
    rows.append(best_row)
    if best_row.passed:
        rows.append(gradient_parity_row(module, best, inputs[0], where))
    else:
        with torch.no_grad():
            got = [o if m is None else o * m[..., None] for o, (_, m) in zip(outs, inputs)]
            diagnoses = diagnose(got, [Bug(name, advice, lambda i, b=bug: masked(buggy_output(best, *inputs[i], b),
                                                                               inputs[i][1]))
                                       for name, advice, bug in BUGS], 1e-7)
    return rows, diagnoses


def masked(out: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """out with padded positions zeroed (they are not compared)."""
    return out if mask is None else out * mask[..., None]


def padding_row(module: nn.Module, case: tuple[torch.Tensor, torch.Tensor | None], where: Path | None,
                seed: int) -> ImplRow:
    """Change the vectors at padded positions: the outputs at real positions must not move at all."""
    x, mask = case
    assert mask is not None
    generator = torch.Generator().manual_seed(seed + 7)
    other = x.clone()
    other[~mask] = torch.randn(int((~mask).sum()), D_MODEL, generator=generator, dtype=torch.float64) * 5
    with torch.no_grad():
        a, b = run(module, x.clone(), mask, where), run(module, other, mask, where)
    moved = max_diff(a * mask[..., None], b * mask[..., None])
    return ImplRow("padded keys are ignored", PROPERTY, moved, TOLERANCE, moved <= TOLERANCE,
                   f"new vectors at the padded positions moved your outputs at real tokens by {moved:.1e}")


def permutation_row(module: nn.Module, x: torch.Tensor, where: Path | None, seed: int) -> ImplRow:
    """Without a mask or positions, self-attention is permutation equivariant: permuting the tokens permutes the
    outputs."""
    generator = torch.Generator().manual_seed(seed + 11)
    order = torch.randperm(x.shape[1], generator=generator)
    with torch.no_grad():
        a, b = run(module, x.clone(), None, where), run(module, x[:, order].clone(), None, where)
    gap = max_diff(a[:, order] if a.dim() == 3 else a, b)
    return ImplRow("permuting tokens permutes outputs", PROPERTY, gap, TOLERANCE, gap <= TOLERANCE,
                   f"tokens shuffled by a seeded permutation, no mask: max |out[perm] - f(x[perm])| {gap:.1e}")


def gradient_row(module: nn.Module, case: tuple[torch.Tensor, torch.Tensor | None], where: Path | None) -> ImplRow:
    """A backward pass reaches every parameter with a finite, non-zero gradient (an unused projection shows here)."""
    x, mask = case

    def loss() -> torch.Tensor:
        out = run(module, x.clone(), mask, where)
        return (out * masked(torch.ones_like(out), mask)).pow(2).sum()

    dead = dead_parameters(module, loss)
    return ImplRow("every parameter gets a gradient", PROPERTY, float(len(dead)), 0.0, not dead,
                   "a backward pass reaches every parameter" if not dead else
                   f"no (or a non-finite) gradient reaches {', '.join(dead[:4])}: is it used in forward?")


def gradient_parity_row(module: nn.Module, attention: nn.Module, case: tuple[torch.Tensor, torch.Tensor | None],
                        where: Path | None) -> ImplRow:
    """The gradient with respect to the input equals seqlab's (float64)."""
    x, mask = case
    grads = []
    for fn in (lambda t: run(module, t, mask, where), lambda t: attention(t, mask)[0]):
        leaf = x.clone().requires_grad_(True)
        out = fn(leaf)
        (masked(out, mask) * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view(out.shape)).sum().backward()
        grads.append(leaf.grad)
    gap = max_diff(*grads)
    return ImplRow("same input gradient as seqlab", "reference", gap, 1e-8, gap <= 1e-8,
                   f"d(weighted sum of real outputs)/dx, yours vs seqlab's: max gap {gap:.1e}")


