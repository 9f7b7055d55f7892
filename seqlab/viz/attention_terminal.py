"""Attention drawn in the terminal with rich: a compact coloured matrix per head, notable heads in words,
and where one query token looks in every layer and head. Fits 80 columns; tokens are shown literally."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from seqlab.viz.attention_heads import SELECTION_RULE, HeadSummary
from seqlab.viz.head_patterns import SPECIAL_TOKENS, is_spread, word_reading_heads

# (lower bound, character, colour): weight levels of a cell; the characters carry the level without colour too
LEVELS: tuple[tuple[float, str, str], ...] = (
    (0.0, "·", "grey35"),
    (0.05, "░", "#3b528b"),
    (0.25, "▒", "#21918c"),
    (0.5, "▓", "#5ec962"),
    (0.75, "█", "#fde725"),
)
LABEL_WIDTH = 10  # characters of a token shown as a row label
TOP_WIDTH = 19  # "→ token .90" at the end of each row


def _level(value: float) -> tuple[str, str]:
    char, colour = LEVELS[0][1], LEVELS[0][2]
    for bound, c, col in LEVELS:
        if value >= bound:
            char, colour = c, col
    return char, colour


def _short(token: str, width: int = LABEL_WIDTH) -> str:
    """The token cut to `width` characters (an ellipsis marks the cut)."""
    return token if len(token) <= width else token[: width - 1] + "…"


def _layout(n_keys: int, label: int, width: int) -> tuple[int, int]:
    """(cell width, keys shown): 3 or 2 or 1 characters per key, as many keys as `width` allows."""
    room = max(width - label - TOP_WIDTH, 8)
    for cell in (3, 2):
        if n_keys * cell <= room:
            return cell, n_keys
    if n_keys <= room:
        return 1, n_keys
    return 1, max(room - len(f" ›{n_keys - 1}"), 4)  # room for the off-screen mark of a row's strongest key


def _header(n_keys: int, cell: int, label: int) -> list[Text]:
    """Key positions over the columns: tens digits on one line (when needed), units on the next."""
    lines = []
    if n_keys > 10:
        lines.append(Text(" " * label + "".join((str(j // 10) if j >= 10 else " ").rjust(cell) for j in range(n_keys)),
                          style="dim"))
    lines.append(Text(" " * label + "".join(str(j % 10).rjust(cell) for j in range(n_keys)), style="dim"))
    return lines


def _row(label: str, weights: np.ndarray, tokens: Sequence[str], cell: int, label_width: int,
         allowed: int | None = None, shown: int | None = None) -> Text:
    """One query row: its label, a coloured cell per shown key, and the key it looks at most over ALL its keys
    (marked "off screen" when that key's column is not shown)."""
    shown = len(weights) if shown is None else shown
    line = Text(label.ljust(label_width)[:label_width], style="bold")
    for j, value in enumerate(weights[:shown]):
        if allowed is not None and j >= allowed:
            line.append(" " * cell)
            continue
        char, colour = _level(float(value))
        line.append(" " * (cell - 1) + char, style=colour)
    visible = allowed if allowed is not None else len(weights)
    top = int(np.argmax(weights[:visible]))
    if is_spread(weights[:visible], visible):  # no key stands out: naming the first of equals would mislead
        line.append(" → spread out", style="dim")
        return line
    line.append(f" → {_short(tokens[top])} ", style="")
    line.append(f"{weights[top]:.2f}", style="bold")
    if top >= shown:
        line.append(f" ›{top}", style="dim")  # that key's column is off screen, to the right
    return line


def key_labels(tokens: Sequence[str], highlight: int | None = None) -> Text:
    """The columns by token: "keys: 0 [CLS] · 1 the · 2 cat ...", wrapped by the console (`highlight` in bold)."""
    text = Text("keys: ", style="dim")
    for j, token in enumerate(tokens):
        if j:
            text.append(" · ", style="dim")
        text.append(f"{j} ", style="dim")
        text.append(_short(token), style="bold" if j == highlight else "")
    return text


def legend() -> Text:
    """What the cell characters mean."""
    text = Text("weight: ", style="dim")
    bounds = [b for b, _, _ in LEVELS] + [1.0]
    for index, (_, char, colour) in enumerate(LEVELS):
        text.append(char, style=colour)
        text.append(f" <{bounds[index + 1]:.2f}  " if index < len(LEVELS) - 1 else " ≥0.75", style="dim")
    return text


def head_matrix(probs: np.ndarray, tokens: Sequence[str], title: str, causal: bool = False,
                width: int = 80) -> RenderableType:
    """One head's [T, T] attention as rows of coloured cells (query down, key across), within `width` columns."""
    n = len(tokens)
    label_width = 4 + LABEL_WIDTH + 1
    cell, shown = _layout(n, label_width, width)
    lines: list[Text] = [Text(title, style="bold")]
    lines.append(Text("rows: query (the token that looks), columns: key (what it looks at), by position",
                      style="dim"))
    lines += _header(shown, cell, label_width)
    for i in range(n):
        label = f"{i:>3} {_short(tokens[i])}"
        lines.append(_row(label, probs[i], tokens, cell, label_width, i + 1 if causal else None, shown))
    if shown < n:
        lines.append(Text(f"(first {shown} of {n} keys shown; → names a row's strongest key of all {n}, ›N when "
                          "key N is off screen; widen the terminal or see the figure)", style="dim"))
    lines.append(key_labels(tokens))
    lines.append(legend())
    return Group(*lines)


def notable_view(summaries: Sequence[HeadSummary]) -> RenderableType:
    """The heads with a sharp pattern, one line each ("L0 H2  tokens -> 'but' 0.90")."""
    lines = [Text("notable heads", style="bold")]
    if not summaries:
        lines.append(Text("  none: every head is spread out or rests on [CLS]/[SEP]", style="dim"))
    for summary in summaries:
        line = Text(f"  {summary.label:<7}", style="bold")
        line.append(summary.description)
        lines.append(line)
    return Group(*lines)


def overview(probabilities: np.ndarray, tokens: Sequence[str], ranked: Sequence[HeadSummary],
             notable: Sequence[HeadSummary], causal: bool = False, width: int = 80) -> RenderableType:
    """The most informative head as a matrix (with the rule that chose it), then the notable heads in words."""
    best = ranked[0]
    resting = sum(1 for s in ranked if s.is_sink)
    rule = Text(f"chosen by: {SELECTION_RULE}", style="dim")
    title = f"most informative head: {best.label}: {best.description}"
    parts: list[RenderableType] = [head_matrix(probabilities[best.layer, best.head], tokens, title, causal, width),
                                   rule, notable_view(notable)]
    if resting:
        parts.append(Text(f"  {resting} of {len(ranked)} heads rest on [CLS]/[SEP] (left out above)", style="dim"))
    return Group(*parts)


def query_summary(probabilities: np.ndarray, tokens: Sequence[str], index: int, causal: bool = False,
                  limit: int = 6) -> list[Text]:
    """Two or three lines before the per-head rows: how many heads look hardest at a word for this query, how
    many rest on special tokens or spread out, and the strongest word readers, so 72 rows need no scanning."""
    n_layers, n_heads = probabilities.shape[:2]
    visible = index + 1 if causal else len(tokens)
    reading = word_reading_heads(probabilities, tokens, index, causal)
    rows = probabilities[:, :, index, :visible].reshape(n_layers * n_heads, visible)
    spread = sum(is_spread(row, visible) for row in rows)
    resting = len(rows) - len(reading) - spread
    specials = "/".join(dict.fromkeys(t for t in tokens[:visible] if t in SPECIAL_TOKENS)) or "special tokens"
    head_line = Text(f"{len(reading)} of {len(rows)} heads look hardest at a word", style="bold")
    if resting:
        head_line.append(f"; {resting} at {specials} (a resting place, often a no-op)")
    if spread:
        head_line.append(f"; {spread} spread out")
    if not reading:
        return [head_line]
    strongest = Text("  strongest: ", style="dim")
    for position, (layer, head, key, weight) in enumerate(reading[:limit]):
        if position:
            strongest.append(" · ", style="dim")
        strongest.append(f"L{layer} H{head} → {tokens[key]} {weight:.2f}")
    if len(reading) > limit:
        strongest.append(f" (+{len(reading) - limit} more below)", style="dim")
    return [head_line, strongest]


def query_view(probabilities: np.ndarray, tokens: Sequence[str], index: int, causal: bool = False,
               width: int = 80) -> RenderableType:
    """Where token `index` looks in every layer and head: a row of key cells per head, grouped by layer."""
    n_layers, n_heads, n, _ = probabilities.shape
    label_width = 7
    cell, shown = _layout(n, label_width, width)
    allowed = index + 1 if causal else None
    lines: list[Text] = [Text(f"where #{index} {tokens[index]!r} looks, in every layer and head", style="bold")]
    lines.append(key_labels(tokens, index))
    lines += query_summary(probabilities, tokens, index, causal)
    lines += _header(shown, cell, label_width)
    for layer in range(n_layers):
        for head in range(n_heads):
            row = probabilities[layer, head, index]
            lines.append(_row(f"L{layer} H{head}", row, tokens, cell, label_width, allowed, shown))
        if layer < n_layers - 1:
            lines.append(Text(""))
    mean = probabilities[:, :, index, :].mean(axis=(0, 1))
    order = np.argsort(-mean)[:3]
    summary = Text("averaged over all heads: ", style="bold")
    summary.append(", ".join(f"{tokens[j]} {mean[j]:.2f}" for j in order))
    lines += [summary, legend()]
    if shown < n:
        lines.append(Text(f"(first {shown} of {n} keys shown; → names a row's strongest key of all {n}, ›N when "
                          "key N is off screen; widen the terminal or see the figure)", style="dim"))
    return Group(*lines)
