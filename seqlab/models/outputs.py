"""What classifiers and language models return."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ClassifierOutput:
    """A classifier's answer: logits [B,C], and per-layer attention probabilities [B,H,T,T] when asked."""

    logits: torch.Tensor
    attentions: list[torch.Tensor] | None = None


@dataclass(frozen=True)
class LMOutput:
    """A language model's answer: next-token logits [B,T,V], and per-layer attentions when asked."""

    logits: torch.Tensor
    attentions: list[torch.Tensor] | None = None
