"""Fixtures for the viz tests: tiny trained runs (a transformer classifier, a causal one, an LSTM), made once."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

TINY = {
    "transformer": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 2, "d_ff": 32},
    "lm": {"family": "lm", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "lstm": {"family": "lstm", "embed_dim": 8, "hidden_size": 8},
}


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three runs trained for 2 epochs on 64 built-in examples: 'transformer', 'lm' (causal classifier), 'lstm'."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    root = tmp_path_factory.mktemp("viz-runs")
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(root))
        for name, spec in TINY.items():
            config = TrainConfig(
                model=spec,
                task="classify",
                max_train_examples=64,
                epochs=2,
                batch_size=16,
                max_length=24,
                threads=1,
                device="cpu",
                log_every=2,
                name=name,
                seed=0,
            )
            runs[name] = Path(train(config, quiet=True).run_dir).resolve()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    return runs
