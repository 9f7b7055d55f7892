"""The training runs in a runs folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.paths import runs_root
from seqlab.training.runs import RunSummary, list_runs


@dataclass(frozen=True)
class RunsRequest:
    """The folder holding the runs (None: $SEQLAB_RUNS, else ./runs)."""

    root: Path | None = None


@dataclass(frozen=True)
class RunsReport:
    """The folder read and every run in it, oldest first (damaged ones say why)."""

    folder: Path
    runs: list[RunSummary]

    def to_json(self) -> Any:
        """What `seqlab runs --json` prints."""
        return to_jsonable(self.runs)


def run(request: RunsRequest) -> RunsReport:
    """List the runs of the request's folder."""
    root = request.root
    if root is not None and not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise SeqlabError(f"--root {root} {what}; pass the folder that holds your runs (default ./runs)")
    folder = root or runs_root()
    return RunsReport(folder, list_runs(folder))
