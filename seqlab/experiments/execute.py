"""Running one trial: train it (quietly, into its own folder) or measure it, and describe the outcome."""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path
from typing import Any, Callable

import torch

from seqlab.errors import SeqlabError
from seqlab.experiments.trials import Trial, TrialContext, runs_written_under
from seqlab.io import to_jsonable
from seqlab.provenance import code_version
from seqlab.training.trainer import train
from seqlab.training.config import TrainConfig
from seqlab.training.inference import evaluate_run
from seqlab.training.runs import read_metrics
from seqlab.version import PACKAGE_DIR, __version__

StepCallback = Callable[[int, int, int, int], None]  # (epoch, epochs, step, steps)


def dev_curve(run_dir: Path) -> list[dict[str, float]]:
    """The dev record of every finished epoch of a run (epoch, loss, accuracy or perplexity, ...)."""
    return [
        {k: v for k, v in record.items() if k not in ("event", "split", "step")}
        for record in read_metrics(run_dir)
        if record.get("event") == "epoch" and record.get("split") == "dev"
    ]


def test_scores(run_dir: Path) -> dict[str, Any] | None:
    """The run's best weights scored on the labelled test split, or None where the test labels are hidden."""
    try:
        metrics = evaluate_run(run_dir, split="test")
    except SeqlabError:  # no labelled test split (RTE's GLUE test set)
        return None
    return to_jsonable(dataclasses.asdict(metrics))


def train_outcome(config: TrainConfig, folder: Path, on_step: StepCallback | None = None
                  ) -> tuple[dict[str, Any], Path]:
    """Train `config` with its run folder inside `folder`; return the scores worth keeping (dev, and test where
    labelled) and the run folder."""
    with runs_written_under(folder):
        result = train(config, quiet=True, on_step=on_step)
    assert result.run_dir is not None  # experiments run in one process, which is rank 0
    outcome: dict[str, Any] = {
        "best_epoch": result.best_epoch,
        "epochs_run": result.epochs_run,
        "seconds": result.seconds,
        "samples_per_second": result.samples_per_second,
        "device": result.device,
        "parameters": result.parameters,
        "curve": dev_curve(result.run_dir),
    }
    if result.dev is not None:
        outcome["dev"] = to_jsonable(dataclasses.asdict(result.dev))
        outcome["test"] = test_scores(result.run_dir)
    else:
        outcome["dev_record"] = dict(result.dev_record)
    return outcome, result.run_dir


def run_trial(trial: Trial, key: str, folder: Path, after_run: Path | None, experiment_root: Path,
              on_step: StepCallback | None = None) -> dict[str, Any]:
    """Do the work of `trial` inside `folder`; return its record (what trial.json will hold), with the versions
    that made it. `on_step(epoch, epochs, step, steps)` reports progress inside a training trial."""
    started = time.perf_counter()
    record: dict[str, Any] = {"key": key, "name": trial.name, "kind": trial.kind, "tags": trial.tags}
    if trial.config is not None:
        config = trial.config
        if trial.after is not None:
            config = dataclasses.replace(config, init_from=str(after_run))
        outcome, run_dir = train_outcome(config, folder, on_step)
        record["config"] = config.to_dict()
        record["run_dir"] = str(run_dir.resolve().relative_to(experiment_root.resolve()))
        record["result"] = outcome
    else:
        assert trial.measure is not None
        record["payload"] = trial.payload
        record["result"] = trial.measure(trial.payload, TrialContext(folder, after_run))
    record["wall_seconds"] = round(time.perf_counter() - started, 3)
    record["versions"] = versions()
    return record


@functools.lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """seqlab's version and git commit (seqlab.provenance.code_version: '+dirty' with uncommitted changes under
    seqlab/, or $SEQLAB_CODE_VERSION), torch's."""
    commit = code_version(PACKAGE_DIR, ".")
    return {"seqlab": __version__, "commit": commit, "torch": torch.__version__}
