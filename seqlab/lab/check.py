"""The identities measured on a live model (a run, pretrained BERT or a fresh one), next to their proofs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from seqlab.errors import SeqlabError
from seqlab.impl.grading import check_points, load_points, output_file, write_grading
from seqlab.impl.isolate import DEFAULT_TIMEOUT_S, check_isolated
from seqlab.impl.render import impl_json
from seqlab.impl.report import ImplReport
from seqlab.impl.templates import ENTRY_NAMES, write_template
from seqlab.io import to_jsonable
from seqlab.lab.display import Display

if TYPE_CHECKING:  # torch comes with these: imported where used, so `check --impl` (its child imports torch) skips it
    from seqlab.proofs.runner import CheckReport, ProvedIdentity


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
class CheckOutcome(Display):
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
        from seqlab.proofs.render import check_json

        return to_jsonable(check_json(self.report))


def run(request: CheckRequest, proved: Sequence[ProvedIdentity] = ()) -> CheckOutcome:
    """Build the request's model and check its identities on it (proofs already in `proved` are not redone)."""
    from seqlab.proofs.checking import check_identities
    from seqlab.proofs.runner import CheckConfig

    config = CheckConfig(ids=request.ids, run=request.run, pretrained=request.pretrained,
                         checkpoint=request.checkpoint, fresh=request.fresh, device=request.device,
                         seed=request.seed, strict=request.strict)
    return CheckOutcome(check_identities(config, proved=proved))


@dataclass(frozen=True)
class OwnCodeRequest:
    """`seqlab check --impl FILE.py:NAME [--kind KIND]` (check the learner's code) or `--template KIND [--out FILE]`
    (write a starter): exactly one of `impl` and `template`."""

    impl: str | tuple[str, ...] | None = None  # one FILE.py:NAME, or several (each checked, one verdict for all)
    kind: str | None = None
    template: str | None = None
    out: Path | None = None
    seed: int = 0
    timeout: float = DEFAULT_TIMEOUT_S  # seconds the learner's code may run (in a child process)
    junit: Path | None = None  # write JUnit XML here (one testcase per check)
    gradescope: Path | None = None  # write Gradescope's results.json here
    points: Path | None = None  # a teacher's TOML of per-check points, for --gradescope


@dataclass(frozen=True)
class OwnCodeOutcome(Display):
    """The verdict on the learner's code (`report`, and `others` when several were checked in one call), or the
    starter written (`written`, with the NAME it defines)."""

    report: ImplReport | None = None
    written: Path | None = None
    name: str = ""
    grading: tuple[Path, ...] = ()  # the autograder files written (--junit, --gradescope)
    others: tuple[ImplReport, ...] = ()  # the reports after the first, for several --impl

    @property
    def reports(self) -> tuple[ImplReport, ...]:
        """Every report, in the order the --impl options came."""
        return ((self.report,) if self.report is not None else ()) + self.others

    @property
    def exit_code(self) -> int:
        """0 for a starter written or code that held every check on itself; 1 otherwise."""
        return max((report.exit_code for report in self.reports), default=0)

    def to_json(self) -> dict[str, Any]:
        """What `seqlab check --impl/--template --json` prints: one report's object, or for several
        {"passed", "reports": [...]}."""
        if self.report is None:
            return {"path": str(self.written), "name": self.name}
        if self.others:
            data: dict[str, Any] = {"passed": self.exit_code == 0,
                                    "reports": [to_jsonable(impl_json(report)) for report in self.reports]}
        else:
            data = to_jsonable(impl_json(self.report))
        if self.grading:
            data["written"] = [str(path) for path in self.grading]
        return data


def check_own_code(request: OwnCodeRequest) -> OwnCodeOutcome:
    """Check the learner's FILE.py:NAME (seqlab.impl) or write the starter of a kind (never over a file)."""
    if (request.impl is None) == (request.template is None):
        raise SeqlabError("use one of --impl FILE.py:NAME and --template KIND")
    if request.template is not None:
        return OwnCodeOutcome(written=write_template(request.template, request.out), name=ENTRY_NAMES[request.template])
    if request.out is not None:
        raise SeqlabError("--out goes with --template only")
    assert request.impl is not None
    if request.points is not None and request.gradescope is None:
        raise SeqlabError("--points goes with --gradescope FILE.json (the points are what Gradescope scores)")
    points = load_points(request.points) if request.points is not None else None
    for path, option in ((request.junit, "--junit"), (request.gradescope, "--gradescope")):
        if path is not None:
            output_file(path, option)
    specs = (request.impl,) if isinstance(request.impl, str) else tuple(request.impl)
    if not specs:
        raise SeqlabError("give --impl FILE.py:NAME (once per part to check)")
    if request.kind is not None and len(specs) > 1:
        raise SeqlabError("--kind names one kind: with several --impl, leave it out (each kind is read off its "
                          "signature) or check them one at a time")
    reports = [check_isolated(spec, request.kind, request.seed, request.timeout) for spec in specs]
    if points is not None:
        check_points(points, reports)
    written = write_grading(reports, request.junit, request.gradescope, points)
    return OwnCodeOutcome(report=reports[0], others=tuple(reports[1:]), grading=tuple(written))
