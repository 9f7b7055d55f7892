"""Which part of a model an identity is about, and whether the model has it, lacks it, or has one the checks cannot read.

A check that finds none of the modules it reads (seqlab's or torch's LSTM, attention, ...) measures a stand-in.
That stand-in row means one of two things, and they must not be confused:

- the model has no such part at all (a Transformer has no LSTM): the identity is not about this model, so the
  row is "not applicable" (neither a pass nor a failure about it);
- the model has a part of that kind the checks cannot read (its own LSTM class, torch's nn.MultiheadAttention, an
  LSTM family run without an nn.LSTM): the identity is about this model but was **not measured on it**. Such a
  row is named in the output, and `seqlab check --strict` exits non-zero on it.

A module counts as such a look-alike when its class name says so (e.g. contains "lstm"), it is not one of the
kinds the checks read, and it neither holds nor sits inside one of them (so seqlab's RNNClassifier, which holds
an nn.LSTM, is not one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from torch import nn

from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.bert import BertLayer
from seqlab.models.layernorm import LayerNorm
from seqlab.models.mlm import MaskedLM
from seqlab.models.positions import LearnedPositions, SinusoidalPositions
from seqlab.models.transformer import CausalLM, TransformerBlock
from seqlab.proofs.base import NOT_APPLICABLE, STAND_IN, CheckResult
from seqlab.proofs.target import LiveTarget


@dataclass(frozen=True)
class Part:
    """A kind of part: the classes the checks read, known classes of the same family that are not it, the words
    a look-alike's class name contains, and the run families or tasks that must have one."""

    name: str
    kinds: tuple[type, ...]
    others: tuple[type, ...] = ()
    words: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


_RECURRENT = (nn.RNNBase, nn.RNNCellBase)

# Every part an identity can be about, by the name an Identity gives in its `part`.
PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        Part("attention", (MultiHeadSelfAttention,), words=("attention", "attn")),
        Part("layer norm", (LayerNorm, nn.LayerNorm), words=("layernorm", "layer_norm", "rmsnorm")),
        Part("sinusoidal positions", (SinusoidalPositions,), (LearnedPositions,),
             ("sinus", "positionalencoding", "positional_encoding")),
        Part("transformer block", (TransformerBlock, BertLayer), words=("block", "encoderlayer", "decoderlayer")),
        Part("LSTM", (nn.LSTM, nn.LSTMCell), _RECURRENT, ("lstm",), families=("lstm",)),
        Part("GRU", (nn.GRU, nn.GRUCell), _RECURRENT, ("gru",), families=("gru",)),
        Part("vanilla RNN", (nn.RNN, nn.RNNCell), _RECURRENT, ("rnn", "elman")),
        Part("masked LM", (MaskedLM,), (CausalLM,), ("maskedlm", "mlm", "masked_lm"), tasks=("mlm",)),
        Part("causal LM", (CausalLM,), (MaskedLM,), ("causallm", "gpt", "languagemodel", "language_model"), tasks=("lm",)),
    )
}


def _run_family_and_task(target: LiveTarget) -> tuple[str, str]:
    """The run's model family and task ("", "" when the target is not a trained run)."""
    run = target.run
    if run is None:
        return "", ""
    return str(run.spec.get("family", "")), str(run.task)


def unread_parts(target: LiveTarget, part: Part) -> list[str]:
    """'ClassName (dotted.name)' for every module of the model that looks like `part` but is none of the kinds the
    checks read; the model itself when the run's family or task must have the part and none of its kinds is there."""
    known = part.kinds + part.others
    named = list(target.model.named_modules())
    inside_known = set()
    for name, module in named:
        if isinstance(module, known):
            inside_known.update(id(child) for child in module.modules())
    holds_known = {id(module) for _, module in named if any(isinstance(child, known) for child in module.modules())}

    def looks_like(module: nn.Module) -> bool:
        spelled = type(module).__name__.lower()
        return (any(word in spelled for word in part.words) and id(module) not in inside_known
                and id(module) not in holds_known)

    candidates = [(name, module) for name, module in named if looks_like(module)]
    deepest = [  # a look-alike that holds another look-alike is its wrapper: name only the inner one
        (name, module) for name, module in candidates
        if not any(other is not module and other in set(module.modules()) for _, other in candidates)
    ]
    found = [f"{type(module).__name__} ({name or 'the model'})" for name, module in deepest]
    has_kind = any(isinstance(module, part.kinds) for _, module in named)
    family, task = _run_family_and_task(target)
    if not found and not has_kind and (family in part.families or task in part.tasks):
        found = [f"{type(target.model).__name__} (a {family or task} run with no {part.name} seqlab can read)"]
    return found


def has_part(target: LiveTarget, part: Part) -> bool:
    """True when the model holds one of the kinds of `part` the checks read."""
    return any(isinstance(module, part.kinds) for module in target.model.modules())


def settle(result: CheckResult, target: LiveTarget, part_name: str) -> CheckResult:
    """A stand-in row said precisely: "not applicable" when the model has no such part, still a stand-in (named
    "not measured on this model") when it has one the checks cannot read. Other rows come back unchanged."""
    part = PARTS.get(part_name)
    if part is None or result.measured_on != STAND_IN:
        return result
    unread = unread_parts(target, part)
    if unread:
        return replace(result, detail=result.detail + f"; NOT MEASURED ON THIS MODEL: {', '.join(unread)} looks like "
                       f"a {part.name} but is not one the checks can read ({', '.join(k.__name__ for k in part.kinds)})")
    if has_part(target, part):  # the identity is about the part's class, measured on new instances of it
        return result
    return replace(result, measured_on=NOT_APPLICABLE,
                   detail=result.detail + f"; the model has no {part.name}, so this identity is not about it "
                   "(the numbers above are from a stand-in, for teaching)")
