"""--freeze: keep a classifier's body fixed and train only its head (the frozen-feature setting)."""

from __future__ import annotations

import torch
from torch import nn

from seqlab.errors import SeqlabError


def head_name(model: nn.Module) -> str:
    """The name of the model's classification head: "head" when it has one, else "classifier"."""
    return "head" if getattr(model, "head", None) is not None else "classifier"


def freeze_body(model: nn.Module) -> None:
    """Turn off requires_grad for every parameter but the classification head's (SeqlabError when there is none)."""
    head = getattr(model, "head", None) or getattr(model, "classifier", None)
    if head is None:
        raise SeqlabError("--freeze needs a model with a separate classification head; this family has none")
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for parameter in head.parameters():
        parameter.requires_grad_(True)


def body_parameters(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter outside the classification head, by name: what --freeze keeps fixed."""
    head = head_name(model)
    return {name: p for name, p in model.named_parameters() if name.split(".")[0] != head}
