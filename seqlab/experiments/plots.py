"""The figures of experiment reports that seqlab.viz does not draw: sweeps, bars, Pareto fronts, histograms.

The sweep and bar charts draw what the report's tables state: each mean with its ± (the 95% interval of the
mean over seeds, from seqlab.experiments.stats.spread, the same numbers as the tables), every seed, the
baselines as lines, and the report's verdict as a caption under the plot."""

from __future__ import annotations

import textwrap
from typing import Sequence

import numpy as np
from matplotlib.ticker import NullFormatter

from seqlab.console import safe_text
from seqlab.experiments.stats import spread
from seqlab.viz.figures import pyplot

Baselines = dict[str, float]  # {"majority baseline": 50.0, "random baseline": 50.0}, in percent
MIN_SPAN = 30.0  # percentage points: a y-axis never spans less, so seed noise is not drawn as a trend
CAPTION_LINES = 3  # verdicts drawn under a chart; the rest are in the report
CAPTION_FONT = 8
INTERVAL_LABEL = "mean ± 95% interval"


def short_caption(lines: Sequence[str], limit: int = CAPTION_LINES) -> list[str]:
    """The first `limit` of the report's verdict lines, and how many more the report has."""
    lines = [safe_text(line) for line in lines if line]
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"(+{len(lines) - limit} more in the report)"]


def _caption(fig, ax, caption: Sequence[str]) -> None:
    """The caption's lines wrapped to the figure's width, under the x axis (its tick labels and label)."""
    if not caption:
        return
    width = max(40, int(fig.get_figwidth() * 72 / (0.55 * CAPTION_FONT)) - 4)
    text = "\n".join(textwrap.fill(line, width, subsequent_indent="  ") for line in caption)
    ax.annotate(text, xy=(0, 0), xycoords=("figure fraction", lambda renderer: ax.xaxis.get_tightbbox(renderer)),
                xytext=(6, -6), textcoords="offset points", ha="left", va="top", fontsize=CAPTION_FONT,
                color="0.2", annotation_clip=False)


def _wrapped_title(fig, title: str) -> str:
    """The title's lines, each wrapped to the figure's width (a dataset, budget and seeds line is long)."""
    width = max(30, int(fig.get_figwidth() * 72 / (0.58 * 12)) - 6)
    out: list[str] = []
    for line in (safe_text(part) for part in str(title).split("\n")):
        pieces = line.split(" · ")  # break between the facts of a line ('imdb · quick budget · 3 seeds') first
        current = pieces[0]
        for piece in pieces[1:]:
            if len(current) + 3 + len(piece) > width:
                out.append(current)
                current = piece
            else:
                current += " · " + piece
        out.append(current)
    return "\n".join(textwrap.fill(line, width) for line in out)


def interval(values: Sequence[float]) -> tuple[float, float]:
    """The mean of per-seed values and the half-width of its 95% interval (0 with one seed): the ± the report's
    tables print for the same values."""
    s = spread(values)
    return s.mean, s.half_width


def _no_interval(points: Sequence[tuple[float, Sequence[float]]]) -> str:
    """Why a line has no error bars: 'one seed, no interval', or 'mean' when only some points have one seed."""
    return "one seed, no interval" if all(len(v) <= 1 for _, v in points) else "mean"


def _finish(fig, ax, title: str, baseline: float | None = None, baselines: Baselines | None = None,
            legend_outside: bool = False, caption: Sequence[str] = ()):
    lines = dict(baselines or {})
    if baseline is not None:
        lines.setdefault("majority baseline", baseline)
    for (name, value), style in zip(lines.items(), ("--", ":", "-.")):
        ax.axhline(value, color="gray", linestyle=style, linewidth=1.2, zorder=2.5, label=f"{name} {value:.1f}%")
    fig.suptitle(_wrapped_title(fig, title), fontsize=12)  # a dataset's name, drawn as typed
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        if legend_outside:  # bars fill the plot: the legend goes to the right of it
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        else:
            ax.legend(fontsize=8)
    _caption(fig, ax, caption)
    fig.tight_layout()
    return fig


def honest_limits(values: Sequence[float], baselines: Baselines | None = None, top: float = 100.0
                  ) -> tuple[float, float]:
    """Y limits (percent) that show every value and baseline with a margin and span at least MIN_SPAN points."""
    everything = [float(v) for v in values] + list((baselines or {}).values())
    if not everything:
        return 0.0, top
    low, high = min(everything) - 3.0, max(everything) + 3.0
    if high - low < MIN_SPAN:
        middle = (low + high) / 2
        low, high = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    if high > top:
        low, high = low - (high - top), top
    return max(low, 0.0), high


