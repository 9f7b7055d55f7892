"""Training: the fit loop, optimizers, metrics, checkpoints and run directories (docs/ARCHITECTURE.md).

Import each name from its module: `seqlab.training.trainer` (`train`, `resume`), `seqlab.training.inference`
(`evaluate_run`, `predict`), `seqlab.training.loading` (`load_run`), `seqlab.training.runs` (`list_runs`, the
run folder's files), `seqlab.training.config` (`TrainConfig`). The package itself loads nothing, so that
reading run folders (`seqlab runs`) loads neither torch nor scikit-learn.
"""
