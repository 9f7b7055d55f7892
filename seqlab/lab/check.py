"""The identities measured on a live model (a run, pretrained BERT or a fresh one), next to their proofs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from seqlab.io import to_jsonable
from seqlab.proofs.checking import check_identities
from seqlab.proofs.render import check_json
from seqlab.proofs.runner import CheckConfig, CheckReport, ProvedIdentity


@dataclass(frozen=True)
class CheckRequest:
    """Which identities (empty: all) on exactly one model: a run folder, pretrained weights or a fresh model."""

    ids: tuple[str, ...] = ()
    run: Path | None = None
    pretrained: bool = False
    checkpoint: Path | None = None  # with pretrained: a Hugging Face BERT folder (default: MiniLM)
    fresh: bool = False
    device: str = "auto"
    seed: int = 0
    strict: bool = False  # fail also when an identity about the model's parts was not measured on them


@dataclass(frozen=True)
class CheckOutcome:
    """The check report: every identity's sympy verdict next to its live measurement."""

    report: CheckReport

    @property
    def all_passed(self) -> bool:
        """True when every identity passed on both faces."""
        return self.report.all_passed

    @property
    def exit_code(self) -> int:
        """What `seqlab check` exits with: 0 when it passed (with strict: on the model's own parts), else 1."""
        return self.report.exit_code

    def to_json(self) -> dict[str, Any]:
        """What `seqlab check --json` prints."""
        return to_jsonable(check_json(self.report))


def run(request: CheckRequest, proved: Sequence[ProvedIdentity] = ()) -> CheckOutcome:
    """Build the request's model and check its identities on it (proofs already in `proved` are not redone)."""
    config = CheckConfig(ids=request.ids, run=request.run, pretrained=request.pretrained,
                         checkpoint=request.checkpoint, fresh=request.fresh, device=request.device,
                         seed=request.seed, strict=request.strict)
    return CheckOutcome(check_identities(config, proved=proved))
