"""Capturing attention from runs, pretrained BERT and fresh models: shapes, rows summing to 1, the causal triangle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.viz.attention_source import (
    attention_from_fresh_transformer,
    attention_from_run,
)


def test_causal_run_shows_its_triangle(tiny_runs):
    capture = attention_from_run(tiny_runs["lm"], "the movie was not good at all")
    probs = capture.probabilities
    assert capture.causal
    n = len(capture.tokens)
    assert probs.shape == (1, 2, n, n)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)
    assert np.abs(np.triu(probs, k=1)).max() == 0.0


def test_bidirectional_run_looks_ahead(tiny_runs):
    capture = attention_from_run(tiny_runs["transformer"], "the movie was not good at all")
    assert not capture.causal and capture.shape[:2] == (2, 2)
    assert np.triu(capture.probabilities, k=1).max() > 0.0


def test_lstm_run_has_no_attention(tiny_runs):
    with pytest.raises(SeqlabError, match="no attention to show"):
        attention_from_run(tiny_runs["lstm"], "the movie was fine")


def test_same_seed_same_numbers():
    first = attention_from_fresh_transformer("a b c d", seed=3)
    second = attention_from_fresh_transformer("a b c d", seed=3)
    other = attention_from_fresh_transformer("a b c d", seed=4)
    np.testing.assert_array_equal(first.probabilities, second.probabilities)
    assert not np.array_equal(first.probabilities, other.probabilities)


def test_empty_sentence_is_refused():
    with pytest.raises(SeqlabError, match="sentence is empty"):
        attention_from_fresh_transformer("   ")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_capture_matches_cpu(tiny_runs):
    cpu = attention_from_run(tiny_runs["transformer"], "the movie was not good", device="cpu")
    gpu = attention_from_run(tiny_runs["transformer"], "the movie was not good", device="cuda")
    np.testing.assert_allclose(gpu.probabilities, cpu.probabilities, atol=1e-4)
