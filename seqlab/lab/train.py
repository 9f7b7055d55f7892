"""Training: a classifier, or a causal or masked LM, saved as a run folder; or an interrupted run resumed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.console import Console

from seqlab.io import to_jsonable
from seqlab.lab.display import Display
from seqlab.training.config import TrainConfig
from seqlab.training.config_file import train_config_from_file
from seqlab.training.runs import read_metrics
from seqlab.training.trainer import TrainResult
from seqlab.training.tracking import check_trackers, track
from seqlab.training.trainer import resume as resume_run
from seqlab.training.trainer import train as train_run
from seqlab.training.verdict import Verdict, judge


@dataclass(frozen=True)
class TrainRequest:
    """A training config to run, or (`resume`) a run folder to continue, optionally to more `epochs`."""

    config: TrainConfig = field(default_factory=TrainConfig)
    resume: Path | None = None
    epochs: int | None = None  # with resume: train up to this many epochs (None: the run's own)
    runs_dir: Path | None = None  # where the run folder goes (None: $SEQLAB_RUNS, else ./runs)
    # --config FILE: its options fill in what the command line did not give (`given`: option names, "--lr");
    # `model_options` are the command line's --hidden, --heads, ... merged onto the file's model
    config_file: Path | None = None
    given: frozenset[str] = frozenset()
    model_options: dict[str, Any] = field(default_factory=dict)
    log_to: tuple[str, ...] = ()  # --log-to: trackers the finished run's curves go to (seqlab.training.tracking)

    def resolved_config(self) -> TrainConfig:
        """The config to train: `config`, or with `config_file`, the file's options under the command line's."""
        if self.config_file is None:
            return self.config
        return train_config_from_file(self.config_file, self.config, self.given, self.model_options)


@dataclass(frozen=True)
class TrainReport(Display):
    """What the run did: its folder, best epoch, dev metrics, speed and any hint."""

    result: TrainResult
    tracking: tuple[str, ...] = ()  # one line per --log-to tracker: where the curves went, or why they did not

    @property
    def verdict(self) -> Verdict | None:
        """How far above chance the best dev accuracy is (None without dev metrics: LM runs)."""
        result = self.result
        if result.dev is None:
            return None
        return judge(result.dev.accuracy, result.dev.majority_baseline.accuracy, result.epochs_run,
                     result.best_epoch, result.dev.n)

    def to_json(self) -> Any:
        """What `seqlab train --json` prints."""
        return to_jsonable(self.result)


def run(request: TrainRequest, console: Console | None = None, quiet: bool = False,
        on_step: Callable[[int, int, int, int], None] | None = None) -> TrainReport:
    """Train (or resume) as the request says; `console` shows progress and per-epoch lines unless `quiet`;
    a new run also reports `on_step(epoch, epochs, step, steps)` (the notebook's progress bar).

    On a non-zero rank of torchrun the result has no run folder (rank 0 reports). With `log_to`, the finished
    run's metrics.jsonl goes to each tracker (`TrainReport.tracking` says where, or why not)."""
    trackers = check_trackers(request.log_to)
    if request.resume is not None:
        result = resume_run(request.resume, console=console, quiet=quiet, epochs=request.epochs)
    else:
        result = train_run(request.resolved_config(), console=console, quiet=quiet, runs_dir=request.runs_dir,
                           on_step=on_step)
    if not trackers or result.run_dir is None:
        return TrainReport(result)
    run_dir = Path(result.run_dir)
    config = json.loads((run_dir / "config.json").read_text(encoding="utf-8")) if (run_dir / "config.json").is_file() \
        else {}
    return TrainReport(result, track(run_dir, trackers, read_metrics(run_dir), config))
