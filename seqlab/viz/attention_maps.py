"""Attention probabilities as heatmaps: every layer x head, one head up close, and the head average."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from seqlab.viz.figures import pyplot

CMAP = "viridis"


def label_text(token: str) -> str:
    """A token as a tick label: '$' escaped so matplotlib shows it instead of starting math mode."""
    return token.replace("$", r"\$")


def _font_size(n_tokens: int, cell_inches: float) -> float:
    """Tick labels that fit the cell: about 70% of the space per token, between 3 and 10 points."""
    return float(np.clip(cell_inches * 72 / max(n_tokens, 1) * 0.7, 3.0, 10.0))


def _label_axes(ax, tokens: Sequence[str], size: float, x: bool, y: bool) -> None:
    """Token names on the bottom (keys) and left (queries) edges of a heatmap."""
    n = len(tokens)
    labels = [label_text(t) for t in tokens]
    # interior cells of a grid get no ticks at all: thousands of empty labels are what makes big grids slow
    if x:
        ax.set_xticks(range(n), labels, rotation=90, fontsize=size)
    else:
        ax.set_xticks([])
    if y:
        ax.set_yticks(range(n), labels, fontsize=size)
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


def attention_grid(attentions: np.ndarray, tokens: Sequence[str], title: str = "attention", cell: float = 1.7):
    """A figure with one heatmap per layer (rows) and head (columns); `attentions` is [L, H, T, T].

    Rows are queries (who attends), columns keys (attended to); every cell shares the 0..1 color scale.
    Token names run along the left and bottom edges only, so 6 x 12 grids stay readable. The grid is
    drawn as one image with gaps (one axes instead of L*H), which keeps big grids fast.
    """
    import matplotlib

    plt = pyplot()
    n_layers, n_heads, n, _ = attentions.shape
    step = n + 1
    width, height = cell * n_heads + 2.2, cell * n_layers + 1.8  # the axes get exactly cell x cell per map
    fig, ax = plt.subplots(figsize=(width, height))
    cmap = matplotlib.colormaps[CMAP].with_extremes(bad="white")
    image = ax.imshow(tile_grid(attentions), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="equal")
    size = _font_size(n, cell)
    labels = [label_text(t) for t in tokens]
    ax.set_xticks(
        [h * step + j for h in range(n_heads) for j in range(n)], labels * n_heads, rotation=90, fontsize=size
    )
    ax.set_yticks([layer * step + i for layer in range(n_layers) for i in range(n)], labels * n_layers, fontsize=size)
    ax.tick_params(length=0, pad=1)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for head in range(n_heads):
        ax.text(head * step + (n - 1) / 2, -1.0, f"head {head}", ha="center", va="bottom", fontsize=9)
    for layer in range(n_layers):
        ax.text(
            n_heads * step - 0.5,
            layer * step + (n - 1) / 2,
            f"layer {layer}",
            ha="left",
            va="center",
            rotation=270,
            fontsize=9,
        )
    fig.suptitle(title, fontsize=12)
    fig.subplots_adjust(left=1.0 / width, right=1 - 1.2 / width, bottom=1.1 / height, top=1 - 0.7 / height)
    colorbar_axes = fig.add_axes((1 - 0.75 / width, 1.1 / height, 0.15 / width, 1 - 1.8 / height))
    fig.colorbar(image, cax=colorbar_axes, label="attention probability")
    return fig


def single_head(probs: np.ndarray, tokens: Sequence[str], title: str = "attention", annotate_up_to: int = 16):
    """One head's [T, T] probabilities, large, with each value written in its cell for short inputs."""
    plt = pyplot()
    n = len(tokens)
    side = float(np.clip(0.45 * n + 2.5, 5.0, 14.0))
    fig, ax = plt.subplots(figsize=(side + 1.2, side))
    image = ax.imshow(probs, cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
    _label_axes(ax, tokens, _font_size(n, side - 2), x=True, y=True)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    if n <= annotate_up_to:
        for i in range(n):
            for j in range(n):
                value = float(probs[i, j])
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if value > 0.6 else "white",
                )
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="attention probability")
    fig.tight_layout()
    return fig


def head_average(attentions: np.ndarray, tokens: Sequence[str], title: str = "average over heads", cell: float = 3.0):
    """One heatmap per layer of the [L, H, T, T] probabilities averaged over heads (a row, wrapping at 4)."""
    plt = pyplot()
    n_layers = attentions.shape[0]
    columns = min(n_layers, 4)
    rows = -(-n_layers // columns)
    width, height = cell * columns + 1.4, cell * rows + 1.0
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False)
    mean = attentions.mean(axis=1)  # [L, T, T]
    size = _font_size(len(tokens), cell)
    image = None
    for index, ax in enumerate(axes.flat):
        if index >= n_layers:
            ax.axis("off")
            continue
        image = ax.imshow(mean[index], cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
        _label_axes(ax, tokens, size, x=True, y=index % columns == 0)
        ax.set_title(f"layer {index}", fontsize=10)
    fig.suptitle(title, fontsize=12)
    fig.subplots_adjust(
        left=1.0 / width, right=1 - 1.0 / width, bottom=1.0 / height, top=1 - 0.5 / height, wspace=0.15, hspace=0.35
    )
    colorbar_axes = fig.add_axes((1 - 0.75 / width, 1.0 / height, 0.15 / width, 1 - 1.5 / height))
    fig.colorbar(image, cax=colorbar_axes, label="attention probability")
    return fig
