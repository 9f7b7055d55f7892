"""Textbook identities of sequence models, each proved with sympy and checked on a live model.

`all_identities()` lists them in teaching order; `select(ids)` picks some by id (a clear error
for an unknown id). See seqlab.proofs.base for the Identity / ProofResult / CheckResult shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from seqlab.errors import SeqlabError
from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep


def all_identities() -> list[Identity]:
    """Every identity, in the order a course would meet them."""
    from seqlab.proofs.cost import AttentionVersusRecurrentCost
    from seqlab.proofs.layernorm import LayerNorm2D, LayerNormNorm
    from seqlab.proofs.masks import CausalMask, PaddingMask
    from seqlab.proofs.positions import SinusoidalRotation
    from seqlab.proofs.recurrent import GRUConvex, LSTMNotConvex
    from seqlab.proofs.scaling import AttentionScaling, MultiHeadParameters
    from seqlab.proofs.softmax import SoftmaxShift

    return [
        LayerNormNorm(),
        LayerNorm2D(),
        SoftmaxShift(),
        AttentionScaling(),
        CausalMask(),
        PaddingMask(),
        MultiHeadParameters(),
        SinusoidalRotation(),
        LSTMNotConvex(),
        GRUConvex(),
        AttentionVersusRecurrentCost(),
    ]


def select(ids: Sequence[str] | None) -> list[Identity]:
    """The identities named by `ids` (all of them when empty), in the order given; unknown ids are an error."""
    identities = all_identities()
    if not ids:
        return identities
    by_id = {identity.id: identity for identity in identities}
    unknown = [name for name in ids if name not in by_id]
    if unknown:
        raise SeqlabError(f"unknown identity {', '.join(unknown)}; known: {', '.join(by_id)}")
    return [by_id[name] for name in dict.fromkeys(ids)]


__all__ = ["CheckResult", "Identity", "ProofResult", "ProofStep", "all_identities", "select"]
