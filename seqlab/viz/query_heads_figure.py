"""Where one query token looks in every layer and head: a grid of small bar charts (layers down, heads across),
each the query's attention over the keys; the heads whose strongest key is a word (not [CLS]/[SEP]) are framed,
tinted and name that key in their title (the rule of `seqlab.viz.head_patterns.word_reading_heads`)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from seqlab.viz.attention_maps import MARKER, label_text
from seqlab.viz.figures import pyplot, shorten
from seqlab.viz.head_patterns import word_reading_heads

READER = "#d95f02"  # frame, title and strongest bar of a head that reads a word
READER_FACE = "#fff3e6"
BAR = "#2171b5"  # the other bars of a reading head
QUIET = "#a7b1bc"  # every bar of a head that rests on [CLS]/[SEP] or spreads out
QUERY_SHADE = "#f2b705"  # the query's own column
MASKED = "#e4e7eb"  # keys a causal query cannot see
SLIDE_WIDTH = 13.333  # inches: a 16:9 slide; the grid fits it up to 12 heads
TICK_POINTS = (6.0, 7.5)  # key labels: as large as the column allows, within this range
LABEL_SPACING = 0.9  # a rotated label's font size over the room per key, at most
TITLE_POINTS = 7.5
TOKEN_CHARS = 10  # characters of a key label on the x axis
TITLE_CHARS = 6  # characters of the key a reading head's title names


def query_caption(tokens: Sequence[str], index: int) -> str:
    """"#3 'cat'": the query by position (counted from 0, as the terminal) and spelling."""
    return f"#{index} '{shorten(label_text(tokens[index]), 20)}'"


def _weight(value: float) -> str:
    return "1.0" if value >= 0.995 else f"{value:.2f}".lstrip("0")


def _key_labels(n_tokens: int, column_inches: float) -> tuple[int, float]:
    """(k, points): label every k-th key, at a size that leaves rotated labels apart along one column."""
    low, high = TICK_POINTS
    fits = max(int(column_inches * 72 * LABEL_SPACING / low), 1)
    every = max(-(-n_tokens // fits), 1)
    room = column_inches * 72 / -(-n_tokens // every)
    return every, float(np.clip(room * LABEL_SPACING, low, high))


def query_heads_figure(probabilities: np.ndarray, tokens: Sequence[str], index: int, causal: bool = False,
                       title: str | None = None, sentence_b_start: int | None = None):
    """Query `index`'s row of every head of `probabilities` [L, H, T, T], one bar chart per head.

    Every chart shares the keys (x, labelled on the bottom row, the query's label and column in yellow) and the
    0..1 weight scale (y, labelled on the left column). A head whose strongest key is a word is framed and tinted
    orange, its strongest bar orange, its title 'L0 H3 → sat .62'; the others are grey, titled 'L0 H4'. Keys
    after a causal query are greyed out; a red line marks where sentence B starts. Each axes' label is 'L{l} H{h}'.
    """
    plt = pyplot()
    n_layers, n_heads, n, _ = probabilities.shape
    readers = {(layer, head): (key, weight)
               for layer, head, key, weight in word_reading_heads(probabilities, tokens, index, causal)}
    column = float(np.clip((SLIDE_WIDTH - 1.0) / n_heads, 1.0, 2.6))
    row = float(np.clip(5.4 / n_layers, 0.85, 1.8))
    every, points = _key_labels(n, column)
    shown = list(range(0, n, every))
    if index not in shown:  # the query is always labelled
        shown = sorted(set(shown) - {min(shown, key=lambda j: abs(j - index))} | {index})
    labels = [shorten(label_text(tokens[j]), TOKEN_CHARS) for j in shown]
    label_room = 0.25 + 0.008 * points * max((len(label) for label in labels), default=1)
    figure, axes = plt.subplots(n_layers, n_heads, sharex=True, sharey=True, squeeze=False, layout="constrained",
                                figsize=(column * n_heads + 1.0, row * n_layers + 1.5 + label_room))
    keys = np.arange(n)
    visible = index + 1 if causal else n
    for layer in range(n_layers):
        for head in range(n_heads):
            ax = axes[layer, head]
            ax.set_label(f"L{layer} H{head}")
            weights = np.asarray(probabilities[layer, head, index], dtype=float).copy()
            weights[visible:] = 0.0
            reading = readers.get((layer, head))
            colours = [QUIET] * n if reading is None else [READER if j == reading[0] else BAR for j in range(n)]
            ax.axvspan(index - 0.5, index + 0.5, color=QUERY_SHADE, alpha=0.25, linewidth=0)
            if visible < n:
                ax.axvspan(visible - 0.5, n - 0.5, color=MASKED, linewidth=0)
            if sentence_b_start is not None and 0 < sentence_b_start < n:
                ax.axvline(sentence_b_start - 0.5, color=MARKER, linewidth=0.8)
            ax.bar(keys, weights, width=0.8, color=colours)
            name = f"L{layer} H{head}"
            if reading is None:
                ax.set_title(name, fontsize=TITLE_POINTS, color="#52606d", pad=2)
            else:
                key, weight = reading
                ax.set_title(f"{name} → {shorten(label_text(tokens[key]), TITLE_CHARS)} {_weight(weight)}",
                             fontsize=TITLE_POINTS, color=READER, fontweight="bold", pad=2)
                ax.set_facecolor(READER_FACE)
                for spine in ax.spines.values():
                    spine.set_edgecolor(READER)
                    spine.set_linewidth(1.8)
            ax.tick_params(length=0, pad=1, labelsize=points)
    first = axes[0, 0]
    first.set_xlim(-0.6, n - 0.4)
    first.set_ylim(0.0, 1.05)
    first.set_yticks([0.0, 0.5, 1.0], ["0", ".5", "1"])
    first.set_xticks(shown, labels, rotation=90)
    for ax in axes[-1]:
        ax.tick_params(axis="x", labelrotation=90)
        for tick, j in zip(ax.get_xticklabels(), shown):
            if j == index:
                tick.set_color("#8a6100")
                tick.set_fontweight("bold")
    caption = query_caption(tokens, index)
    figure.suptitle(title or f"where {caption} looks, in every layer and head")
    figure.supylabel("weight of the query on each key (0..1)", fontsize=10)
    total = n_layers * n_heads
    figure.supxlabel(
        f"key (attended to); the query {caption} shaded yellow. Framed orange: {len(readers)} of {total} heads, "
        "whose strongest key is a word (named in the title); grey: resting on [CLS]/[SEP] or spread out. "
        "Layers, heads and tokens numbered from 0.",
        fontsize=9, color="#3e4c59", wrap=True)
    return figure
