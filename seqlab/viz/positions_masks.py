"""Pictures of what a Transformer adds to attention: sinusoidal positions and the masks (causal, padding, both)."""

from __future__ import annotations

import numpy as np
import torch

from seqlab.errors import SeqlabError
from seqlab.models.attention import allowed_positions, causal_mask
from seqlab.models.positions import sinusoidal_table
from seqlab.viz.figures import pyplot


def sinusoid(positions: np.ndarray, dim: int, d_model: int) -> np.ndarray:
    """PE[p, dim] at any (also fractional) positions p: sin for even dims, cos for odd, wavelength 10000^(2i/d)."""
    angle = positions / np.power(10000.0, (dim - dim % 2) / d_model)
    return np.sin(angle) if dim % 2 == 0 else np.cos(angle)


FORMULA = "PE[p, 2i] = sin(p / 10000^(2i/d)),   PE[p, 2i+1] = cos(p / 10000^(2i/d))"
DIMENSION_AXIS = "dimension j (j = 2i: sin, j = 2i+1: cos; i is the pair)"


def _pair_name(dim: int) -> str:
    """A dimension j in the formula's notation: j = 2i (sin) or 2i+1 (cos) of pair i."""
    return f"j = {dim} = 2i, i = {dim // 2}" if dim % 2 == 0 else f"j = {dim} = 2i+1, i = {dim // 2}"


def positions_figure(max_len: int = 100, d_model: int = 64):
    """Heatmap of the sinusoidal table PE[position, dimension], with a few dimensions drawn as smooth curves
    (the formula between positions) and dots at the whole positions a model actually uses."""
    if not (1 <= max_len <= 10_000 and 2 <= d_model <= 4_096):
        raise SeqlabError(f"positions need --max-len from 1 to 10,000 and --d-model from 2 to 4,096 "
                          f"(got {max_len} and {d_model}); a figure cannot show more")
    table = sinusoidal_table(max_len, d_model).numpy()
    plt = pyplot()
    fig, (heat, curves) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1.2, 1]},
                                       layout="constrained")
    image = heat.imshow(table, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    heat.set(title=f"sinusoidal positions (d = {d_model})", xlabel=DIMENSION_AXIS, ylabel="position p")
    fig.colorbar(image, ax=heat, fraction=0.046, pad=0.02, label="PE[p, j]")
    shown = min(max_len, 40)  # enough positions to see the slow dimensions move, few enough to see the dots
    fine = np.linspace(0, shown - 1, 40 * shown)
    for dim in sorted({0, 1, min(6, d_model - 1), min(16, d_model - 1), d_model // 2}):
        (line,) = curves.plot(fine, sinusoid(fine, dim, d_model), linewidth=1.6, label=_pair_name(dim))
        curves.plot(range(shown), table[:shown, dim], "o", markersize=3, color=line.get_color())
    curves.set(title="low dimensions turn fast, high ones slowly", xlabel="position p (dots: whole positions)",
               ylabel="PE[p, j]")
    curves.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="dimension j")
    curves.grid(alpha=0.3)
    fig.suptitle(FORMULA)
    return fig


def mask_matrices(length: int = 8, padding: int = 3) -> dict[str, np.ndarray]:
    """The [T, T] allowed-attention matrices (1 = may attend) for one padded sequence: causal, padding, both."""
    if length < 2 or not 0 <= padding < length:
        raise SeqlabError(f"need --length >= 2 and 0 <= --padding < length, got length {length}, padding {padding}")
    real = torch.arange(length) < length - padding  # [T] True for real tokens, padding at the end
    device = torch.device("cpu")
    padded = allowed_positions(real[None], causal=False, length=length, device=device)  # [1,1,1,T]
    both = allowed_positions(real[None], causal=True, length=length, device=device)  # [1,1,T,T]
    return {
        "causal": causal_mask(length).numpy().astype(np.int8),
        "padding": padded[0, 0].expand(length, length).numpy().astype(np.int8),
        "causal + padding": both[0, 0].numpy().astype(np.int8),
    }


def masks_figure(length: int = 8, padding: int = 3):
    """Three panels: which keys each query may see under the causal mask, the padding mask, and both."""
    plt = pyplot()
    masks = mask_matrices(length, padding)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.8), layout="constrained")
    names = [f"t{i}" for i in range(length - padding)] + ["[PAD]"] * padding
    for ax, (title, matrix) in zip(axes, masks.items()):
        ax.imshow(matrix, cmap="Greens", vmin=0, vmax=1.4, interpolation="nearest")
        ax.set_xticks(range(length), names, rotation=90, fontsize=10)
        ax.set_yticks(range(length), names, fontsize=10)
        for i in range(length):
            for j in range(length):
                ax.text(j, i, "" if matrix[i, j] else "x", ha="center", va="center", fontsize=10, color="grey")
        ax.set(title=title, xlabel="key", ylabel="query")
    fig.suptitle("green: may attend; x: masked (its logit becomes the most negative float, so its weight is 0)")
    return fig
