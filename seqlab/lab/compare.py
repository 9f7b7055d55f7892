"""Several runs' training curves in one figure, with their final numbers (damaged runs left out and named)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.viz.curves import curves_figure, read_curves
from seqlab.viz.figures import DEFAULT_DPI, check_dpi, check_format, save_new_figure


@dataclass(frozen=True)
class CompareRequest:
    """The run folders to overlay, and where and how to draw the figure: a .png/.svg/.pdf file or a folder (None:
    a new folder under ./figures), the format (None: the file's suffix, else png); the rule is `seqlab.outputs`'."""

    runs: tuple[Path, ...]
    out: Path | None = None
    fmt: str | None = None
    dpi: int = DEFAULT_DPI


@dataclass(frozen=True)
class CompareReport:
    """The figure written, each readable run's final numbers, and the runs left out with why."""

    figure: Path
    rows: list[dict[str, Any]]
    damaged: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        """What `seqlab compare --json` prints."""
        return to_jsonable({"figure": str(self.figure), "runs": self.rows, "damaged": self.damaged})


def run(request: CompareRequest) -> CompareReport:
    """Read every run's curves (one damaged run does not stop the others) and draw them together."""
    fmt, dpi = None if request.fmt is None else check_format(request.fmt), check_dpi(request.dpi)
    missing = [str(r) for r in request.runs if not Path(r).is_dir()]
    if missing:
        raise SeqlabError(f"run folder(s) {', '.join(missing)} do not exist; list your runs with: seqlab runs")
    curves, damaged = [], []
    for run_dir in request.runs:
        try:
            curves.append(read_curves(run_dir))
        except SeqlabError as exc:  # one damaged run: compare the others and say which was left out
            damaged.append({"run": str(run_dir), "damaged": str(exc)})
    if not curves:
        raise SeqlabError(damaged[0]["damaged"] if len(damaged) == 1 else
                          f"none of the {len(damaged)} runs can be read; first: {damaged[0]['damaged']}")
    figure = save_new_figure(curves_figure(curves, "training curves"), request.out, "curves", fmt, dpi,
                             folder_name="compare")
    return CompareReport(figure, [c.final_metrics() for c in curves], damaged)
