"""Position information for Transformers: the fixed sinusoidal table (Vaswani et al.) or learned vectors."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.errors import SeqlabError


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """The table PE [max_len, d_model]: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same angle)."""
    position = torch.arange(max_len, dtype=torch.float32)[:, None]  # [L,1]
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    angle = position * frequency  # [L, ceil(d/2)]
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return table


def _check_length(length: int, max_len: int) -> None:
    if length > max_len:
        raise SeqlabError(
            f"a sequence of {length} tokens is longer than the model's max_len {max_len}; "
            "truncate the input (--max-length) or build the model with a larger max_len"
        )


class SinusoidalPositions(nn.Module):
    """Fixed sin/cos position vectors: no parameters, and the table is not saved in checkpoints."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__()
        self.max_len = max_len
        self.register_buffer("table", sinusoidal_table(max_len, d_model), persistent=False)

    def forward(self, length: int) -> torch.Tensor:
        """Position vectors [length, d_model] for positions 0 .. length-1."""
        _check_length(length, self.max_len)
        return self.table[:length]


class LearnedPositions(nn.Module):
    """One trained vector per position (as BERT and GPT do): max_len * d_model parameters."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__()
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.embedding.weight, std=0.02)

    def forward(self, length: int) -> torch.Tensor:
        """Position vectors [length, d_model] for positions 0 .. length-1."""
        _check_length(length, self.max_len)
        return self.embedding.weight[:length]


def make_positions(kind: str, d_model: int, max_len: int) -> nn.Module:
    """Build "sinusoidal" or "learned" positions; SeqlabError for anything else."""
    if kind == "sinusoidal":
        return SinusoidalPositions(d_model, max_len)
    if kind == "learned":
        return LearnedPositions(d_model, max_len)
    raise SeqlabError(f"unknown positions {kind!r}; use 'sinusoidal' or 'learned'")
