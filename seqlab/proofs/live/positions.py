"""The live checks of seqlab.proofs.positions (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any, Callable

import torch
from torch import nn

from seqlab.models.positions import SinusoidalPositions
from seqlab.proofs.base import CheckResult, MODEL
from seqlab.proofs.positions import PositionalDotProduct, SinusoidalRotation
from seqlab.proofs.target import (
    Found,
    LiveTarget,
    find_modules,
    measuring_copy,
    model_output,
    sinusoidal_modules,
    text_batch,
)


TOLERANCE = 1e-4  # the tables are float32: angles up to a few hundred radians carry ~1e-5 error
SHIFTS = (1, 3, 17)


def sinusoidal_tables(target: LiveTarget) -> Found:
    """Found(tables): each sinusoidal module's table [L, d] (at most 512 positions) in float64 on the CPU."""
    modules, note, on = sinusoidal_modules(target)
    tables = []
    for _, module in modules:
        with torch.no_grad():
            tables.append(module(min(int(getattr(module, "max_len", 128)), 512)).cpu().to(torch.float64))
    return Found(tables, note, on)


def _sizes(tables: list[torch.Tensor]) -> str:
    """'128x64, 512x32': the tables' shapes."""
    return ", ".join(f"{length}x{d}" for length, d in (table.shape for table in tables))


@dataclass(frozen=True)
class Pairing:
    """Where a sinusoidal table keeps each frequency's sine and cosine: `sines[i]`, `cosines[i]` are the
    coordinates of frequency i (fastest first); `layout` names it for people."""

    sines: tuple[int, ...]
    cosines: tuple[int, ...]
    layout: str


