"""Attention probabilities as heatmaps: every layer x head, one head up close, and the head average."""

from __future__ import annotations

from typing import Sequence

import matplotlib
import numpy as np

from seqlab.console import safe_text
from seqlab.viz.figures import pyplot

CMAP = "viridis"


MARKER = "tab:red"  # the line between sentence A and sentence B
MIN_LABEL_POINTS = 6.0
# A cell grows until this many token labels fit along it, no further: past that every k-th token is labelled.
# Unbounded growth made the raster grow with tokens^2 x layers x heads (MiniLM, 128 tokens: a 35,000 x 18,000
# pixel grid, 139 s and gigabytes; now the same 9,000-pixel-wide grid as at 32 tokens).
LABELED_TOKENS = 32


def label_text(token: str) -> str:
    """A token as a tick label: drawn literally (SLIDE_STYLE turns math parsing off), control characters as
    escapes (a raw ESC would reach matplotlib's missing-glyph warning and the terminal)."""
    return safe_text(token)


def _font_size(n_tokens: int, cell_inches: float) -> float:
    """Tick labels that fit the cell: about 75% of the space per token, between 6 and 10 points."""
    return float(np.clip(cell_inches * 72 / max(n_tokens, 1) * 0.75, MIN_LABEL_POINTS, 10.0))


def _cell_for(n_tokens: int, cell_inches: float) -> float:
    """The cell size, grown when needed so that `n_tokens` labels of MIN_LABEL_POINTS fit along it."""
    return max(cell_inches, min(n_tokens, LABELED_TOKENS) * MIN_LABEL_POINTS / (72 * 0.75))


