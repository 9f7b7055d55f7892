"""The dropout checks the module kinds share: a learner's module built with dropout 0.5 must give, in eval mode,
exactly what it gives with dropout 0 (the classic bug: F.dropout without training=self.training)."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from seqlab.impl.compare import max_diff
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow

DROPOUT = 0.5  # the rate the dropout checks build the learner's module with


def applied_in_eval(worst: float) -> Diagnosis:
    """The named bug of a module whose eval-mode output still changes with its dropout rate."""
    return Diagnosis("dropout applied in eval mode", "use nn.Dropout (or F.dropout(..., training=self.training)): "
                     "model.eval() must turn it off", f"max diff {worst:.1e}")


def same_weights(noisy: nn.Module, module: nn.Module, what: str, tolerance: float) -> ImplRow | None:
    """Copy the checked module's weights into the one built with dropout; a failed row when they do not fit (the
    dropout argument changed the parameters), else None."""
    try:
        noisy.load_state_dict(module.state_dict())
    except RuntimeError:
        return ImplRow("dropout off in eval", PROPERTY, float("inf"), tolerance, False,
                       f"the {what} built with dropout {DROPOUT} has other parameters than with dropout 0")
    return None


def off_in_eval(output: Callable[[], torch.Tensor], want: torch.Tensor,
                tolerance: float) -> tuple[ImplRow, list[Diagnosis]]:
    """Two eval-mode calls of the module built with dropout (`output`) against dropout 0's output `want`."""
    with torch.no_grad():
        worst = max(max_diff(output(), want) for _ in range(2))
    row = ImplRow("dropout off in eval", PROPERTY, worst, tolerance, worst <= tolerance,
                  f"built with dropout {DROPOUT}, eval mode, two calls: max |yours - dropout 0| {worst:.1e}")
    return row, ([] if worst <= tolerance else [applied_in_eval(worst)])
