"""Scoring a trained run on a split of its data, or on any labelled file (whose predictions are saved)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from seqlab.data.sources import ColumnChoice
from seqlab.device import cpu_threads
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.lab.display import Display
from seqlab.training.inference import FileEvaluation, evaluate_file, evaluate_run, save_file_evaluation
from seqlab.training.metrics import Metrics
from seqlab.training.trainer import warn_changed_files


@dataclass(frozen=True)
class EvaluateRequest:
    """A run folder and what to score: a split of its data (default dev) or your own labelled `data` file,
    read with the run's columns unless `columns` says otherwise; `out` is where the file's predictions go."""

    run: Path
    split: str | None = None
    device: str = "cpu"
    data_dir: Path | None = None
    threads: int | None = None
    data: Path | None = None
    out: Path | None = None
    columns: ColumnChoice = field(default_factory=ColumnChoice)


@dataclass(frozen=True)
class EvaluateReport(Display):
    """The metrics; for a file also its evaluation (fingerprint, predictions) and the predictions file."""

    metrics: Metrics
    evaluation: FileEvaluation | None = None
    predictions_file: Path | None = None

    def to_json(self) -> Any:
        """What `seqlab evaluate --json` prints."""
        if self.evaluation is None:
            return to_jsonable(self.metrics)
        return to_jsonable({**asdict(self.metrics), "file": self.evaluation.file.to_dict(),
                            "predictions_file": str(self.predictions_file)})


def run(request: EvaluateRequest) -> EvaluateReport:
    """Score the run's best weights as the request says; warn about data files changed since training."""
    if request.data is None:
        if request.out is not None or request.columns.given:
            raise SeqlabError("--out and the column options go with --data FILE; add --data FILE or drop them")
        with cpu_threads(request.threads):
            metrics = evaluate_run(request.run, split=(request.split or "dev").lower(), data_dir=request.data_dir,
                                   device=request.device)
        warn_changed_files(request.run)  # after: a changed file that breaks the scoring is named in the error instead
        return EvaluateReport(metrics)
    if request.split is not None:
        raise SeqlabError("choose one: --split (a split of the run's data) or --data FILE (your own file)")
    with cpu_threads(request.threads):
        evaluation = evaluate_file(request.run, request.data, device=request.device, choice=request.columns)
    saved = save_file_evaluation(request.run, evaluation, request.out)
    return EvaluateReport(evaluation.metrics, evaluation, saved)
