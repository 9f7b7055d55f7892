"""Checking identities: build the live target a CheckConfig names and measure a selection on it (torch)."""

from __future__ import annotations

from typing import Sequence

import torch

from seqlab.device import cpu_threads, resolve_device
from seqlab.proofs import select
from seqlab.proofs.parts import settle
from seqlab.proofs.runner import CheckConfig, CheckedIdentity, CheckReport, ProvedIdentity
from seqlab.proofs.target import LiveTarget, target_fresh, target_from_pretrained, target_from_run


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

    Proofs already in `proved` are not redone. A stand-in row is settled by seqlab.proofs.parts.settle: "not
    applicable" when the model has no part of that kind, "not measured on this model" when it has one.
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
                result = settle(identity.check(target), target, identity.part)
            rows.append(CheckedIdentity(identity, verified, result))
    return CheckReport(target.source, str(target.device), target.seed, tuple(rows), config.strict)
