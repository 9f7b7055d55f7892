"""Training: the fit loop, optimizers, metrics, checkpoints and run directories (docs/ARCHITECTURE.md).

Public API: `train(config)`, `resume(run_dir)`, `evaluate_run(run_dir, split)`, `predict(loaded_run, text)`,
`load_run(path)`, `list_runs(root)`.
"""

from seqlab.training.config import TrainConfig
from seqlab.training.inference import Prediction, evaluate_run, predict
from seqlab.training.metrics import Metrics, compute_metrics
from seqlab.training.runs import LoadedRun, list_runs, load_run
from seqlab.training.trainer import TrainResult, resume, train

__all__ = [
    "LoadedRun",
    "Metrics",
    "Prediction",
    "TrainConfig",
    "TrainResult",
    "compute_metrics",
    "evaluate_run",
    "list_runs",
    "load_run",
    "predict",
    "resume",
    "train",
]
