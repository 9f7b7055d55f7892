"""Checking a learner's sinusoidal positional encoding: the table against Vaswani et al.'s (interleaved, or the
[sin | cos] halves), seqlab's position identities measured on their table, and the named bugs."""

from __future__ import annotations


from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from seqlab.impl.compare import Bug, diagnose, max_diff
from seqlab.impl.report import REFERENCE, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.impl.wrapping import run_identities
from seqlab.models.positions import SinusoidalPositions
from seqlab.models.transformer import TransformerClassifier, TransformerConfig
from seqlab.proofs.target import random_batch

SIZES = ((50, 16), (1, 8), (128, 64))
TOLERANCE = 1e-4  # float32 tables: angles of a few hundred radians carry ~1e-5 error


def table(T: int, d: int, base: float = 10000.0, exponent: float = 2.0, start: int = 0, swap: bool = False,
          halves: bool = False) -> torch.Tensor:
    """A sinusoidal table [T, d] in float64, right (the defaults) or with one of the usual bugs."""
    position = torch.arange(start, start + T, dtype=torch.float64)[:, None]
    i = torch.arange(d // 2, dtype=torch.float64)
    angle = position / base ** (exponent * i / d)
    first, second = (torch.cos(angle), torch.sin(angle)) if swap else (torch.sin(angle), torch.cos(angle))
    if halves:
        return torch.cat([first, second], dim=-1)
    out = torch.zeros(T, d, dtype=torch.float64)
    out[:, 0::2], out[:, 1::2] = first, second
    return out


def as_table(value: Any, T: int, d: int) -> torch.Tensor:
    """The learner's table as [T, d] float64 (a leading batch axis of 1 is dropped)."""
    if not isinstance(value, torch.Tensor):
        raise ContractError(f"positional_encoding must return a tensor, not {type(value).__name__}")
    if value.dim() == 3 and value.shape[0] == 1:
        value = value[0]
    return value.detach().to(torch.float64)


def model_with(values: torch.Tensor, seed: int) -> tuple[nn.Module, dict[str, torch.Tensor]]:
    """A small seqlab Transformer classifier whose sinusoidal table is the learner's [T, d] one (its forward adds it
    to the token embeddings), and a seeded batch of token ids for it."""
    length, width = values.shape
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        config = TransformerConfig(vocab_size=50, d_model=width, n_heads=4, n_layers=1, d_ff=64, max_len=length,
                                   dropout=0.0, positions="sinusoidal", pad_id=0)
        model = TransformerClassifier(config, num_labels=2)
    for module in model.modules():
        if isinstance(module, SinusoidalPositions):
            module.table = values.to(torch.float32)
    return model, random_batch(50, 0, seed, torch.device("cpu"))


BUGS = (
    ("sin/cos swapped", "even columns are sin, odd columns cos (PE[p, 2i] = sin, PE[p, 2i+1] = cos)",
     dict(swap=True)),
    ("sin/cos swapped ([cos | sin] halves)", "the first half is sin, the second cos", dict(swap=True, halves=True)),
    ("exponent i/d instead of 2i/d", "the angle is p / 10000^(2i/d), with i the pair index (0 .. d/2 - 1)",
     dict(exponent=1.0)),
    ("exponent 2i/d with i the column index", "i counts pairs: column 2i and 2i+1 share the angle p / 10000^(2i/d)",
     dict(exponent=4.0)),
    ("positions start at 1", "positions are 0 .. T-1: torch.arange(T)", dict(start=1)),
    ("base 1000 instead of 10000", "the base is 10000", dict(base=1000.0)),
)


def check_positions(fn: Callable[[int, int], Any], where: Path | None, seed: int = 0) -> tuple[list[ImplRow],
                                                                                               list[Diagnosis]]:
    """Every check of the positions kind on the learner's function."""
    tables = [as_table(call(fn, T, d, where=where), T, d) for T, d in SIZES]
    interleaved = max(max_diff(got, table(T, d)) for got, (T, d) in zip(tables, SIZES))
    halves = max(max_diff(got, table(T, d, halves=True)) for got, (T, d) in zip(tables, SIZES))
    layout = "interleaved" if interleaved <= halves else "[sin | cos] halves"
    worst = min(interleaved, halves)
    shapes = [tuple(t.shape) for t in tables]
    detail = (f"sizes (T, d) {SIZES}; closest layout {layout}: max |yours - the formula| {worst:.1e}"
              if all(s == size for s, size in zip(shapes, SIZES)) else f"shapes {shapes} for (T, d) = {SIZES}")
    rows = [ImplRow("same table as the formula", REFERENCE, worst, TOLERANCE, worst <= TOLERANCE, detail)]
    diagnoses: list[Diagnosis] = []
    if not rows[0].passed:
        diagnoses = diagnose(tables, [Bug(name, advice, lambda i, spec=s: table(*SIZES[i], **spec))
                                      for name, advice, s in BUGS], TOLERANCE)
        if any(t.shape[0] == size[1] and t.shape[1] == size[0] and size[0] != size[1] for t, size in zip(tables, SIZES)):
            diagnoses.append(Diagnosis("table transposed", "return [T, d] (one row per position), not [d, T]"))
    if tuple(tables[-1].shape) == SIZES[-1]:
        model, batch = model_with(tables[-1], seed)
        rows.extend(run_identities(model, "sinusoidal positions", (), seed, batch))
    return rows, diagnoses


