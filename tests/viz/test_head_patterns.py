"""Head descriptions follow the stated rule on matrices whose pattern is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from seqlab.viz.head_patterns import (
    THRESHOLD,
    describe_head,
    describe_heads,
    head_line,
    notable_heads,
)

TOKENS = ["[CLS]", "the", "film", "was", "dull", "but", "fun", "[SEP]"]
N = len(TOKENS)


def _mix(target: np.ndarray, share: float) -> np.ndarray:
    """Rows putting `share` on the target pattern and the rest uniformly."""
    return share * target + (1 - share) * np.full((N, N), 1 / N)


def _previous() -> np.ndarray:
    m = np.zeros((N, N))
    m[np.arange(1, N), np.arange(N - 1)] = 1
    m[0, 0] = 1
    return m


def test_previous_next_and_self():
    assert describe_head(_mix(_previous(), 0.9), TOKENS).kind == "previous"
    nxt = np.zeros((N, N))
    nxt[np.arange(N - 1), np.arange(1, N)] = 1
    nxt[N - 1, N - 1] = 1
    pattern = describe_head(_mix(nxt, 0.9), TOKENS, layer=2, head=3)
    assert pattern.kind == "next"
    assert pattern.score == pytest.approx(0.9 + 0.1 / N)  # the last row has no next token and is left out
    assert head_line(pattern) == f"L2 H3: attends to the next token ({pattern.score:.2f})"
    assert describe_head(_mix(np.eye(N), 0.8), TOKENS).kind == "self"


def test_one_token_column_names_the_token():
    m = np.zeros((N, N))
    m[:, 5] = 1
    pattern = describe_head(_mix(m, 0.9), TOKENS)
    assert pattern.kind == "token" and pattern.token == "but"
    assert pattern.text == f"tokens -> 'but' {0.9 + 0.1 / N:.2f}"


def test_sink_pools_every_position_of_a_special_token():
    tokens = ["[CLS]", "a", "b", "[SEP]", "c", "d", "[SEP]", "e"]
    m = np.zeros((N, N))
    m[:, 3] = 0.35
    m[:, 6] = 0.35
    m[:, 1] = 0.3  # no single position reaches 0.5, the two [SEP]s together do
    pattern = describe_head(m, tokens)
    assert pattern.kind == "sink" and pattern.token == "[SEP]" and pattern.score == pytest.approx(0.7)
    assert pattern.text.startswith("[SEP] sink")


def test_repeated_token_is_named_with_its_position():
    tokens = ["the", "cat", "saw", "the", "dog", "run", "far", "away"]
    m = np.zeros((N, N))
    m[:, 3] = 1
    assert describe_head(m, tokens).text.startswith("tokens -> 'the' (position 3)")


def test_broad_and_mixed_and_the_threshold():
    assert describe_head(np.full((N, N), 1 / N), TOKENS).kind == "broad"
    half = np.zeros((N, N))
    half[:, 2] = THRESHOLD - 0.05
    half[:, 4] = 1 - (THRESHOLD - 0.05)
    assert describe_head(half, TOKENS).kind == "token"  # 0.55 on 'dull' passes
    spread = np.zeros((N, N))
    spread[:, 2], spread[:, 4], spread[:, 6] = 0.4, 0.35, 0.25
    mixed = describe_head(spread, TOKENS)
    assert mixed.kind == "mixed" and not mixed.notable and "closest: tokens -> 'film' 0.40" in mixed.text


def test_causal_rows_skip_the_first_and_keys_seen_by_few():
    causal_uniform = np.tril(np.ones((N, N)))
    causal_uniform /= causal_uniform.sum(1, keepdims=True)
    assert describe_head(causal_uniform, TOKENS, causal=True).kind == "broad"
    late = np.tril(np.ones((N, N))) * 0.01
    late[N - 1, N - 1] = 1.0  # only the last row sees the last key: not a column pattern
    late /= late.sum(1, keepdims=True)
    assert describe_head(late, TOKENS[:-1] + ["end"], causal=True).token != "end"
    assert describe_head(_mix(_previous(), 0.9) * np.tril(np.ones((N, N))), TOKENS, causal=True).kind == "previous"


def test_every_head_described_and_notable_ones_ranked():
    layer0 = np.stack([_mix(_previous(), 0.9), np.full((N, N), 1 / N)])
    layer1 = np.stack([_mix(np.eye(N), 0.6), _mix(np.eye(N), 0.95)])
    probs = np.stack([layer0, layer1])
    patterns = describe_heads(probs, TOKENS)
    assert [(p.layer, p.head) for p in patterns] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    ranked = notable_heads(patterns)
    assert [(p.layer, p.head) for p in ranked] == [(1, 1), (0, 0), (1, 0), (0, 1)]  # broad last
    assert patterns[0].to_dict()["notable"] is True


def test_shape_mismatch():
    with pytest.raises(ValueError, match="tokens"):
        describe_head(np.eye(3), TOKENS)
