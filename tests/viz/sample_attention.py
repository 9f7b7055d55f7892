"""A small attention tensor with one head of each pattern, over tokens that are also markup and mathtext, shared by
the terminal-view and figure tests."""

from __future__ import annotations

import numpy as np

TOKENS = ["[CLS]", "the", "acting", "was", "not", "[b]ok[/]", "but", "$x$", "[SEP]"]


def sample_attention() -> np.ndarray:
    """[2 layers, 3 heads, T, T]: L0 H1 sends every token to 'but', L1 H0 rests on [CLS], L1 H2 reads the previous
    token; the other heads are uniform."""
    n = len(TOKENS)
    probs = np.full((2, 3, n, n), 0.02)
    probs[0, 1, :, 6] = 0.9  # L0 H1: every token -> 'but'
    probs[1, 0, :, 0] = 0.95  # L1 H0: rests on [CLS]
    for i in range(1, n):
        probs[1, 2, i, i - 1] = 0.8  # L1 H2: previous token
    return probs / probs.sum(-1, keepdims=True)
