"""What each attention head mostly does, in one line of words, by a stated rule.

For one head's probabilities A [T, T] (row i = where query token i looks; each row sums to 1) we average,
over the rows that have a choice (all rows; in a causal model every row but the first, which can only
see itself):

    previous   A[i, i-1]                    "attends to the previous token"
    next       A[i, i+1]   (not causal)     "attends to the next token"
    self       A[i, i]                      "attends to itself"
    one token  A[i, k] for one key k        "tokens -> 'but'"  (k seen by at least half the rows)
    sink       the same, for a special token, adding up every position of it ("[SEP] sink")

The largest of these averages is the head's pattern when it is at least `THRESHOLD` (0.5: at least half of
each row's weight, on average). Otherwise the head is "broad" when its mean row entropy is at least
`BROAD_ENTROPY` (0.9) of the uniform row's, and "mixed" when it is neither. Every head but a mixed one is
notable. The score is that average, so heads can be ranked by how clearly they do their one thing.

For one query token's row the rule is simpler (`word_reading_heads`): a head reads a word when its strongest key
is not a special token and the row is not spread out (`is_spread`: no key gets 1.5x the uniform weight).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

PatternKind = Literal["previous", "next", "self", "token", "sink", "broad", "mixed"]
THRESHOLD = 0.5
BROAD_ENTROPY = 0.9
SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "<cls>", "<sep>", "[PAD]", "<pad>", "<s>", "</s>", "<bos>", "<eos>"})


@dataclass(frozen=True)
class HeadPattern:
    """One head's pattern: kind, score (the rule's average, 0..1), the key token it is about, and the line."""

    layer: int
    head: int
    kind: PatternKind
    score: float
    token: str | None
    text: str

    @property
    def notable(self) -> bool:
        """Whether the head does one recognisable thing (anything but "mixed")."""
        return self.kind != "mixed"

    def to_dict(self) -> dict[str, object]:
        """Plain values, for JSON and the HTML page."""
        return {
            "layer": self.layer,
            "head": self.head,
            "kind": self.kind,
            "score": round(self.score, 3),
            "token": self.token,
            "text": self.text,
            "notable": self.notable,
        }


def _quoted(token: str) -> str:
    """A token inside single quotes, for a description line."""
    return f"'{token}'"


def _rows_with_choice(n: int, causal: bool) -> np.ndarray:
    """Query rows whose weights say something: all rows, or every row but the first in a causal model."""
    return np.arange(1 if causal and n > 1 else 0, n)


def _normalised_entropy(matrix: np.ndarray, rows: np.ndarray, causal: bool) -> float:
    """Mean over `rows` of each row's entropy divided by the entropy of a uniform row over its visible keys."""
    values = []
    for i in rows:
        visible = matrix[i, : i + 1] if causal else matrix[i]
        if visible.size < 2:
            continue
        p = np.clip(visible, 1e-12, 1.0)
        values.append(float(-(p * np.log(p)).sum() / np.log(visible.size)))
    return float(np.mean(values)) if values else 0.0


def _column_candidates(
    matrix: np.ndarray, tokens: Sequence[str], rows: np.ndarray, causal: bool
) -> list[tuple[float, str, str, bool]]:
    """(mean weight, token, how to name it, is special) per key.

    Special tokens are pooled over all their positions ("[SEP]" twice in a pair); other tokens count per
    position, named with their position when the same token appears twice.
    """
    candidates: list[tuple[float, str, str, bool]] = []
    pooled: dict[str, list[int]] = {}
    for k, token in enumerate(tokens):
        if token in SPECIAL_TOKENS:
            pooled.setdefault(token, []).append(k)
            continue
        seen_by = rows[rows >= k] if causal else rows
        if len(seen_by) == 0 or len(seen_by) * 2 < len(rows):
            continue
        name = _quoted(token) if tokens.count(token) == 1 else f"{_quoted(token)} (position {k})"
        candidates.append((float(matrix[seen_by, k].mean()), token, name, False))
    for token, positions in pooled.items():
        mass = matrix[np.ix_(rows, positions)].sum(axis=1)
        candidates.append((float(mass.mean()), token, token, True))
    return candidates


