"""`check(obj)`: every check of a kind on a learner's function or class, as one ImplReport; `check_file(spec)` loads
`path.py:NAME` first."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from seqlab.device import cpu_threads
from seqlab.impl.addnorm import check_addnorm
from seqlab.impl.attention import check_attention
from seqlab.impl.classifier_head import check_classifier_head
from seqlab.impl.encoder_block import check_encoder_block
from seqlab.impl.gru import check_gru
from seqlab.impl.kinds import get_kind, infer_kind
from seqlab.impl.layernorm import check_layernorm
from seqlab.impl.lm_loss import check_lm_loss
from seqlab.impl.lstm import check_lstm
from seqlab.impl.masks import check_causal_mask
from seqlab.impl.multihead import check_multihead
from seqlab.impl.positions import check_positions
from seqlab.impl.rnn_layer import check_gru_layer, check_lstm_layer
from seqlab.impl.report import ImplReport
from seqlab.impl.student import (
    TIME_LIMIT_S, ContractError, NotImplementedYet, StudentError, load_object, source_file, time_limit,
)

CHECKS: dict[str, Callable[..., Any]] = {
    "attention": check_attention,
    "multihead": check_multihead,
    "layernorm": check_layernorm,
    "add-norm": check_addnorm,
    "causal-mask": check_causal_mask,
    "positions": check_positions,
    "lm-loss": check_lm_loss,
    "lstm-cell": check_lstm,
    "gru-cell": check_gru,
    "lstm": check_lstm_layer,
    "gru": check_gru_layer,
    "encoder-block": check_encoder_block,
    "classifier-head": check_classifier_head,
}


def check(obj: Any, kind: str | None = None, seed: int = 0, name: str | None = None,
          where: Path | None = None, seconds: float = TIME_LIMIT_S) -> ImplReport:
    """Check a learner's function or nn.Module class as `kind` (inferred from its signature when None): seqlab's
    identities measured on it, parity with seqlab's reference on seeded inputs, and the named bugs it matches.

    The learner's exceptions never escape: NotImplementedError gives a report whose `problem` is "not implemented
    yet", any other exception a one-line `problem` naming the line of their file. A kind that cannot be told is a
    SeqlabError listing the kinds' signatures. The whole check stops after `seconds` (main thread, POSIX): a learner's
    endless loop is a one-line problem too.
    """
    chosen = get_kind(kind).name if kind else infer_kind(obj)
    label = name or getattr(obj, "__name__", type(obj).__name__)
    where = where or source_file(obj)
    try:
        with cpu_threads(1), time_limit(seconds, where):
            rows, diagnoses = CHECKS[chosen](obj, where, seed)
    except NotImplementedYet as exc:
        return ImplReport(label, chosen, problem=f"not implemented yet ({exc})")
    except ContractError as exc:
        return ImplReport(label, chosen, problem=f"does not follow the signature: {exc}")
    except StudentError as exc:
        return ImplReport(label, chosen, problem=f"your code raised {exc}")
    return ImplReport(label, chosen, tuple(rows), tuple(diagnoses))


def check_file(spec: str, kind: str | None = None, seed: int = 0) -> ImplReport:
    """Load NAME from the learner's `path.py:NAME` (their import errors are one SeqlabError line) and check it."""
    if kind:
        get_kind(kind)
    loaded = load_object(spec)
    return check(loaded.obj, kind, seed, name=f"{loaded.path.name}:{loaded.name}", where=loaded.path)
