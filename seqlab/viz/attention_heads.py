"""Which attention heads are worth showing first; what each one does comes from seqlab.viz.head_patterns
(the same words as the attention explorer page).

The rule (stated to the user by `SELECTION_RULE`): a head is informative when its rows are far from uniform,
measured as 1 - (mean row entropy / entropy of a uniform row over the keys that row may see). Heads that put
more than half of their weight on the special tokens ([CLS], [SEP], <cls>, <sep>, padding) are "sinks": a
head with nothing to do parks its attention there, so they are ranked after every other head.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from seqlab.errors import SeqlabError
from seqlab.viz.head_patterns import SPECIAL_TOKENS, describe_head

SINK_SHARE = 0.5  # above this share of weight on special tokens a head is a sink
SHARP_KINDS = ("token", "previous", "next", "self")  # the patterns worth naming as notable
SELECTION_RULE = (
    "the lowest row entropy relative to uniform, among heads that do not rest on [CLS]/[SEP] "
    f"(as their top key, or with over {SINK_SHARE:.0%} of their weight)"
)


@dataclass(frozen=True)
class HeadSummary:
    """One head of one layer: how peaked it is, how much it sinks into special tokens, and its pattern."""

    layer: int
    head: int
    focus: float  # 1 - mean normalised row entropy: 0 = uniform rows, 1 = every row on a single key
    sink_share: float  # mean weight on special tokens
    pattern: str  # head_patterns' kind: "token", "previous", "next", "self", "sink", "broad" or "mixed"
    strength: float  # head_patterns' score: the mean weight the pattern explains
    target: str | None  # the key token of a "token"/"sink" pattern
    description: str  # one line, e.g. "tokens -> 'but' 0.90"

    @property
    def is_sink(self) -> bool:
        """Whether the head rests most of its weight on special tokens."""
        return self.pattern == "sink" or self.sink_share > SINK_SHARE

    @property
    def label(self) -> str:
        """Short name, e.g. 'L0 H2'."""
        return f"L{self.layer} H{self.head}"

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers and strings (for --json)."""
        return {
            "layer": self.layer,
            "head": self.head,
            "focus": round(self.focus, 4),
            "sink_share": round(self.sink_share, 4),
            "pattern": self.pattern,
            "strength": round(self.strength, 4),
            "target": self.target,
            "description": self.description,
        }


def _allowed(probs: np.ndarray, causal: bool) -> np.ndarray:
    """[T, T] bool: the keys each query may see (lower triangle for a causal model)."""
    n = probs.shape[-1]
    return np.tril(np.ones((n, n), dtype=bool)) if causal else np.ones((n, n), dtype=bool)


def focus(probs: np.ndarray, causal: bool = False) -> float:
    """1 - mean over rows of entropy / log(keys the row may see); rows with a single key are skipped."""
    allowed = _allowed(probs, causal)
    keys = allowed.sum(axis=1)
    rows = keys > 1
    if not rows.any():
        return 1.0
    p = np.clip(probs.astype(np.float64), 1e-12, 1.0)
    entropy = -(np.where(allowed, probs * np.log(p), 0.0)).sum(axis=1)
    return float(1.0 - np.mean(entropy[rows] / np.log(keys[rows])))


def summarize_heads(probabilities: np.ndarray, tokens: Sequence[str], causal: bool = False) -> list[HeadSummary]:
    """A HeadSummary for every layer and head of [L, H, T, T] probabilities, in layer/head order."""
    if probabilities.ndim != 4 or probabilities.shape[-1] != len(tokens):
        raise SeqlabError(f"attention must be [layers, heads, T, T] over {len(tokens)} tokens")
    special = np.array([t in SPECIAL_TOKENS for t in tokens])
    out = []
    for layer in range(probabilities.shape[0]):
        for head in range(probabilities.shape[1]):
            probs = probabilities[layer, head]
            found = describe_head(probs, tokens, layer, head, causal)
            sink_share = float(probs[:, special].sum(axis=1).mean()) if special.any() else 0.0
            out.append(HeadSummary(layer, head, focus(probs, causal), sink_share, found.kind, found.score,
                                   found.token, found.text))
    return out


def rank_heads(summaries: Sequence[HeadSummary]) -> list[HeadSummary]:
    """Heads by SELECTION_RULE: non-sinks first, then by focus (highest first); ties by layer, head."""
    return sorted(summaries, key=lambda s: (s.is_sink, -s.focus, s.layer, s.head))


def first_ranked(summaries: Sequence[HeadSummary], layer: int | None = None, head: int | None = None) -> HeadSummary:
    """The head SELECTION_RULE ranks first, among the given layer and/or head number (any when None): the head
    the terminal, the figures and the explorer page all open on."""
    return next(s for s in rank_heads(summaries) if (layer is None or s.layer == layer)
                and (head is None or s.head == head))


def notable_heads(summaries: Sequence[HeadSummary], limit: int = 4) -> list[HeadSummary]:
    """Up to `limit` heads with a sharp, nameable pattern (not broad, mixed or a sink), strongest first."""
    named = [s for s in summaries if s.pattern in SHARP_KINDS and not s.is_sink]
    return sorted(named, key=lambda s: (-s.strength, s.layer, s.head))[:limit]


def find_token(tokens: Sequence[str], query: str) -> int:
    """Index of the token to follow: a position ('#3'), an exact token, else the first case-insensitive match."""
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        index = int(query[1:])
        if 0 <= index < len(tokens):
            return index
        raise SeqlabError(f"--query {query}: there are only {len(tokens)} tokens (#0..#{len(tokens) - 1})")
    lowered = query.lower()
    for key, candidates in (
        (query, list(tokens)),
        (lowered, [t.lower() for t in tokens]),
        (lowered, [t.lower().removeprefix("##") for t in tokens]),
    ):
        if key in candidates:
            return candidates.index(key)
    shown = " ".join(tokens[:40]) + (" ..." if len(tokens) > 40 else "")
    raise SeqlabError(f"--query {query!r} is not one of the tokens: {shown} (or give a position like #3)")