def describe_head(
    matrix: np.ndarray, tokens: Sequence[str], layer: int = 0, head: int = 0, causal: bool = False
) -> HeadPattern:
    """The pattern of one head's attention `matrix` [T, T] over `tokens`, by the rule in this module's docstring."""
    matrix = np.asarray(matrix, dtype=np.float64)
    tokens = list(tokens)
    n = len(tokens)
    if matrix.shape != (n, n):
        raise ValueError(f"attention is {matrix.shape} but there are {n} tokens")
    rows = _rows_with_choice(n, causal)
    options: list[tuple[float, PatternKind, str | None, str]] = []
    if n >= 2:
        prev_rows = rows[rows >= 1]
        if len(prev_rows):
            score = float(matrix[prev_rows, prev_rows - 1].mean())
            options.append((score, "previous", None, f"attends to the previous token ({score:.2f})"))
        if not causal:
            next_rows = rows[rows < n - 1]
            score = float(matrix[next_rows, next_rows + 1].mean())
            options.append((score, "next", None, f"attends to the next token ({score:.2f})"))
        score = float(matrix[rows, rows].mean())
        options.append((score, "self", None, f"attends to itself ({score:.2f})"))
        for score, token, name, special in _column_candidates(matrix, tokens, rows, causal):
            if special:
                options.append((score, "sink", token, f"{name} sink: rows put {score:.2f} on it"))
            else:
                options.append((score, "token", token, f"tokens -> {name} {score:.2f}"))
    if options:
        score, kind, token, text = max(options, key=lambda option: option[0])
        if score >= THRESHOLD:
            return HeadPattern(layer, head, kind, score, token, text)
    entropy = _normalised_entropy(matrix, rows, causal)
    if entropy >= BROAD_ENTROPY:
        text = f"spreads out evenly (entropy {entropy:.2f} of uniform)"
        return HeadPattern(layer, head, "broad", entropy, None, text)
    if not options:
        return HeadPattern(layer, head, "mixed", 0.0, None, "no single pattern")
    score, _, _, text = max(options, key=lambda option: option[0])
    return HeadPattern(layer, head, "mixed", score, None, f"no single pattern; closest: {text}")


def describe_heads(probabilities: np.ndarray, tokens: Sequence[str], causal: bool = False) -> list[HeadPattern]:
    """One HeadPattern per head of `probabilities` [L, H, T, T], layer by layer."""
    layers, heads = probabilities.shape[:2]
    return [
        describe_head(probabilities[layer, head], tokens, layer, head, causal)
        for layer in range(layers)
        for head in range(heads)
    ]


def notable_heads(patterns: Sequence[HeadPattern]) -> list[HeadPattern]:
    """The notable heads, clearest first: position and content patterns before sinks, then broad heads."""
    order = {"token": 0, "previous": 0, "next": 0, "self": 0, "sink": 1, "broad": 2}
    chosen = [p for p in patterns if p.notable]
    return sorted(chosen, key=lambda p: (order[p.kind], -p.score, p.layer, p.head))


def head_line(pattern: HeadPattern) -> str:
    """ "L0 H2: tokens -> 'but' 0.90" """
    return f"L{pattern.layer} H{pattern.head}: {pattern.text}"


SPREAD_FACTOR = 1.5  # a row whose largest weight is under 1.5x uniform names no key ("spread out")


def is_spread(weights: np.ndarray, visible: int) -> bool:
    """Whether one query's row over its `visible` keys is spread out: no key gets SPREAD_FACTOR x uniform."""
    return float(weights.max()) < SPREAD_FACTOR / max(visible, 1)


def word_reading_heads(probabilities: np.ndarray, tokens: Sequence[str], index: int,
                       causal: bool = False) -> list[tuple[int, int, int, float]]:
    """The heads whose strongest key for query `index` is a word (not [CLS], [SEP] or padding, and not a row
    spread out evenly), strongest first: (layer, head, key index, weight). The terminal's --query summary, the
    per-head query figure and the explorer agree through this one rule."""
    n_layers, n_heads = probabilities.shape[:2]
    visible = index + 1 if causal else len(tokens)
    found = []
    for layer in range(n_layers):
        for head in range(n_heads):
            row = probabilities[layer, head, index, :visible]
            key = int(np.argmax(row))
            if tokens[key] not in SPECIAL_TOKENS and not is_spread(row, visible):
                found.append((layer, head, key, float(row[key])))
    return sorted(found, key=lambda item: -item[3])