def bar_chart(groups: Sequence[str], series: dict[str, Sequence[Sequence[float]]], title: str,
              ylabel: str = "dev accuracy (%)", baselines: Baselines | None = None,
              group_baselines: dict[str, Sequence[float | None]] | None = None, caption: Sequence[str] = ()):
    """Grouped bars: one group per entry of `groups`, one bar per series at the mean of its per-seed values
    (percent) with its 95% interval as an error bar (two seeds or more), every seed drawn as a black dot on its
    bar, 'mean ± half-width' written above the highest of them. Bars start at 0 (a bar's length is its value);
    `baselines` are lines across the plot, `group_baselines` a dashed segment over each group (a baseline that
    differs per dataset, e.g. the majority class); `caption` lines (the report's verdicts) go under the plot."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(7.0, 1.2 * len(groups) * max(1, len(series)) + 2.0),
                                    4.5 + 0.3 * len(caption)))
    width = 0.8 / max(1, len(series))
    x = np.arange(len(groups))
    shown: list[float] = []
    any_interval = False
    for i, (name, per_group) in enumerate(series.items()):
        offset = x + (i - (len(series) - 1) / 2) * width
        spans = [interval(v) if len(v) else (np.nan, 0.0) for v in per_group]
        ax.bar(offset, [m for m, _ in spans], width, label=name, alpha=0.8)
        for position, (mean, half), values in zip(offset, spans, per_group):
            if not len(values):
                continue
            ax.scatter([position] * len(values), values, color="black", s=10, zorder=3)
            if len(values) > 1:
                ax.errorbar([position], [mean], yerr=[half], fmt="none", ecolor="black", elinewidth=1.2,
                            capsize=5, zorder=4)
                any_interval = True
            text = f"{mean:.1f}" if len(values) < 2 else f"{mean:.1f} ± {half:.1f}"
            ax.annotate(text, (position, max(mean + half, *values)), textcoords="offset points", xytext=(0, 4),
                        ha="center", va="bottom", fontsize=7)
            shown += [*values, mean + half]
    ax.scatter([], [], color="black", s=10, label="one seed")
    if any_interval:
        ax.errorbar([], [], yerr=[], fmt="none", ecolor="black", capsize=5, label="95% interval of the mean")
    for (name, per_group), style in zip((group_baselines or {}).items(), ("--", ":")):
        for centre, value in zip(x, per_group):
            if value is not None:
                ax.hlines(value, centre - 0.45, centre + 0.45, colors="black", linestyles=style, linewidth=1.2,
                          zorder=4)
                shown.append(float(value))
        ax.plot([], [], color="black", linestyle=style, linewidth=1.2, label=name)
    ax.set_xticks(x, list(groups))
    ax.set_ylabel(ylabel)
    high = max([*shown, *(baselines or {}).values(), 1.0])
    ax.set_ylim(0.0, min(high, 100.0) * 1.08)  # room for the value labels above the tallest bars
    return _finish(fig, ax, title, baselines=baselines, legend_outside=True, caption=caption)


def line_chart(series: dict[str, Sequence[tuple[float, Sequence[float]]]], title: str, xlabel: str,
               ylabel: str = "dev accuracy (%)", log_x: bool = False, baselines: Baselines | None = None,
               caption: Sequence[str] = ()):
    """One line per series through the mean at each x with its 95% interval as an error bar (two seeds or
    more), every seed's value drawn as a dot, baselines as lines, the legend right of the plot (off the data),
    `caption` lines (the report's verdicts) under it."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5 + 0.3 * len(caption)))
    shown: list[float] = []
    for name, points in series.items():
        xs = [float(x) for x, _ in points]
        spans = [interval(v) for _, v in points]
        seeded = min((len(v) for _, v in points), default=0) > 1
        line = ax.errorbar(xs, [m for m, _ in spans], yerr=[h if len(v) > 1 else 0.0 for (_, h), (_, v)
                                                           in zip(spans, points)],
                           marker="o", capsize=4, label=f"{name}: {INTERVAL_LABEL}" if seeded else f"{name} ({_no_interval(points)})")[0]
        for x, values in points:
            ax.scatter([x] * len(values), values, color=line.get_color(), s=12, alpha=0.5)
            shown += list(values)
        shown += [m + h for m, h in spans] + [m - h for m, h in spans]
    if log_x:
        ax.set_xscale("log", base=2)
        ticks = sorted({float(x) for points in series.values() for x, _ in points})
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.set_ylim(*honest_limits(shown, baselines))
    return _finish(fig, ax, title, baselines=baselines, legend_outside=True, caption=caption)


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
    # plain numbers: with text.parse_math off (SLIDE_STYLE), the default log labels print as '$\mathdefault{10^{3}}$'
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(fig, ax, title, None)


def epoch_curves(curves: dict[str, Sequence[tuple[int, float]]], title: str, ylabel: str = "dev accuracy (%)",
                 baselines: Baselines | None = None):
    """One line per trial: the dev score after each epoch; baselines as horizontal lines when given (the y-axis
    then spans at least MIN_SPAN points)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, points in curves.items():
        if points:
            ax.plot(*zip(*points), marker="o", markersize=3, label=name)
    ax.set(xlabel="epoch", ylabel=ylabel)
    epochs = sorted({int(e) for points in curves.values() for e, _ in points})
    if epochs:
        ax.set_xticks(range(epochs[0], epochs[-1] + 1))
        ax.set_xlim(epochs[0] - 0.5, epochs[-1] + 0.5)
    if baselines:
        ax.set_ylim(*honest_limits([v for points in curves.values() for _, v in points], baselines))
    return _finish(fig, ax, title, baselines=baselines)


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
