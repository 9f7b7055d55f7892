"""Running identities: prove a selection, or build a live target and check a selection on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

from seqlab.device import cpu_threads, resolve_device
from seqlab.errors import SeqlabError
from seqlab.proofs import select
from seqlab.proofs.base import MODEL, CheckResult, Identity, ProofResult
from seqlab.proofs.target import LiveTarget, target_fresh, target_from_pretrained, target_from_run


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
    def passed(self) -> bool:
        """Both faces agree with the identity: sympy verified it and the live model met the tolerance."""
        return self.verified and self.check.passed


@dataclass(frozen=True)
class CheckReport:
    """Every checked identity and what they were measured on."""

    source: str
    device: str
    seed: int
    rows: tuple[CheckedIdentity, ...]

    @property
    def all_passed(self) -> bool:
        """True when every identity passed on both faces."""
        return all(row.passed for row in self.rows)

    def counts(self) -> dict[str, int]:
        """How many rows were measured on the model itself and on stand-ins, and how many of each passed."""
        own = [row for row in self.rows if row.check.measured_on == MODEL]
        stand_ins = [row for row in self.rows if row.check.measured_on != MODEL]
        return {
            "model": len(own),
            "model_passed": sum(row.passed for row in own),
            "stand_in": len(stand_ins),
            "stand_in_passed": sum(row.passed for row in stand_ins),
        }


def prove_identities(ids: Sequence[str]) -> list[ProvedIdentity]:
    """Prove the named identities (all when `ids` is empty)."""
    return [ProvedIdentity(identity, identity.prove()) for identity in select(ids)]


def build_target(config: CheckConfig) -> LiveTarget:
    """The live target the config names, on its device, with its seed."""
    device = resolve_device(config.device)
    if config.run is not None:
        return target_from_run(config.run, device, config.seed)
    if config.pretrained:
        return target_from_pretrained(config.checkpoint, device, config.seed)
    return target_fresh(device, config.seed)


def check_identities(
    config: CheckConfig, target: LiveTarget | None = None, proved: Sequence[ProvedIdentity] = ()
) -> CheckReport:
    """Prove and live-check the identities of `config` on its target (or on `target`, a LiveTarget, when given).

    Proofs already in `proved` are not redone.
    """
    identities = select(config.ids)
    target = target if target is not None else build_target(config)
    known = {item.identity.id: item.proof.verified for item in proved}
    rows = []
    # The checks are many tiny ops; on CPU one thread is faster than handing each op to a pool.
    with cpu_threads(1 if target.device.type == "cpu" else None):
        for identity in identities:
            verified = known[identity.id] if identity.id in known else identity.prove().verified
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(config.seed)
                result = identity.check(target)
            rows.append(CheckedIdentity(identity, verified, result))
    return CheckReport(target.source, str(target.device), target.seed, tuple(rows))
