"""--freeze: keep a classifier's body fixed and train only its head (the frozen-feature setting)."""

from __future__ import annotations

import torch
from torch import nn

from seqlab.errors import SeqlabError


def head_name(model: nn.Module) -> str:
    """The name of the model's classification head: "head" when it has one, else "classifier"."""
    return "head" if getattr(model, "head", None) is not None else "classifier"


def shared_with_body(model: nn.Module) -> list[str]:
    """Names of body parameters the head also holds (tied weights, such as a decoder tied to the word embeddings)."""
    head = getattr(model, head_name(model), None)
    if head is None:
        return []
    held = {key for p in head.parameters() for key in _memory(p)}
    prefix = head_name(model) + "."
    return [
        name for name, p in model.named_parameters(remove_duplicate=False)
        if not name.startswith(prefix) and held & _memory(p)
    ]


def _memory(parameter: torch.Tensor) -> set[tuple[str, int]]:
    """What identifies a parameter's memory: the object, and its storage when it has one (views share it)."""
    keys = {("object", id(parameter))}
    if parameter.numel() and parameter.device.type != "meta":
        keys.add(("storage", parameter.untyped_storage().data_ptr()))
    return keys


def freeze_body(model: nn.Module) -> None:
    """Turn off requires_grad for every parameter but the classification head's.

    SeqlabError when the model has no separate head, or when its head shares a tensor with the body: training that
    head would move the shared body tensor, so the body would not stay frozen.
    """
    head = getattr(model, "head", None) or getattr(model, "classifier", None)
    if head is None:
        raise SeqlabError("--freeze needs a model with a separate classification head; this family has none")
    shared = shared_with_body(model)
    if shared:
        raise SeqlabError(
            f"--freeze cannot train this head alone: it shares {', '.join(shared)} with the body (tied weights), so "
            "training it would move the body; untie the head or train without --freeze"
        )
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for parameter in head.parameters():
        parameter.requires_grad_(True)


def body_parameters(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter outside the classification head, by name: what --freeze keeps fixed."""
    head = head_name(model)
    return {name: p for name, p in model.named_parameters() if name.split(".")[0] != head}
