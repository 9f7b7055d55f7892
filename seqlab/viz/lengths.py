"""How long a dataset's examples are: a histogram per split, with the percentiles that guide --max-length."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqlab.data.registry import load_splits
from seqlab.data.stats import example_length
from seqlab.viz.figures import pyplot


def split_lengths(name: str, data_dir: Path | None = None, seed: int = 0) -> dict[str, list[int]]:
    """Words per example (both sentences of a pair) for every non-empty split of dataset `name`."""
    splits = load_splits(name, data_dir, seed=seed)
    out = {}
    for split in ("train", "dev", "test"):
        examples = getattr(splits, split)
        if examples:
            out[split] = [example_length(e) for e in examples]
    return out


def word_bins(low: int, high: int, bins: int = 40) -> np.ndarray:
    """Bin edges on half-integers, each bin a whole number of words wide (1 word when the range allows)."""
    width = max(1, int(np.ceil((high - low + 1) / bins)))
    return np.arange(low, high + width + 1, width) - 0.5


SPLIT_STYLE = {"train": ("tab:blue", 0.35), "dev": ("tab:orange", 0.0), "test": ("tab:green", 0.0)}


def lengths_figure(lengths: dict[str, list[int]], title: str, bins: int = 40):
    """Histograms (share of each split) on whole-word bins: train filled, dev and test as outlines so
    nothing mixes into colours the legend does not have; the train split's 50th/95th percentiles."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    everything = np.concatenate([np.asarray(v) for v in lengths.values()])
    edges = word_bins(int(everything.min()), int(everything.max()), bins)
    for split, values in lengths.items():
        colour, fill = SPLIT_STYLE.get(split, ("tab:purple", 0.0))
        weights = np.full(len(values), 1.0 / len(values))
        label = f"{split} ({len(values):,} examples)"
        if fill:
            ax.hist(values, bins=edges, weights=weights, color=colour, alpha=fill, label=label)
            ax.hist(values, bins=edges, weights=weights, color=colour, histtype="step", linewidth=1.2)
        else:
            ax.hist(values, bins=edges, weights=weights, color=colour, histtype="step", linewidth=2.0, label=label)
    reference = lengths.get("train") or next(iter(lengths.values()))
    for q, style in ((50, ":"), (95, "--")):
        value = float(np.percentile(reference, q))
        ax.axvline(value, color="black", linestyle=style, linewidth=1.2, label=f"train p{q} = {value:.0f} words")
    width = int(edges[1] - edges[0])
    per_bin = "one bar per length" if width == 1 else f"bars {width} words wide"
    ax.set(title=title, xlabel=f"words per example ({per_bin})", ylabel="share of the split")
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig
