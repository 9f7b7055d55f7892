"""What the model's own parts receive in its own forward pass: inputs captured by hooks, in their own shape.

The checks of the softmax Jacobian, convex attention, layer-norm gradients, norm placement and permutation
equivariance re-run a float64 copy of each part on exactly these inputs (real hidden states of real text, with
the mask and causal flag the model passed), so they measure the part as the model uses it. A part the forward
pass never reached (or a target without text) gets seeded random inputs instead, and the note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.attention import AttentionMask
from seqlab.proofs.target import LiveTarget, model_output

RANDOM_SHAPE = (2, 8)  # [B, T] of the random inputs a part gets when the model could not be run on text


@dataclass(frozen=True)
class Captured:
    """One part's first call in the model's forward: its input x [B,T,D] (own shape), the mask argument it got
    (a [B,T] bool tensor, an AttentionMask, or None) and the causal flag; `real` is False for random inputs."""

    name: str
    module: nn.Module
    x: torch.Tensor
    mask: Any = None
    causal: bool = False
    real: bool = True


def run_with_hooks(target: LiveTarget, modules: list[tuple[str, nn.Module]]) -> dict[str, tuple[tuple, dict]]:
    """Run the model's own forward on the target's batch once and record (args, kwargs) of each module's first call.

    The model is asked for its attention weights where it accepts that (BERT then runs its padded path, which
    calls every attention module's forward; the values are those of its packed fast path). Empty when there is
    no batch or the model cannot be run on one.
    """
    seen: dict[str, tuple[tuple, dict]] = {}

    def recorder(name: str) -> Callable[..., None]:
        def hook(_module: nn.Module, args: tuple, kwargs: dict) -> None:
            if name not in seen:
                seen[name] = (tuple(a.detach() if isinstance(a, torch.Tensor) else a for a in args), dict(kwargs))

        return hook

    handles = [module.register_forward_pre_hook(recorder(name), with_kwargs=True) for name, module in modules]
    try:
        if target.batch is None:
            return {}
        batch = target.batch
        with torch.no_grad():
            try:
                target.model(batch["input_ids"], batch["attention_mask"], output_attentions=True)
            except TypeError:
                model_output(target.model, batch)
    except (SeqlabError, TypeError, RuntimeError):
        return {}
    finally:
        for handle in handles:
            handle.remove()
    return seen


def _argument(args: tuple, kwargs: dict, position: int, name: str, default: Any) -> Any:
    """The argument at `position` or called `name` in a recorded call."""
    if len(args) > position:
        return args[position]
    return kwargs.get(name, default)


def capture_calls(target: LiveTarget, modules: list[tuple[str, nn.Module]], width: Callable[[nn.Module], int],
                  offset: int) -> tuple[list[Captured], str]:
    """Each module's input x, mask and causal flag from the model's forward (forward(x, attention_mask, causal, ...)
    order), with a note; modules not reached get seeded random x of RANDOM_SHAPE x width (scaled like hidden states)
    and a padding mask with the last three tokens of the second row padded."""
    seen = run_with_hooks(target, modules)
    captured, random_ones = [], 0
    for index, (name, module) in enumerate(modules):
        if name in seen:
            args, kwargs = seen[name]
            x = _argument(args, kwargs, 0, "x", None)
            if isinstance(x, torch.Tensor):
                mask = _argument(args, kwargs, 1, "attention_mask", None)
                causal = bool(_argument(args, kwargs, 2, "causal", False))
                captured.append(Captured(name, module, x, mask, causal))
                continue
        batch, length = RANDOM_SHAPE
        x = target.randn(batch, length, width(module), offset=offset + index) * 2 + 0.5
        mask = torch.ones(batch, length, dtype=torch.bool, device=target.device)
        mask[1, length - 3 :] = False
        captured.append(Captured(name, module, x, mask, False, real=False))
        random_ones += 1
    note = ""
    if random_ones == len(modules) and modules:
        note = "; the model could not be run on text here, so each part got seeded random inputs"
    elif random_ones:
        note = f"; {random_ones} part(s) not reached by the forward pass got seeded random inputs"
    return captured, note


def key_padding(mask: Any, length: int) -> torch.Tensor | None:
    """The [B,T] real-token mask behind a mask argument (a [B,T] tensor or an AttentionMask), None for no padding."""
    if mask is None:
        return None
    if isinstance(mask, AttentionMask):
        if mask.allowed is None or mask.additive is None:  # built without a padding mask
            return None
        return mask.allowed[:, 0, -1, :]  # the last query may see every real key, causal or not
    if isinstance(mask, torch.Tensor) and mask.dim() == 2 and mask.shape[-1] == length:
        return mask.to(torch.bool)
    return None


def visible_keys(mask: Any, causal: bool, batch: int, length: int, device: torch.device) -> torch.Tensor:
    """[B,1,T,T] True where query i may attend to key j under a captured mask argument and causal flag."""
    allowed = torch.ones(batch, 1, length, length, dtype=torch.bool, device=device)
    padding = key_padding(mask, length)
    if padding is not None:
        allowed = allowed & padding.to(device)[:, None, None, :]
    if causal:
        allowed = allowed & torch.ones(length, length, dtype=torch.bool, device=device).tril()
    return allowed


def queries_with_keys(mask: Any, causal: bool, batch: int, heads: int, length: int,
                      device: torch.device) -> torch.Tensor:
    """[B,H,T] True where a query may attend to at least one key (the others output zeros by contract)."""
    return visible_keys(mask, causal, batch, length, device).any(-1).expand(batch, heads, length)
