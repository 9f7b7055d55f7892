"""One attention row as a slide (16:9): q and every k, q·k, ÷ sqrt(d_k) and the mask, the softmax, and the
output as the weighted sum of the values, all with the live model's numbers (`seqlab.viz.attention_steps`)."""

from __future__ import annotations

import numpy as np

from seqlab.viz.attention_steps import NUMBERING, QueryKeySteps
from seqlab.viz.figures import pyplot, shorten

SLIDE_INCHES = (13.333, 7.5)  # a 16:9 slide
VECTOR_CMAP = "RdBu_r"  # components of q, k and v: red positive, blue negative, white 0
BAR = "#2171b5"
MASKED = "#c4c9cf"
QUERY = "tab:orange"
MAX_LABEL = 14  # characters of a token shown as a label


def _label(token: str) -> str:
    return shorten(str(token), MAX_LABEL)


def _bars(ax, values: np.ndarray, allowed: np.ndarray, title: str, digits: int, query: int) -> None:
    """Horizontal bars, one per key (row 0 at the top), each with its value written beside it; a masked key's
    bar is grey and its label says so."""
    n = len(values)
    colours = [BAR if a else MASKED for a in allowed]
    ax.barh(np.arange(n), values, color=colours, height=0.7)
    ax.axvline(0, color="#52606d", linewidth=0.8)
    span = float(np.max(np.abs(values))) or 1.0
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    ax.set_xlim(low - (0.6 * span if low < 0 else 0.05 * span), high + 0.75 * span)
    for j, value in enumerate(values):
        if allowed[j]:
            ax.text(value + (0.04 * span if value >= 0 else -0.04 * span), j, f"{value:.{digits}f}", va="center",
                    ha="left" if value >= 0 else "right", fontsize=8, color="#0b1f33")
        else:  # on the right of the zero line, whatever the sign: "masked" never runs into the next panel
            ax.text(max(value, 0.0) + 0.04 * span, j, f"{value:.{digits}f} masked", va="center", ha="left",
                    fontsize=8, color="#7b8794")
    ax.set_title(title)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", labelsize=8)
    ax.axhspan(query - 0.5, query + 0.5, color=QUERY, alpha=0.12, linewidth=0)


def query_key_caption(steps: QueryKeySteps) -> str:
    """'layer 2, head 3, query 'cat' (#2)': which row the figure computes."""
    return (f"layer {steps.layer}, head {steps.head}, query '{_label(steps.tokens[steps.query_index])}' "
            f"(#{steps.query_index})")


def query_key_figure(steps: QueryKeySteps, title: str | None = None):
    """The computation of one attention row, left to right, on one 16:9 slide (`title` above it; default: the
    model and `query_key_caption`)."""
    plt = pyplot()
    n, d_k = len(steps.tokens), steps.d_k
    labels = [_label(t) for t in steps.tokens]
    fig = plt.figure(figsize=SLIDE_INCHES, layout="constrained")
    grid = fig.add_gridspec(2, 5, height_ratios=[1.0, max(n, 3) * 0.9], width_ratios=[3.0, 1.7, 1.7, 1.9, 3.0])
    vmax = float(max(np.abs(steps.keys).max(), np.abs(steps.query).max(), np.abs(steps.values).max(), 1e-6))
    style = dict(cmap=VECTOR_CMAP, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")

    q_ax = fig.add_subplot(grid[0, 0])
    q_ax.imshow(steps.query[None, :], **style)
    q_ax.set_yticks([0], [f"q ({labels[steps.query_index]})"], fontsize=9)
    q_ax.set_xticks([])
    q_ax.set_title(f"1. q of '{labels[steps.query_index]}' and every key k ({d_k} dimensions)")
    for d in steps.top_dimensions():
        q_ax.text(d, 0, "▼", ha="center", va="center", fontsize=7, color="#0b1f33")

    k_ax = fig.add_subplot(grid[1, 0])
    image = k_ax.imshow(steps.keys, **style)
    k_ax.set_yticks(range(n), labels, fontsize=9)
    k_ax.set_ylabel("key")
    k_ax.set_xlabel("dimension of k (▼: q's largest)")
    k_ax.get_yticklabels()[steps.query_index].set_color(QUERY)

    dots_ax = fig.add_subplot(grid[1, 1], sharey=k_ax)
    _bars(dots_ax, steps.dots, np.ones(n, dtype=bool), "2. q·k\n= Σᵢ qᵢkᵢ", 2, steps.query_index)
    root = d_k ** 0.5
    scaled_ax = fig.add_subplot(grid[1, 2], sharey=k_ax)
    mask_note = "later keys masked (causal)" if steps.causal else "no mask (every key)"
    _bars(scaled_ax, steps.scaled, steps.allowed, f"3. ÷ √{d_k} = {root:.2f}\n{mask_note}", 2, steps.query_index)
    weights_ax = fig.add_subplot(grid[1, 3], sharey=k_ax)
    _bars(weights_ax, steps.weights, steps.allowed, "4. softmax\n= weights, sum 1", 3, steps.query_index)
    weights_ax.set_xlim(0, 1.45)
    weights_ax.set_xticks([0, 0.5, 1])

    out_ax = fig.add_subplot(grid[0, 4])
    out_ax.imshow(steps.output[None, :], **style)
    out_ax.set_yticks([0], ["output"], fontsize=9)
    out_ax.set_xticks([])
    out_ax.set_title("5. output = Σⱼ weightⱼ · vⱼ")
    v_ax = fig.add_subplot(grid[1, 4])  # its own y ticks (the weights), so not shared with the keys' labels
    v_ax.imshow(steps.values, **style)
    v_ax.set_xlabel("dimension of v")
    v_ax.tick_params(axis="y", left=False, labelleft=False, right=True, labelright=True, labelsize=9)
    v_ax.set_yticks(range(n), [f"{w:.2f}" for w in steps.weights])
    v_ax.set_ylabel("value v, with its weight", rotation=270, labelpad=14)
    v_ax.yaxis.set_label_position("right")
    fig.colorbar(image, ax=[q_ax, k_ax], location="bottom", fraction=0.04, pad=0.02, label="component value")
    k_ax.set_ylim(n - 0.5, -0.5)
    v_ax.set_ylim(n - 0.5, -0.5)

    fig.suptitle(title or f"{steps.model_name}: {query_key_caption(steps)}")
    verdict = "equal" if steps.matches() else "DIFFER FROM"
    fig.supxlabel(f"{NUMBERING.capitalize()}. The live model's numbers, hooked at its query, key and value layers: "
                  f"these weights {verdict} its own attention weights (max |difference| {steps.weight_error:.1e}).",
                  fontsize=9, color="#52606d")
    return fig
