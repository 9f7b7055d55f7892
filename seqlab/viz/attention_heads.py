"""Which attention heads are worth showing, and what each one does, in words.

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

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[PAD]", "<cls>", "<sep>", "<pad>", "<s>", "</s>"})
SINK_SHARE = 0.5  # above this share of weight on special tokens a head is a sink
PATTERN_STRENGTH = 0.4  # a pattern is named when it holds at least this much weight on average
SELECTION_RULE = (
    "most informative = lowest row entropy relative to uniform, "
    f"skipping heads that rest on [CLS]/[SEP] (their top key, or over {SINK_SHARE:.0%} of their weight)"
)


@dataclass(frozen=True)
class HeadSummary:
    """One head of one layer: how peaked it is, how much it sinks into special tokens, and its pattern."""

    layer: int
    head: int
    focus: float  # 1 - mean normalised row entropy: 0 = uniform rows, 1 = every row on a single key
    sink_share: float  # mean weight on special tokens
    pattern: str  # "token", "previous", "next", "self", "sink" or "broad"
    strength: float  # mean weight that the pattern explains (for "broad": the mean top weight of a row)
    target: int | None  # index of the key of a "token"/"sink" pattern
    description: str  # one line, e.g. "every token -> 'but' 0.90"

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


def _name(tokens: Sequence[str], index: int) -> str:
    """A token in quotes, with its position when the same token occurs more than once."""
    token = tokens[index]
    return f"'{token}'" + (f" (#{index})" if list(tokens).count(token) > 1 else "")


def describe_head(probs: np.ndarray, tokens: Sequence[str], causal: bool = False) -> tuple[str, float, int | None, str]:
    """(pattern, strength, target token index, one-line description) of one head's [T, T] probabilities."""
    n = len(tokens)
    special = np.array([t in SPECIAL_TOKENS for t in tokens])
    # weight each key receives, averaged over all queries; a causal model's row 0 sees only key 0, so it is left out
    column = probs[1:].mean(axis=0) if causal and n > 1 else probs.mean(axis=0)
    candidates: list[tuple[str, float, int | None]] = []
    j = int(np.argmax(column))
    if n > 1:
        candidates.append(("sink" if special[j] else "token", float(column[j]), j))
        candidates.append(("previous", float(np.mean(np.diagonal(probs, -1))), None))
        if not causal:
            candidates.append(("next", float(np.mean(np.diagonal(probs, 1))), None))
    candidates.append(("self", float(np.mean(np.diagonal(probs))), None))
    pattern, strength, target = max(candidates, key=lambda c: c[1])
    if strength < PATTERN_STRENGTH:
        top = float(np.mean(probs.max(axis=1)))
        spread = float(np.mean(np.exp(-(probs * np.log(np.clip(probs, 1e-12, 1))).sum(axis=1))))
        return "broad", top, None, f"spread out: each token looks at ~{spread:.0f} tokens (top weight {top:.2f})"
    text = {
        "token": lambda: f"every token -> {_name(tokens, j)} {strength:.2f}",
        "sink": lambda: f"rests on {tokens[j]} {strength:.2f} (nothing to do: a resting head)",
        "previous": lambda: f"each token -> the previous token {strength:.2f}",
        "next": lambda: f"each token -> the next token {strength:.2f}",
        "self": lambda: f"each token -> itself {strength:.2f}",
    }[pattern]()
    return pattern, strength, target, text


def summarize_heads(probabilities: np.ndarray, tokens: Sequence[str], causal: bool = False) -> list[HeadSummary]:
    """A HeadSummary for every layer and head of [L, H, T, T] probabilities, in layer/head order."""
    if probabilities.ndim != 4 or probabilities.shape[-1] != len(tokens):
        raise SeqlabError(f"attention must be [layers, heads, T, T] over {len(tokens)} tokens")
    special = np.array([t in SPECIAL_TOKENS for t in tokens])
    out = []
    for layer in range(probabilities.shape[0]):
        for head in range(probabilities.shape[1]):
            probs = probabilities[layer, head]
            pattern, strength, target, text = describe_head(probs, tokens, causal)
            sink_share = float(probs[:, special].sum(axis=1).mean()) if special.any() else 0.0
            out.append(HeadSummary(layer, head, focus(probs, causal), sink_share, pattern, strength, target, text))
    return out


def rank_heads(summaries: Sequence[HeadSummary]) -> list[HeadSummary]:
    """Heads by SELECTION_RULE: non-sinks first, then by focus (highest first); ties by layer, head."""
    return sorted(summaries, key=lambda s: (s.is_sink, -s.focus, s.layer, s.head))


def notable_heads(summaries: Sequence[HeadSummary], limit: int = 4) -> list[HeadSummary]:
    """Up to `limit` heads with a sharp, nameable pattern (not broad, not a sink), strongest first."""
    named = [s for s in summaries if s.pattern not in ("broad", "sink") and not s.is_sink]
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
