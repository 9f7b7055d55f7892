"""The figures of experiment reports that seqlab.viz does not draw: sweeps, bars, Pareto fronts, histograms."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from seqlab.viz.figures import pyplot

Point = tuple[float, float, float]  # x, mean, sd


def _finish(fig, ax, title: str, baseline: float | None):
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle="--", linewidth=1, label=f"majority baseline {baseline:.1f}%")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def bar_chart(groups: Sequence[str], series: dict[str, Sequence[tuple[float, float]]], title: str,
              ylabel: str = "dev accuracy (%)", baseline: float | None = None):
    """Grouped bars: one group per entry of `groups`, one bar per series (mean with a ±sd whisker)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(groups) * max(1, len(series))), 4.5))
    width = 0.8 / max(1, len(series))
    x = np.arange(len(groups))
    for i, (name, values) in enumerate(series.items()):
        means = [m for m, _ in values]
        sds = [s for _, s in values]
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, means, width, yerr=sds, capsize=3, label=name)
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(x, list(groups))
    ax.set_ylabel(ylabel)
    return _finish(fig, ax, title, baseline)


def line_chart(series: dict[str, Sequence[Point]], title: str, xlabel: str, ylabel: str = "dev accuracy (%)",
               log_x: bool = False, baseline: float | None = None):
    """One line per series through (x, mean) points, with a ±sd band."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in series.items():
        xs, means, sds = (np.asarray(v, dtype=float) for v in zip(*points))
        ax.plot(xs, means, marker="o", label=name)
        if np.any(sds > 0):
            ax.fill_between(xs, means - sds, means + sds, alpha=0.2)
    if log_x:
        ax.set_xscale("log", base=2)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(fig, ax, title, baseline)


def pareto_chart(points: Sequence[tuple[float, float]], labels: Sequence[str], front: Sequence[int], title: str,
                 xlabel: str = "parameters", ylabel: str = "dev accuracy (%)"):
    """Every trial as a dot (cost on a log axis), the Pareto front as a step line with its points labelled."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    ax.scatter(xs, ys, color="tab:blue", alpha=0.6, label="trials")
    front_points = [points[i] for i in front]
    if front_points:
        ax.step([p[0] for p in front_points], [p[1] for p in front_points], where="post", color="tab:red",
                marker="o", label="Pareto front")
        for i in front:
            ax.annotate(labels[i], points[i], textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(fig, ax, title, None)


def epoch_curves(curves: dict[str, Sequence[tuple[int, float]]], title: str, ylabel: str = "dev accuracy (%)"):
    """One line per trial: the dev score after each epoch."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, points in curves.items():
        if points:
            ax.plot(*zip(*points), marker="o", markersize=3, label=name)
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _finish(fig, ax, title, None)


def length_histograms(lengths: dict[str, Sequence[int]], title: str, xlabel: str = "tokens per example"):
    """Overlaid histograms of sequence lengths on shared bins, one per tokenizer, with their 95th percentiles."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    everything = np.concatenate([np.asarray(v) for v in lengths.values()])
    edges = np.histogram_bin_edges(everything, bins=min(40, max(5, int(everything.max() - everything.min()) + 1)))
    colors = pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (name, values) in enumerate(lengths.items()):
        color = colors[index % len(colors)]
        ax.hist(values, bins=edges, alpha=0.5, color=color, label=f"{name} ({len(values):,} examples)")
        ax.axvline(float(np.percentile(values, 95)), color=color, linestyle="--", linewidth=1,
                   label=f"{name} p95 = {np.percentile(values, 95):.0f}")
    ax.set(xlabel=xlabel, ylabel="examples")
    return _finish(fig, ax, title, None)


def shift_chart(names: Sequence[str], shifts: Sequence[float], title: str, xlabel: str):
    """Horizontal bars of signed probability shifts, one per counterfactual pair (largest |shift| on top)."""
    plt = pyplot()
    order = sorted(range(len(names)), key=lambda i: abs(shifts[i]))
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.22 * len(names) + 1.2)))
    values = [shifts[i] for i in order]
    ax.barh([names[i] for i in order], values, color=["tab:red" if v > 0 else "tab:blue" for v in values])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set(xlabel=xlabel)
    return _finish(fig, ax, title, None)
