"""Checking a learner's causal-mask builder: the mask for several lengths against j <= i, causality measured by
attending with their mask, and the named bugs (inverted, diagonal excluded, transposed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import torch

from seqlab.impl.compare import Bug, diagnose, parity_row
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.models.attention import causal_mask, scaled_dot_product

LENGTHS = (1, 2, 5, 9)


def allowed_of(mask: Any) -> torch.Tensor:
    """The learner's mask as bools (True = may attend): a bool mask as it is; a float mask of only 0s and 1s with 1 =
    may attend; any other float mask is additive (0 = may attend, very negative = may not)."""
    if not isinstance(mask, torch.Tensor):
        raise ContractError(f"causal_mask must return a tensor, not {type(mask).__name__}")
    if mask.dtype == torch.bool:
        return mask
    values = mask.detach().double()
    if bool(((values == 0) | (values == 1)).all()) and bool((values == 1).any()):
        return values == 1
    return values > -1e4


def check_causal_mask(fn: Callable[[int], Any], where: Path | None, seed: int = 0) -> tuple[list[ImplRow],
                                                                                            list[Diagnosis]]:
    """Every check of the causal-mask kind on the learner's function."""
    masks = [allowed_of(call(fn, length, where=where)) for length in LENGTHS]
    want = [causal_mask(length) for length in LENGTHS]
    rows = [parity_row("same mask as j <= i", [m.to(torch.float64) for m in masks],
                       [w.to(torch.float64) for w in want], 0.0, f"T in {LENGTHS}; 1 = may attend")]
    rows.append(causality_row(masks, seed))
    rows.append(self_row(masks))
    bugs = [
        Bug("mask inverted", "True (or 0 in an additive mask) must mean 'may attend': you marked the blocked pairs",
            lambda i: (~want[i]).double()),
        Bug("causal mask off by one (diagonal excluded)", "a token may attend to itself: use tril() (diagonal=0), "
            "not tril(-1) / triu(0) inverted", lambda i: torch.ones(LENGTHS[i], LENGTHS[i]).tril(-1)),
        Bug("causal mask transposed (the future, not the past)", "query i (row) sees keys j <= i: tril, not triu",
            lambda i: torch.ones(LENGTHS[i], LENGTHS[i]).triu()),
    ]
    diagnoses = diagnose([m.double() for m in masks], bugs, 0.0) if not rows[0].passed else []
    if not rows[0].passed and not diagnoses:
        diagnoses = counted_bugs(masks[-1], want[-1])
    return rows, diagnoses


def counted_bugs(mask: torch.Tensor, want: torch.Tensor) -> list[Diagnosis]:
    """Bugs told by counting the pairs the learner's mask gets wrong (for the longest T): future keys let through,
    past keys blocked."""
    if mask.shape != want.shape:
        return []
    found = []
    future = int((mask & ~want).sum())
    past = int((~mask & want).sum())
    length = want.shape[0]
    if future:
        first = int((mask & ~want).nonzero()[0][0])
        found.append(Diagnosis("future keys allowed", "query i may attend to keys j <= i only: torch.tril(ones(T, T)) "
                               "with diagonal=0", f"{future} (query, key) pairs with key after query let through for "
                               f"T = {length}, the first at query {first}"))
    if past:
        first = int((~mask & want).nonzero()[0][0])
        found.append(Diagnosis("past keys blocked", "query i may attend to every key j <= i, not only some of them",
                               f"{past} of the {int(want.sum())} allowed (query, key) pairs blocked for T = {length}, "
                               f"the first at query {first}"))
    return found


def causality_row(masks: list[torch.Tensor], seed: int) -> ImplRow:
    """Attend with the learner's mask; change the keys and values after position t; the output at t must not move
    (measured on their mask, for every t)."""
    generator = torch.Generator().manual_seed(seed)
    mask = masks[-1]
    length = LENGTHS[-1]
    if tuple(mask.shape) != (length, length):
        return ImplRow("outputs ignore the future", PROPERTY, float("inf"), 0.0, False,
                       f"the mask for T = {length} has shape {tuple(mask.shape)}, not [{length}, {length}]")
    q, k, v = (torch.randn(1, length, 8, generator=generator, dtype=torch.float64) for _ in range(3))
    out, _ = scaled_dot_product(q, k, v, mask)
    worst = 0.0
    for t in range(length - 1):
        k2, v2 = k.clone(), v.clone()
        k2[:, t + 1:] = torch.randn(1, length - t - 1, 8, generator=generator, dtype=torch.float64)
        v2[:, t + 1:] = torch.randn(1, length - t - 1, 8, generator=generator, dtype=torch.float64)
        changed, _ = scaled_dot_product(q, k2, v2, mask)
        worst = max(worst, float((changed[:, : t + 1] - out[:, : t + 1]).abs().max()))
    return ImplRow("outputs ignore the future", PROPERTY, worst, 0.0, worst == 0.0,
                   f"attention with your mask for T = {length}: changing the keys and values after t moves the "
                   f"outputs at positions <= t by up to {worst:.1e} (must be exactly 0)")


def self_row(masks: list[torch.Tensor]) -> ImplRow:
    """Every query may attend to itself (so no row is empty: an empty row makes the softmax NaN)."""
    missing = sum(int((~m.diagonal()).sum()) for m in masks if m.dim() == 2 and m.shape[0] == m.shape[1])
    return ImplRow("each token sees itself", PROPERTY, float(missing), 0.0, missing == 0,
                   f"{missing} diagonal entries blocked over T in {LENGTHS} (the first query would have no key at all)")