def label_step(n_tokens: int, cell_inches: float) -> int:
    """Label every k-th token: 1 while all labels fit the cell at MIN_LABEL_POINTS, more for long inputs."""
    fits = max(int(cell_inches * 72 * 0.75 / MIN_LABEL_POINTS + 1e-6), 1)
    return max(-(-n_tokens // fits), 1)


def _mark_pair(ax, sentence_b_start: int | None, n: int, offset_x: float = 0.0, offset_y: float = 0.0) -> None:
    """A line before the first token of sentence B, across and down one [T, T] map."""
    if sentence_b_start is None or not 0 < sentence_b_start < n:
        return
    edge = sentence_b_start - 0.5
    ax.plot([offset_x + edge] * 2, [offset_y - 0.5, offset_y + n - 0.5], color=MARKER, linewidth=1.0)
    ax.plot([offset_x - 0.5, offset_x + n - 0.5], [offset_y + edge] * 2, color=MARKER, linewidth=1.0)
def _label_axes(ax, tokens: Sequence[str], size: float, x: bool, y: bool, step: int = 1) -> None:
    """Token names on the bottom (keys) and left (queries) edges of a heatmap (every `step`-th token)."""
    n = len(tokens)
    shown = range(0, n, step)
    labels = [label_text(tokens[i]) for i in shown]
    # interior cells of a grid get no ticks at all: thousands of empty labels are what makes big grids slow
    if x:
        ax.set_xticks(shown, labels, rotation=90, fontsize=size)
    else:
        ax.set_xticks([])
    if y:
        ax.set_yticks(shown, labels, fontsize=size)
    else:
        ax.set_yticks([])
    ax.tick_params(length=0, pad=1)


def tile_grid(attentions: np.ndarray, gap: int = 1) -> np.ndarray:
    """[L, H, T, T] -> one [L*(T+gap)-gap, H*(T+gap)-gap] mosaic, NaN in the gaps between cells."""
    n_layers, n_heads, n, _ = attentions.shape
    step = n + gap
    mosaic = np.full((n_layers * step - gap, n_heads * step - gap), np.nan, dtype=np.float32)
    for layer in range(n_layers):
        for head in range(n_heads):
            mosaic[layer * step : layer * step + n, head * step : head * step + n] = attentions[layer, head]
    return mosaic


def attention_grid(
    attentions: np.ndarray,
    tokens: Sequence[str],
    title: str = "attention",
    cell: float = 1.7,
    sentence_b_start: int | None = None,
):
    """A figure with one heatmap per layer (rows) and head (columns); `attentions` is [L, H, T, T].

    Rows are queries (who attends), columns keys (attended to); every cell shares the 0..1 color scale.
    Token names run along the left and bottom edges only, at 6 points or more (cells grow to fit 32 of them;
    longer inputs label every k-th token);
    a red line separates sentence A from sentence B. The grid is drawn as one image with gaps (one axes
    instead of L*H), which keeps big grids fast.
    """
    plt = pyplot()
    n_layers, n_heads, n, _ = attentions.shape
    step = n + 1
    cell = _cell_for(n, cell)
    width, height = cell * n_heads + 2.6, cell * n_layers + 2.0
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    cmap = matplotlib.colormaps[CMAP].with_extremes(bad="white")
    image = ax.imshow(tile_grid(attentions), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="equal")
    every = label_step(n, cell)
    size = _font_size(-(-n // every), cell)
    shown = range(0, n, every)
    labels = [label_text(tokens[i]) for i in shown]
    ax.set_xticks(
        [h * step + j for h in range(n_heads) for j in shown], labels * n_heads, rotation=90, fontsize=size
    )
    ax.set_yticks([layer * step + i for layer in range(n_layers) for i in shown], labels * n_layers, fontsize=size)
    ax.tick_params(length=0, pad=1)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for layer in range(n_layers):
        for head in range(n_heads):
            _mark_pair(ax, sentence_b_start, n, head * step, layer * step)
    top = ax.secondary_xaxis("top")
    top.set_xticks([h * step + (n - 1) / 2 for h in range(n_heads)], [f"head {h}" for h in range(n_heads)])
    top.tick_params(length=0)
    right = ax.secondary_yaxis("right")
    right.set_yticks([layer * step + (n - 1) / 2 for layer in range(n_layers)],
                     [f"layer {layer}" for layer in range(n_layers)], rotation=270, va="center")
    right.tick_params(length=0, pad=4)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    fig.suptitle(title)
    fig.colorbar(image, ax=ax, label="attention probability", shrink=min(1.0, 4.0 / height + 0.3), pad=0.02)
    return fig


def single_head(
    probs: np.ndarray,
    tokens: Sequence[str],
    title: str = "attention",
    annotate_up_to: int = 20,
    sentence_b_start: int | None = None,
):
    """One head's [T, T] probabilities, large, with each value written in its cell for short inputs."""
    plt = pyplot()
    n = len(tokens)
    side = float(np.clip(0.45 * n + 3.0, 5.5, 14.0))
    fig, ax = plt.subplots(figsize=(side + 1.4, side + 0.4), layout="constrained")
    image = ax.imshow(probs, cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
    every = label_step(n, side - 2)
    _label_axes(ax, tokens, _font_size(-(-n // every), side - 2), x=True, y=True, step=every)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    if n <= annotate_up_to:
        for i in range(n):
            for j in range(n):
                value = float(probs[i, j])
                if value < 0.05:  # a sea of 0.00 hides the few weights that matter
                    continue
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7 if n > 12 else 8,
                    color="black" if value > 0.6 else "white",
                )
    _mark_pair(ax, sentence_b_start, n)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="attention probability")
    return fig


def _columns(n_layers: int) -> int:
    """Panels per row: every row full when the layer count allows (6 -> 3 x 2, 12 -> 4 x 3), at most 4."""
    if n_layers <= 4:
        return n_layers
    for columns in (4, 3):
        if n_layers % columns == 0:
            return columns
    return 4


def head_average(
    attentions: np.ndarray,
    tokens: Sequence[str],
    title: str = "average over heads",
    cell: float = 3.2,
    sentence_b_start: int | None = None,
):
    """One heatmap per layer of the [L, H, T, T] probabilities averaged over heads (rows of up to 4, all full
    when the layer count allows; a left-over slot is removed, not left empty)."""
    plt = pyplot()
    n_layers = attentions.shape[0]
    n = len(tokens)
    columns = _columns(n_layers)
    rows = -(-n_layers // columns)
    cell = _cell_for(n, cell)
    width, height = cell * columns + 2.0, (cell + 0.35) * rows + 1.3
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False, layout="constrained")
    mean = attentions.mean(axis=1)  # [L, T, T]
    every = label_step(n, cell)
    size = _font_size(-(-n // every), cell)
    image = None
    used = []
    for index, ax in enumerate(axes.flat):
        if index >= n_layers:
            fig.delaxes(ax)
            continue
        used.append(ax)
        image = ax.imshow(mean[index], cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
        last_row = index + columns >= n_layers
        _label_axes(ax, tokens, size, x=last_row, y=index % columns == 0, step=every)
        _mark_pair(ax, sentence_b_start, n)
        ax.set_title(f"layer {index}", fontsize=11)
        if last_row:
            ax.set_xlabel("key")
        if index % columns == 0:
            ax.set_ylabel("query")
    fig.suptitle(title)
    fig.colorbar(image, ax=used, label="attention probability", shrink=0.8, pad=0.02)
    return fig
