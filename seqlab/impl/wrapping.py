"""Running seqlab's own identities (seqlab.proofs) on a learner's code: the code sits inside a thin model whose
parts are the classes the checks read, so each row is measured on the learner's code (MODEL)."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from seqlab.device import cpu_threads
from seqlab.impl.report import IDENTITY, ImplRow
from seqlab.impl.student import NotImplementedYet, StudentError
from seqlab.proofs import all_identities
from seqlab.proofs.base import NOT_APPLICABLE
from seqlab.proofs.parts import settle
from seqlab.proofs.target import LiveTarget


# Notes of seqlab.proofs about a model it could not run on text: true, and beside the point for one part on its own.
NOTES = ("; the model could not be run on text here, so each part got seeded random inputs",
         "; the model could not be run on text here, so each LayerNorm got random vectors")


class Holder(nn.Module):
    """A model with one part (the wrapped learner's code), as the identities' targets expect."""

    def __init__(self, part: nn.Module) -> None:
        super().__init__()
        self.part = part

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the part on x."""
        out = self.part(x)
        return out[0] if isinstance(out, tuple) else out


def run_identities(part: nn.Module, about: str, skip: Sequence[str] = (), seed: int = 0,
                   batch: dict[str, torch.Tensor] | None = None) -> list[ImplRow]:
    """Check every identity of seqlab.proofs about `about` (a seqlab.proofs.parts name) on `part`, on the CPU in
    float64; an identity whose row was not measured on the part itself comes back as a STAND_IN row (it never
    counts as a pass). The learner's exception inside a check is that row's failure, in one line. With `batch`
    (token ids for a seqlab model), `part` is a whole seqlab model that holds the learner's code, run on it."""
    model = (part if batch is not None else Holder(part)).to(torch.float64).eval()
    target = LiveTarget(model, torch.device("cpu"), seed, "your code", batch)
    rows = []
    with cpu_threads(1):
        for identity in all_identities():
            if identity.part != about or identity.id in skip:
                continue
            try:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    result = settle(identity.check(target), target, identity.part)
            except NotImplementedYet:
                raise
            except StudentError as exc:
                rows.append(ImplRow(identity.id, IDENTITY, float("inf"), 0.0, False, f"your code raised {exc}"))
                continue
            if result.measured_on == NOT_APPLICABLE:  # e.g. causal-mask on a part that was not asked to be causal
                continue
            detail = result.detail
            for note in NOTES:
                detail = detail.replace(note, "")
            rows.append(ImplRow(identity.id, IDENTITY, float(result.measured), float(result.tolerance),
                                bool(result.passed), detail, result.measured_on))
    return rows
