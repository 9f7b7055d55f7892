"""A horizontal bar chart of where a model's parameters live."""

from __future__ import annotations

from seqlab.viz.figures import pyplot
from seqlab.viz.params import ParamReport


def params_figure(report: ParamReport):
    """One bar per part (counted parameters on a linear scale), labelled with the count and its share."""
    plt = pyplot()
    parts = [p for p in report.parts if p.counted > 0 or p.value > 0]
    names = [p.name for p in parts][::-1]
    counts = [p.counted for p in parts][::-1]
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.42 * len(parts)), layout="constrained")
    bars = ax.barh(names, counts, color=["tab:blue" if p.match else "tab:red" for p in parts][::-1])
    total = max(report.total_counted, 1)
    ax.bar_label(bars, labels=[f"{c:,} ({c / total:.1%})" for c in counts], padding=3, fontsize=8)
    ax.set_xlim(0, max(counts, default=1) * 1.35)
    ax.set_xlabel("parameters")
    ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 3))
    verdict = "every part matches its formula" if report.match else "red bars differ from their formula"
    ax.set_title(f"{report.model}: {report.total_counted:,} parameters ({verdict})")
    return fig
