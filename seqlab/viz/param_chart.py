"""A horizontal bar chart of where a model's parameters live."""

from __future__ import annotations

from seqlab.viz.figures import pyplot
from seqlab.counting.report import ParamReport

WORDS = {
    "ffn": "feed-forward",
    "feed-forward": "feed-forward",
    "norms": "LayerNorms",
    "norm": "LayerNorm",
    "head": "classifier head",
    "pooler": "pooler",
    "token_embedding": "token embeddings",
    "positions": "position table",
    "embedding": "word embeddings",
}


def readable_part(name: str, layers: int | None = None) -> str:
    """A part's code name in words: 'layers.*.feed-forward' -> 'feed-forward (all 6 layers)',
    'embeddings.word' -> 'word embeddings', 'rnn.layer 0' -> 'RNN layer 0'."""
    every = f" (all {layers} layers)" if layers else " (every layer)"
    for prefix in ("layers.*.", "blocks.*."):
        if name.startswith(prefix):
            rest = name[len(prefix):]
            return WORDS.get(rest, rest.replace("_", " ")) + every
    if name.startswith("embeddings."):
        rest = name.split(".", 1)[1]
        return "embedding LayerNorm" if rest == "norm" else f"{rest} embeddings"
    if name.startswith("rnn."):
        return "RNN " + name.split(".", 1)[1]
    return WORDS.get(name, name.replace("_", " ").replace(".", " "))


def _count(value: float, _position: object = None) -> str:
    """12,000,000 -> '12M', 45,000 -> '45k' (axis ticks without a '1e7' offset)."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"


def params_figure(report: ParamReport):
    """One bar per part (counted parameters on a linear scale), labelled with the count and its share."""
    plt = pyplot()
    parts = [p for p in report.parts if p.counted > 0 or p.value > 0]
    layers = report.symbols.get("L")
    names = [readable_part(p.name, layers) for p in parts][::-1]
    counts = [p.counted for p in parts][::-1]
    fig, ax = plt.subplots(figsize=(11, 1.6 + 0.5 * len(parts)), layout="constrained")
    bars = ax.barh(names, counts, color=["tab:blue" if p.match else "tab:red" for p in parts][::-1])
    total = max(report.total_counted, 1)
    shares = [f"{c / total:.1%}" if c / total >= 0.001 else "<0.1%" for c in counts]
    ax.bar_label(bars, labels=[f"{c:,} ({share})" for c, share in zip(counts, shares)], padding=4, fontsize=10)
    ax.set_xlim(0, max(counts, default=1) * 1.4)
    ax.set_xlabel("parameters")
    ax.xaxis.set_major_formatter(_count)
    ax.grid(axis="x", alpha=0.3)
    verdict = "every part matches its formula" if report.match else "red bars differ from their formula"
    ax.set_title(f"{report.model}: {report.total_counted:,} parameters ({verdict})")
    return fig
