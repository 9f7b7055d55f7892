"""Training: the fit loop, optimizers, metrics, checkpoints and run directories (docs/ARCHITECTURE.md).

Public API: `train(config)`, `resume(run_dir)`, `evaluate_run(run_dir, split)`, `predict(loaded_run, text)`,
`load_run(path)`, `list_runs(root)`.

The training loop and the metrics (scikit-learn, seconds to import) are loaded on first use (PEP 562), so
that reading a run folder (`seqlab.training.runs`) does not load them.
"""

from __future__ import annotations

import importlib
from typing import Any

from seqlab.training.config import TrainConfig
from seqlab.training.runs import LoadedRun, list_runs, load_run

_LAZY: dict[str, str] = {
    "Prediction": "inference", "evaluate_run": "inference", "predict": "inference",
    "Metrics": "metrics", "compute_metrics": "metrics",
    "TrainResult": "trainer", "resume": "trainer", "train": "trainer",
}

__all__ = ["LoadedRun", "Metrics", "Prediction", "TrainConfig", "TrainResult", "compute_metrics", "evaluate_run",
           "list_runs", "load_run", "predict", "resume", "train"]


def __getattr__(name: str) -> Any:
    """`seqlab.training.<name>`: the public name from its module, imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'seqlab.training' has no attribute {name!r}")
    return getattr(importlib.import_module(f"seqlab.training.{_LAZY[name]}"), name)
