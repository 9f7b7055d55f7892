"""How long a dataset's examples are: a histogram per split, with the percentiles that guide --max-length."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqlab.viz.figures import pyplot


def split_lengths(name: str, data_dir: Path | None = None, seed: int = 0) -> dict[str, list[int]]:
    """Words per example (both sentences of a pair) for every non-empty split of dataset `name`."""
    from seqlab.data.registry import load_splits
    from seqlab.data.stats import example_length

    splits = load_splits(name, data_dir, seed=seed)
    out = {}
    for split in ("train", "dev", "test"):
        examples = getattr(splits, split)
        if examples:
            out[split] = [example_length(e) for e in examples]
    return out


def lengths_figure(lengths: dict[str, list[int]], title: str, bins: int = 40):
    """Overlaid histograms (share of each split) on shared bins, with the train split's 50/95th percentiles."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    everything = np.concatenate([np.asarray(v) for v in lengths.values()])
    low, high = int(everything.min()), int(everything.max())
    if high - low < bins:  # one bar per length: no empty slivers between integer values
        edges = np.arange(low, high + 2) - 0.5
    else:
        edges = np.histogram_bin_edges(everything, bins=bins)
    for split, values in lengths.items():
        weights = np.full(len(values), 1.0 / len(values))
        ax.hist(values, bins=edges, weights=weights, alpha=0.5, label=f"{split} ({len(values):,})")
    reference = lengths.get("train") or next(iter(lengths.values()))
    for q, style in ((50, ":"), (95, "--")):
        value = float(np.percentile(reference, q))
        ax.axvline(value, color="black", linestyle=style, linewidth=1, label=f"train p{q} = {value:.0f} words")
    ax.set(title=title, xlabel="words per example", ylabel="share of the split")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
