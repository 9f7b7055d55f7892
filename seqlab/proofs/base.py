"""What every identity is: a symbolic proof (sympy) and a live check (torch) of the same statement.

The proof lives in the identity's module (sympy only); the check in seqlab.proofs.live.<module>, named by
`live_check` and imported when it runs: `seqlab prove` loads no torch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

import sympy

if TYPE_CHECKING:
    from seqlab.proofs.target import LiveTarget


@dataclass(frozen=True)
class ProofStep:
    """One line of a derivation: what the step does, and the expression it arrives at (sympy or text)."""

    explanation: str
    expression: Any


@dataclass(frozen=True)
class ProofResult:
    """A finished symbolic proof: the statement, its steps, and whether sympy verified the last one."""

    statement: str
    steps: tuple[ProofStep, ...]
    verified: bool


@dataclass(frozen=True)
class CheckResult:
    """A live measurement of an identity on a model: the number, the tolerance it must meet, the verdict.

    `measured` is the quantity the identity constrains (usually a maximum error, which must stay at or
    below `tolerance`; with `lower_bound` it must exceed it instead, as for "f + i is clearly not 1");
    `passed` is the verdict; `detail` says what was measured on what; `extra` holds the parts;
    `measured_on` is MODEL when the model's own modules (or run folder, or new instances of the model's own
    classes for an identity about a class) were measured; STAND_IN when only a fresh module built for the check
    was, although the model has (or may have) such a part: the identity was **not measured on this model**
    (named in the output; `seqlab check --strict` exits non-zero); NOT_APPLICABLE when the identity does not
    apply to this model (a causal-mask check on a bidirectional encoder, an LSTM identity on a Transformer):
    such a row is neither a pass nor a failure about the model, whatever `passed` says about a stand-in.
    """

    measured: float
    tolerance: float
    passed: bool
    detail: str
    extra: dict[str, float] = field(default_factory=dict)
    lower_bound: bool = False
    measured_on: str = "model"


MODEL = "model"
STAND_IN = "stand-in"
NOT_APPLICABLE = "not applicable"


class Identity(ABC):
    """A textbook identity with its exact conditions, provable with sympy and checkable on a live model."""

    id: ClassVar[str]
    title: ClassVar[str]
    conditions: ClassVar[str]
    # The kind of part the identity is about (a name in seqlab.proofs.parts.PARTS, "" for none): a stand-in row
    # becomes "not applicable" when the model has no such part, and stays "not measured on this model" when it
    # has one the checks cannot read.
    part: ClassVar[str] = ""
    # "module:function" of the live check (seqlab.proofs.live.<module>), imported on first use, so that proving
    # (sympy) loads no torch; the function takes (identity, target) and returns a CheckResult.
    live_check: ClassVar[str]

    @abstractmethod
    def prove(self) -> ProofResult:
        """Derive the identity symbolically and say whether sympy confirms it."""

    def check(self, target: LiveTarget) -> CheckResult:
        """Measure the identity on the live model in `target`: its `live_check`, imported now (it loads torch)."""
        module, _, function = self.live_check.partition(":")
        return getattr(import_module(module), function)(self, target)


def is_zero(expression: Any) -> bool:
    """True when sympy simplifies `expression` to exactly zero."""
    return sympy.simplify(expression) == 0


def eq(lhs: Any, rhs: Any) -> Any:
    """An unevaluated equation `lhs = rhs` for display (a string lhs becomes a symbol)."""
    left = sympy.Symbol(lhs) if isinstance(lhs, str) else lhs
    return sympy.Eq(left, rhs, evaluate=False)
