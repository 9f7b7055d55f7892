"""The head-selection rule and the words for each head, on attention patterns built by hand."""

from __future__ import annotations

import numpy as np
import pytest

from seqlab.errors import SeqlabError
from seqlab.viz.attention_heads import (
    find_token,
    focus,
    notable_heads,
    rank_heads,
    summarize_heads,
)

TOKENS = ["[CLS]", "the", "film", "was", "not", "good", "[SEP]"]
N = len(TOKENS)


def _column(j: int, weight: float = 0.9) -> np.ndarray:
    """Every row puts `weight` on key j, the rest spread evenly."""
    probs = np.full((N, N), (1 - weight) / (N - 1))
    probs[:, j] = weight
    return probs


def _previous() -> np.ndarray:
    probs = np.zeros((N, N))
    probs[0, 0] = 1.0
    for i in range(1, N):
        probs[i, i - 1] = 1.0
    return probs


def _uniform() -> np.ndarray:
    return np.full((N, N), 1.0 / N)


def test_focus_is_zero_for_uniform_rows_and_one_for_one_hot_rows():
    assert focus(_uniform()) == pytest.approx(0.0, abs=1e-9)
    assert focus(_previous()) == pytest.approx(1.0, abs=1e-6)
    causal_uniform = np.tril(np.ones((N, N))) / np.arange(1, N + 1)[:, None]
    assert focus(causal_uniform, causal=True) == pytest.approx(0.0, abs=1e-9)


def test_each_head_gets_the_explorer_pages_words():
    stack = np.stack([np.stack([_column(4), _previous(), _column(6, 0.8), _uniform()])])
    heads = summarize_heads(stack, TOKENS)
    assert [h.pattern for h in heads] == ["token", "previous", "sink", "broad"]
    assert heads[0].description == "tokens -> 'not' 0.90" and heads[0].target == "not"
    assert heads[2].is_sink and not heads[0].is_sink


def test_sinks_rank_last_and_sharper_heads_first():
    stack = np.stack([np.stack([_column(0, 0.95), _column(4, 0.6), _column(4, 0.9), _uniform()])])
    ranked = rank_heads(summarize_heads(stack, TOKENS))
    assert [s.head for s in ranked] == [2, 1, 3, 0]  # head 0 rests on [CLS]: sharpest, yet last
    assert ranked[-1].is_sink and not ranked[0].is_sink
    notable = notable_heads(summarize_heads(stack, TOKENS))
    assert [s.head for s in notable] == [2, 1]  # neither the sink nor the uniform head


def test_find_token_by_text_case_or_position():
    assert find_token(TOKENS, "not") == 4
    assert find_token(TOKENS, "NOT") == 4
    assert find_token(TOKENS, "#2") == 2
    assert find_token(["un", "##like", "it"], "like") == 1
    with pytest.raises(SeqlabError, match="not one of the tokens"):
        find_token(TOKENS, "cat")
    with pytest.raises(SeqlabError, match="only 7 tokens"):
        find_token(TOKENS, "#9")


def test_wrong_shape_is_a_clear_error():
    with pytest.raises(SeqlabError, match="layers, heads"):
        summarize_heads(np.zeros((2, N, N)), TOKENS)
