"""What a check of a learner's implementation gives back: one row per check, the diagnoses, and the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from seqlab.proofs.base import MODEL, STAND_IN

IDENTITY = "identity"  # a row from seqlab.proofs, measured on the learner's code through a thin wrapper
REFERENCE = "reference"  # a row comparing the learner's output with seqlab's own implementation
PROPERTY = "property"  # a reference-free property measured directly on the learner's code (shape, causality, ...)


@dataclass(frozen=True)
class Diagnosis:
    """A named bug the learner's output matches: `name` (e.g. "mask applied after softmax"), what it means and how
    to fix it (`advice`), and where/how much (`evidence`)."""

    name: str
    advice: str
    evidence: str = ""


@dataclass(frozen=True)
class ImplRow:
    """One check on the learner's code: its name, where it comes from (IDENTITY, REFERENCE or PROPERTY), the
    number measured against its tolerance, the verdict, a detail line, and what it was measured on (MODEL: the
    learner's own code; STAND_IN: something else, which does not count as a pass under strict grading)."""

    name: str
    source: str
    measured: float
    tolerance: float
    passed: bool
    detail: str
    measured_on: str = MODEL


@dataclass(frozen=True)
class ImplReport:
    """The whole verdict on one learner object: its name and kind, the rows, the diagnoses, and `problem` (one line
    when the code could not be checked at all: "not implemented yet", or an exception in the learner's file)."""

    target: str
    kind: str
    rows: tuple[ImplRow, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    problem: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when the code ran, every row held, and every row was measured on the learner's own code."""
        return (not self.problem and bool(self.rows) and all(row.passed for row in self.rows)
                and all(row.measured_on == MODEL for row in self.rows))

    @property
    def not_measured(self) -> tuple[ImplRow, ...]:
        """Rows measured only on a stand-in (they never count as a pass)."""
        return tuple(row for row in self.rows if row.measured_on == STAND_IN)

    @property
    def exit_code(self) -> int:
        """0 when `passed`, else 1 (bad input never gets this far: it is a SeqlabError, exit 2)."""
        return 0 if self.passed else 1