def detect_pairing(table: torch.Tensor) -> Pairing:
    """Read the sin/cos pairing off a table [L, d]: at p = 0 a sine is 0 and a cosine 1; at p = 1 each turns by its
    frequency (every w_i <= 1 rad), so sines and cosines sorted by that angle pair up frequency by frequency."""
    d = table.shape[1]
    first = table[0]
    sines = [j for j in range(d) if abs(float(first[j])) < 1e-6]
    cosines = [j for j in range(d) if abs(float(first[j]) - 1) < 1e-6]
    if len(table) > 1:
        second = table[1].clamp(-1, 1)
        sines.sort(key=lambda j: -math.asin(float(second[j])))
        cosines.sort(key=lambda j: -math.acos(float(second[j])))
    if sines == list(range(0, d, 2)) and cosines == list(range(1, d, 2)):
        layout = "interleaved (sin 2i, cos 2i+1)"
    elif sines == list(range(0, d // 2)) and cosines == list(range(d // 2, d)):
        layout = "halves [sin | cos] (tensor2tensor)"
    elif sines == list(range(1, d, 2)) and cosines == list(range(0, d, 2)):
        layout = "swapped (cos 2i, sin 2i+1)"
    elif len(sines) + len(cosines) == d:
        layout = f"other: sines at {sines[:3]}..., cosines at {cosines[:3]}..."
    else:
        layout = f"unrecognised: {d - len(sines) - len(cosines)} coordinates are neither sin(0) = 0 nor cos(0) = 1"
    return Pairing(tuple(sines), tuple(cosines), layout)


def interleaved(d: int) -> Pairing:
    """The layout of seqlab's table (Vaswani et al.): sin at 2i, cos at 2i+1."""
    return Pairing(tuple(range(0, d, 2)), tuple(range(1, d, 2)), "interleaved (sin 2i, cos 2i+1)")


def block_rotation(d: int, k: int, pairing: Pairing | None = None) -> torch.Tensor:
    """The d x d matrix that moves a sinusoidal position vector k steps: a 2x2 rotation by k w_i on the
    (sin, cos) coordinates of frequency i, w_i = 10000^(-2i/d); `pairing` says where they are (interleaved)."""
    pairing = pairing or interleaved(d)
    rotation = torch.zeros(d, d, dtype=torch.float64)
    for i, (sine, cosine) in enumerate(zip(pairing.sines, pairing.cosines)):
        angle = k * math.exp(-math.log(10000.0) * 2 * i / d)
        c, s = math.cos(angle), math.sin(angle)
        rotation[sine, sine], rotation[sine, cosine] = c, s
        rotation[cosine, sine], rotation[cosine, cosine] = -s, c
    for i in range(len(pairing.cosines), len(pairing.sines)):
        # an odd width ends with a lone sine whose cosine partner is missing: no exact rotation
        lone = pairing.sines[i]
        rotation[lone, lone] = math.cos(k * math.exp(-math.log(10000.0) * 2 * i / d))
    return rotation


def positions_in_model(target: LiveTarget, parts: dict[str, float]) -> str:
    """Measure that the model's own forward adds its sinusoidal table: the first block's input minus the scaled
    token embedding must be PE[:T] (where the encoder is wired like seqlab's), and removing the positions (their
    module returns zeros) must change the output. Records both in `parts`; returns the detail's sentence."""
    batch = text_batch(target)
    if batch is None:
        parts["positions not in the model's forward"] = 1.0
        return "; the model's own forward could not be run (no text, no embedding), so its use of the table is unmeasured"
    model, _ = measuring_copy(target.model, target)
    found = find_modules(model, (SinusoidalPositions,))
    name, positions = found[0]
    wiring = encoder_wiring(model, positions)
    sentences = []
    seen: dict[str, torch.Tensor] = {}

    def keep(key: str) -> Callable[..., None]:
        def hook(_module: nn.Module, args: Any, output: Any = None) -> None:  # returns None: changes nothing
            seen.setdefault(key, args[0] if output is None else output)

        return hook

    calls: list[nn.Module] = []  # the encoder's direct children in the order they run
    handles = [positions.register_forward_hook(keep("positions"))]
    if wiring is not None:
        encoder, embedding, first_block, scale = wiring
        handles.append(embedding.register_forward_hook(keep("embedding")))
        handles.append(first_block.register_forward_pre_hook(keep("block input")))
        for child in [*encoder.children(), first_block]:
            handles.append(child.register_forward_pre_hook(lambda module, _args: calls.append(module)))
    try:
        with torch.no_grad():
            base = model_output(model, batch).double()
    finally:
        for handle in handles:
            handle.remove()
    length = batch["input_ids"].shape[1]
    with torch.no_grad():
        table = positions(length).double()
    between = []
    if wiring is not None and first_block in calls:
        allowed = (embedding, positions)
        between = [type(m).__name__ for m in calls[: calls.index(first_block)]
                   if not any(m is a for a in allowed) and not isinstance(m, nn.Dropout)]
    if between:
        sentences.append(
            f"a {between[0]} runs between the embeddings and the first block, so its input is not compared with PE"
        )
    elif wiring is not None and "embedding" in seen and "block input" in seen:
        embedded = seen["embedding"].double()
        if scale is None:  # no stated scale: the one that fits best (a model that adds nothing still misses PE)
            residual = seen["block input"].double() - table
            scale = float((residual * embedded).sum() / (embedded * embedded).sum().clamp_min(1e-30))
        gap = float((seen["block input"].double() - scale * embedded - table).abs().max())
        parts["first block input - scale * embedding - PE[:T]"] = gap
        sentences.append(
            f"first block's input minus {scale:.3g} x the token embedding vs PE[:{length}]: max gap {gap:.1e}"
        )
    else:
        sentences.append("the encoder is not wired like seqlab's, so the first block's input was not compared with PE")
    handle = positions.register_forward_hook(lambda _m, _a, out: torch.zeros_like(out))
    try:
        with torch.no_grad():
            removed = model_output(model, batch).double()
    finally:
        handle.remove()
    change = float((removed - base).abs().max())
    parts["positions not in the model's forward"] = 0.0 if "positions" in seen and change > target.rounding else 1.0
    ran = "" if "positions" in seen else "; the positions module never ran"
    sentences.append(f"output change with the positions removed {change:.1e} (want > 0){ran}")
    return f"; whole {type(target.model).__name__} ({name}): " + ", ".join(sentences)


def encoder_wiring(
    model: nn.Module, positions: nn.Module
) -> tuple[nn.Module, nn.Module, nn.Module, float | None] | None:
    """(encoder, token embedding, first block, embedding scale) of the encoder that owns `positions`, wired like
    seqlab's TransformerEncoder (an nn.Embedding, the positions, a ModuleList of blocks); None otherwise. The scale is
    sqrt(d) or 1 by the encoder's config.scale_embeddings, None when it states none."""
    for module in model.modules():
        children = list(module.children())
        if not any(child is positions for child in children):
            continue
        embeddings = [child for child in children if isinstance(child, nn.Embedding)]
        blocks = [child for child in children if isinstance(child, nn.ModuleList) and len(child)]
        if not embeddings or not blocks:
            return None
        config = getattr(module, "config", None)
        stated = getattr(config, "scale_embeddings", None)
        scale = None if stated is None else (math.sqrt(embeddings[0].embedding_dim) if stated else 1.0)
        return module, embeddings[0], blocks[0][0], scale
    return None


DOT_SHIFTS = 24  # shifts k = 0 .. DOT_SHIFTS - 1 measured on the table


def check_sinusoidal_rotation(identity: SinusoidalRotation, target: LiveTarget) -> CheckResult:
    """Read the model's sinusoidal table and its sin/cos pairing, build the block rotation for several k,
    measure the max error; then measure that the model's forward really adds the table."""
    tables, note, on = sinusoidal_tables(target)
    worst = 0.0
    layouts = []
    for table in tables:
        length, d = table.shape
        pairing = detect_pairing(table)
        layouts.append(pairing.layout)
        for k in SHIFTS:
            if k >= length:
                continue
            rotation = block_rotation(d, k, pairing)
            predicted = table[: length - k] @ rotation.T
            worst = max(worst, float((predicted - table[k:]).abs().max()))
    parts = {"rotation error": worst}
    whole = positions_in_model(target, parts) if on == MODEL else ""
    measured = max(parts.values())
    detail = (
        f"{len(tables)} sinusoidal table(s) ({_sizes(tables)}; pairing read off the table: "
        f"{', '.join(dict.fromkeys(layouts))}); block rotation R_k for k in {SHIFTS} applied to every position; "
        f"max |R_k PE(p) - PE(p+k)| {worst:.1e}{whole}{note}"
    )
    return CheckResult(measured, TOLERANCE, measured <= TOLERANCE, detail, extra=parts, measured_on=on)


def check_positional_dot_product(identity: PositionalDotProduct, target: LiveTarget) -> CheckResult:
    """Every dot product PE(p).PE(p+k) of the model's table, by k: spread over p, and distance from sum cos(k w_i)."""
    tables, note, on = sinusoidal_tables(target)
    spread = formula_gap = 0.0
    for table in tables:
        length, d = table.shape
        gram = table @ table.T
        frequencies = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
        for k in range(min(DOT_SHIFTS, length)):
            values = torch.diagonal(gram, offset=k)  # PE(p) . PE(p+k) for every p
            spread = max(spread, float(values.max() - values.min()))
            if d % 2 == 0:  # an odd width's lone sine has no cosine partner: only the spread is claimed
                expected = float(torch.cos(k * frequencies).sum())
                formula_gap = max(formula_gap, float((values - expected).abs().max()))
    extra = {"spread over p": spread, "formula gap": formula_gap}
    whole = positions_in_model(target, extra) if on == MODEL else ""
    measured = max(extra.values())
    tolerance = 10 * TOLERANCE  # a sum of d/2 float32 products
    detail = (
        f"{len(tables)} sinusoidal table(s) ({_sizes(tables)}); for k = 0..{DOT_SHIFTS - 1}: spread over p of "
        f"PE(p).PE(p+k) {spread:.1e} (want 0), max |PE(p).PE(p+k) - sum_i cos(k w_i)| {formula_gap:.1e}{whole}{note}"
    )
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
