"""Running identities: the selections and what they give (proving needs only sympy; checking is
seqlab.proofs.checking, with torch)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from seqlab.errors import SeqlabError
from seqlab.proofs import select
from seqlab.proofs.base import MODEL, NOT_APPLICABLE, STAND_IN, CheckResult, Identity, ProofResult


@dataclass(frozen=True)
class ProveConfig:
    """Which identities to prove (empty: all) and where to write a LaTeX copy (None: nowhere)."""

    ids: tuple[str, ...] = ()
    latex: Path | None = None


@dataclass(frozen=True)
class CheckConfig:
    """What to check on: exactly one of a run folder, pretrained weights, or a fresh model; plus device and seed."""

    ids: tuple[str, ...] = ()
    run: Path | None = None
    pretrained: bool = False
    checkpoint: Path | None = None
    fresh: bool = False
    device: str = "auto"
    seed: int = 0
    strict: bool = False  # exit non-zero also when an identity about the model's parts was not measured on them

    def __post_init__(self) -> None:
        options = (("--run", self.run is not None), ("--pretrained", self.pretrained), ("--fresh", self.fresh))
        chosen = [name for name, on in options if on]
        if len(chosen) != 1:
            what = "none" if not chosen else " and ".join(chosen)
            raise SeqlabError(
                f"choose exactly one model to check ({what} given): --run RUN, --pretrained [--checkpoint DIR] or --fresh"
            )
        if self.checkpoint is not None and not self.pretrained:
            raise SeqlabError("--checkpoint only goes with --pretrained; add --pretrained or drop --checkpoint")


@dataclass(frozen=True)
class ProvedIdentity:
    """One identity and its symbolic proof."""

    identity: Identity
    proof: ProofResult


@dataclass(frozen=True)
class CheckedIdentity:
    """One identity with its symbolic verdict and its live measurement."""

    identity: Identity
    verified: bool
    check: CheckResult

    @property
    def applicable(self) -> bool:
        """False when the identity does not apply to this model (its row is neither a pass nor a failure)."""
        return self.check.measured_on != NOT_APPLICABLE

    @property
    def passed(self) -> bool:
        """An applicable identity whose two faces agree: sympy verified it and the live measurement met the tolerance."""
        return self.applicable and self.verified and self.check.passed

    @property
    def failed(self) -> bool:
        """An applicable identity that sympy did not verify or whose live measurement missed the tolerance."""
        return self.applicable and not (self.verified and self.check.passed)

    @property
    def verdict(self) -> str:
        """'pass', 'FAIL' or 'not applicable'."""
        return "not applicable" if not self.applicable else ("pass" if self.passed else "FAIL")


@dataclass(frozen=True)
class CheckReport:
    """Every checked identity and what they were measured on."""

    source: str
    device: str
    seed: int
    rows: tuple[CheckedIdentity, ...]
    strict: bool = False

    @property
    def all_passed(self) -> bool:
        """True when no applicable identity failed (rows that do not apply to the model are neither way)."""
        return not any(row.failed for row in self.rows)

    @property
    def not_measured(self) -> tuple[CheckedIdentity, ...]:
        """Identities about a part the model has (or may have) that were measured only on a stand-in."""
        return tuple(row for row in self.rows if row.check.measured_on == STAND_IN)

    @property
    def not_applicable(self) -> tuple[CheckedIdentity, ...]:
        """Identities that do not apply to this model (it has no such part)."""
        return tuple(row for row in self.rows if not row.applicable)

    @property
    def strict_passed(self) -> bool:
        """True when nothing failed and every applicable identity was measured on the model itself."""
        return self.all_passed and not self.not_measured

    @property
    def exit_code(self) -> int:
        """0 when it passed (under `strict`: and every applicable identity was measured on the model), else 1."""
        return 0 if (self.strict_passed if self.strict else self.all_passed) else 1

    def counts(self) -> dict[str, int]:
        """How many rows were measured on the model itself, only on stand-ins (not measured on the model), and
        do not apply to it; and how many of the first two passed."""
        own = [row for row in self.rows if row.check.measured_on == MODEL]
        stand_ins = self.not_measured
        return {
            "model": len(own),
            "model_passed": sum(row.passed for row in own),
            "stand_in": len(stand_ins),
            "stand_in_passed": sum(row.passed for row in stand_ins),
            "not_applicable": len(self.not_applicable),
        }


def prove_identities(ids: Sequence[str]) -> list[ProvedIdentity]:
    """Prove the named identities (all when `ids` is empty)."""
    return [ProvedIdentity(identity, identity.prove()) for identity in select(ids)]
