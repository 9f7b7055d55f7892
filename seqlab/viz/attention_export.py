"""Writing every picture of one attention capture into a folder: grid, one head, head average, HTML pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_text
from seqlab.viz.attention_maps import attention_grid, head_average, single_head
from seqlab.viz.attention_page import attention_page_html
from seqlab.viz.attention_source import AttentionCapture
from seqlab.viz.bertviz_export import bertviz_html
from seqlab.viz.figures import FigureFormat, fresh_name, save_figure


@dataclass(frozen=True)
class AttentionFiles:
    """The files written for one capture."""

    grid: Path
    head: Path
    average: Path
    head_view: Path
    model_view: Path
    explorer: Path
    layer: int
    head_index: int

    def to_dict(self) -> dict[str, str | int]:
        """Paths as strings (for --json)."""
        return {
            "grid": str(self.grid),
            "head": str(self.head),
            "average": str(self.average),
            "head_view": str(self.head_view),
            "model_view": str(self.model_view),
            "explorer": str(self.explorer),
            "layer": self.layer,
            "head_index": self.head_index,
        }


def pick_head(capture: AttentionCapture, layer: int | None, head: int | None) -> tuple[int, int]:
    """The layer and head to show up close (default: last layer, head 0); SeqlabError when out of range."""
    n_layers, n_heads, _ = capture.shape
    layer = n_layers - 1 if layer is None else layer
    head = 0 if head is None else head
    if not 0 <= layer < n_layers:
        raise SeqlabError(f"--layer {layer} is out of range; {capture.model_name} has layers 0..{n_layers - 1}")
    if not 0 <= head < n_heads:
        raise SeqlabError(f"--head {head} is out of range; {capture.model_name} has heads 0..{n_heads - 1}")
    return layer, head


def write_attention_views(
    capture: AttentionCapture,
    folder: Path,
    fmt: FigureFormat = "png",
    layer: int | None = None,
    head: int | None = None,
) -> AttentionFiles:
    """Draw the capture into `folder` (new file names, never overwriting) and return what was written.

    The explorer page opens on the chosen `layer`/`head`, or, when neither is given, on the clearest notable head.
    """
    explicit = layer is not None or head is not None
    layer, head = pick_head(capture, layer, head)
    folder = Path(folder)
    tokens = list(capture.tokens)
    probs = capture.probabilities
    kind = "causal, each token sees only earlier ones" if capture.causal else "bidirectional"
    suffix = f".{fmt}"
    grid = save_figure(
        attention_grid(probs, tokens, f"{capture.model_name}: every layer and head ({kind})"),
        fresh_name(folder, "attention-grid", suffix),
        fmt,
    )
    one = save_figure(
        single_head(probs[layer, head], tokens, f"{capture.model_name}: layer {layer}, head {head}"),
        fresh_name(folder, f"attention-L{layer}-H{head}", suffix),
        fmt,
    )
    average = save_figure(
        head_average(probs, tokens, f"{capture.model_name}: average over heads, per layer"),
        fresh_name(folder, "attention-average", suffix),
        fmt,
    )
    pages = {}
    for view in ("head", "model"):
        page = bertviz_html(
            probs,
            tokens,
            view=view,
            sentence_b_start=capture.sentence_b_start,
            title=f"{capture.model_name}: bertviz {view} view",
        )
        pages[view] = atomic_write_text(fresh_name(folder, f"bertviz-{view}-view", ".html"), page)
    explorer = atomic_write_text(
        fresh_name(folder, "attention-explorer", ".html"),
        attention_page_html(capture, *((layer, head) if explicit else (None, None))),
    )
    return AttentionFiles(grid, one, average, pages["head"], pages["model"], explorer, layer, head)
