"""Fixtures for the generation tests: tiny runs trained once per session (word LM, WordPiece LM, classifier,
masked LM), each in a few seconds on one CPU thread."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from seqlab.models.families import get_family, register, unregister

TINY_LM = {"family": "lm", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32, "dropout": 0.0}
WORDPIECE_LM = "lm-wordpiece-test"  # the lm family reading WordPiece, registered as docs/howto/add-a-model-family.md does


def _train(root: Path, name: str, model: dict, task: str, max_length: int = 24, examples: int = 96) -> Path:
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    config = TrainConfig(model=model, task=task, max_train_examples=examples, epochs=2, batch_size=16,
                         max_length=max_length, threads=1, device="cpu", log_every=50, name=name, seed=0)
    return Path(train(config, quiet=True, runs_dir=root).run_dir).resolve()


@contextmanager
def wordpiece_lm_family() -> Iterator[None]:
    """The lm family reading WordPiece, registered only while it is needed (train --help lists every family)."""
    register(dataclasses.replace(get_family("lm"), name=WORDPIECE_LM, encoder="wordpiece"))
    try:
        yield
    finally:
        unregister(WORDPIECE_LM)


@pytest.fixture
def wordpiece_family() -> Iterator[None]:
    """Loading the WordPiece LM run needs its family registered: for the test that asks, and no longer."""
    with wordpiece_lm_family():
        yield


@pytest.fixture(scope="session")
def gen_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """'lm' (word vocabulary, context 24), 'short' (context 8), 'wordpiece' (WordPiece LM; load it with the
    wordpiece_family fixture), 'classifier', 'mlm'."""
    root = tmp_path_factory.mktemp("gen-runs")
    with wordpiece_lm_family():
        wordpiece = _train(root, "wordpiece", {**TINY_LM, "family": WORDPIECE_LM}, "lm", examples=48)
    return {
        "lm": _train(root, "lm", TINY_LM, "lm"),
        "short": _train(root, "short", TINY_LM, "lm", max_length=8),
        "wordpiece": wordpiece,
        "classifier": _train(root, "classifier", {**TINY_LM, "family": "transformer"}, "classify", examples=32),
        "mlm": _train(root, "mlm", {**TINY_LM, "family": "transformer"}, "mlm", examples=32),
    }
