"""Running a padded batch's position-wise layers on its real tokens only.

In a batch padded to length T, every Linear, LayerNorm, GELU and dropout of a Transformer layer also
runs on the padding, and its result is thrown away. Those position-wise parts are nearly all of a small
BERT's work, so packing the real tokens of all rows into one [N, D] matrix (N = real tokens) and padding
back to [B, T, ...] only around the attention itself saves the padding share of the compute. Each real
token's vector is the same either way; padded positions come back as zeros.

This pays on the CPU, where compute is the cost. On a GPU a small model is bound by kernel launches, and
finding the real tokens (`nonzero`) makes the host wait for the device every step and gives every batch a
new shape, which rules out CUDA graphs; there the padded path runs (length bucketing keeps padding small).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PackedTokens:
    """Where the real tokens of a [B, T] batch sit, to move activations between [B, T, D] and [N, D]."""

    index: torch.Tensor  # [N] flat positions b*T + t of the real tokens, in order
    mask: torch.Tensor  # [B, T] bool, True = real token
    batch: int
    length: int

    @classmethod
    def of(cls, attention_mask: torch.Tensor | None) -> "PackedTokens | None":
        """The packing of a key-padding mask, or None when it would not help (no padding, an empty row, or
        a mask on a GPU, where the padded path is faster and free of host synchronisation)."""
        if attention_mask is None or attention_mask.device.type != "cpu":
            return None
        mask = attention_mask.to(torch.bool)
        per_row = mask.sum(dim=1)
        if bool((per_row == mask.size(1)).all()) or not bool((per_row > 0).all()):
            return None  # nothing to skip, or a row with no token (the padded path defines its output)
        return cls(mask.reshape(-1).nonzero().squeeze(1), mask, mask.size(0), mask.size(1))

    def unpad(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T, D] -> [N, D]: the real tokens' rows."""
        return x.reshape(self.batch * self.length, -1).index_select(0, self.index)

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """[N, D] -> [B, T, D], zeros at padded positions."""
        out = x.new_zeros(self.batch * self.length, x.size(-1))
        return out.index_copy(0, self.index, x).view(self.batch, self.length, -1)
