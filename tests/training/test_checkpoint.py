"""Weights as safetensors, resumable state with weights_only loading, RNG capture."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.training.checkpoint import load_state, load_weights, rng_state, save_state, save_weights, set_rng_state

from .helpers import TinyClassifier


def test_weights_round_trip(tmp_path):
    torch.manual_seed(0)
    source, target = TinyClassifier(), TinyClassifier()
    save_weights(source, tmp_path / "model.safetensors")
    load_weights(target, tmp_path / "model.safetensors")
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        assert torch.equal(a, b), name
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def _tied() -> TinyClassifier:
    model = TinyClassifier(vocab_size=16, num_labels=16, dim=8)
    model.head.weight = model.embedding.weight  # like an LM head tied to the embedding
    return model


def test_tied_weights_can_be_saved(tmp_path):
    source, target = _tied(), _tied()
    save_weights(source, tmp_path / "tied.safetensors")
    load_weights(target, tmp_path / "tied.safetensors")
    assert torch.equal(target.head.weight, source.embedding.weight)
    assert target.head.weight is target.embedding.weight


def test_truncated_missing_and_mismatched_checkpoints_are_one_error(tmp_path):
    path = tmp_path / "model.safetensors"
    save_weights(TinyClassifier(), path)
    with pytest.raises(SeqlabError, match="does not match the model"):
        load_weights(TinyClassifier(dim=4), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SeqlabError, match="corrupt or truncated"):
        load_weights(TinyClassifier(), path)
    with pytest.raises(SeqlabError, match="missing"):
        load_weights(TinyClassifier(), tmp_path / "nothing.safetensors")


def test_rng_state_restores_python_numpy_and_torch(tmp_path):
    save_state(tmp_path / "state.pt", {"rng": rng_state(), "epoch": 3})
    expected = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    state = load_state(tmp_path / "state.pt")  # torch.load(weights_only=True) inside
    set_rng_state(state["rng"])
    assert (random.random(), float(np.random.rand()), float(torch.rand(1))) == expected
    assert state["epoch"] == 3


def test_corrupt_state_is_one_error(tmp_path):
    (tmp_path / "state.pt").write_bytes(b"not a torch file")
    with pytest.raises(SeqlabError, match="corrupt"):
        load_state(tmp_path / "state.pt")
    with pytest.raises(SeqlabError, match="cannot be resumed"):
        load_state(tmp_path / "absent.pt")


def test_weights_that_are_views_of_one_buffer_save_and_load(tmp_path) -> None:
    """cuDNN keeps a GPU RNN's weights as views into one flat buffer; saving must not depend on storage."""
    import torch
    from torch import nn

    from seqlab.training.checkpoint import load_weights, save_weights

    class Flat(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            flat = torch.arange(12, dtype=torch.float32)
            self.a = nn.Parameter(flat[:4].view(2, 2))
            self.b = nn.Parameter(flat[4:].view(2, 4))

    source = Flat()
    assert source.a.untyped_storage().data_ptr() == source.b.untyped_storage().data_ptr()
    save_weights(source, tmp_path / "w.safetensors")
    target = Flat()
    with torch.no_grad():
        target.a.zero_(), target.b.zero_()
    load_weights(target, tmp_path / "w.safetensors")
    torch.testing.assert_close(target.a, source.a)
    torch.testing.assert_close(target.b, source.b)
