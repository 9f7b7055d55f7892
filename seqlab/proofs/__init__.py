"""Textbook identities of sequence models, each proved with sympy and checked on a live model.

`all_identities()` lists them in teaching order; `select(ids)` picks some by id (a clear error
for an unknown id). See seqlab.proofs.base for the Identity / ProofResult / CheckResult shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from seqlab.errors import SeqlabError
from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep


# Every identity as "module:Class", in the order a course would meet them. Adding one is one line here
# (its module defines a seqlab.proofs.base.Identity subclass); prove, check, the tour and the reports pick it up.
REGISTRY: tuple[str, ...] = (
    "layernorm:LayerNormNorm",
    "layernorm:LayerNorm2D",
    "norm_grad:LayerNormScaleInvariance",
    "norm_grad:LayerNormGradient",
    "softmax:SoftmaxShift",
    "jacobian:SoftmaxJacobian",
    "rows:AttentionRows",
    "convex:AttentionConvex",
    "scaling:AttentionScaling",
    "masks:CausalMask",
    "masks:PaddingMask",
    "equivariance:CausalPermutation",
    "scaling:MultiHeadParameters",
    "positions:SinusoidalRotation",
    "positions:PositionalDotProduct",
    "residual:ResidualJacobian",
    "placement:NormPlacement",
    "gradients:RNNGradients",
    "recurrent:LSTMNotConvex",
    "gradients:LSTMMemory",
    "recurrent:GRUConvex",
    "cost:AttentionVersusRecurrentCost",
    "frozen:FrozenBody",
    "mlm:MaskingFractions",
    "mlm:MaskedLossIgnoresUnchosen",
    "lm_loss:NextTokenLoss",
    "sentences:SentencePairRates",
)


def all_identities() -> list[Identity]:
    """Every identity in REGISTRY, in the order a course would meet them."""
    identities = []
    for entry in REGISTRY:
        module, name = entry.split(":")
        identities.append(getattr(import_module(f"seqlab.proofs.{module}"), name)())
    return identities


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


__all__ = ["REGISTRY", "CheckResult", "Identity", "ProofResult", "ProofStep", "all_identities", "select"]
