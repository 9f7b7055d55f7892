"""Writing every picture of one attention capture into a folder: grid, one head, head average, HTML pages, and
with a query, where it looks in every head."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqlab.errors import SeqlabError
from seqlab.io import RUN_STAMP, atomic_write_text
from seqlab.outputs import fresh_name
from seqlab.viz.attention_heads import SPECIAL_TOKENS, first_ranked, summarize_heads
from seqlab.viz.attention_maps import attention_grid, head_average, single_head
from seqlab.viz.attention_page import attention_page_html
from seqlab.viz.attention_source import AttentionCapture
from seqlab.viz.attention_steps import QueryKeySteps
from seqlab.viz.bertviz_export import bertviz_html
from seqlab.viz.figures import DEFAULT_DPI, FigureFormat, save_figure, shorten
from seqlab.viz.query_heads_figure import query_caption, query_heads_figure
from seqlab.viz.query_key_figure import query_key_caption, query_key_figure


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
    query_key: Path | None = None  # how one query's weights are made (with --query and --head L,H)
    query_heads: Path | None = None  # where the query looks in every layer and head (with --query)
    query_index: int | None = None  # that query's position
    query_label: str | None = None  # "#2 'cat'"

    def to_dict(self) -> dict[str, str | int]:
        """Paths as strings (for --json)."""
        extra = {} if self.query_key is None else {"query_key": str(self.query_key)}
        if self.query_heads is not None:
            extra["query_heads"] = str(self.query_heads)
        return {
            "grid": str(self.grid),
            "head": str(self.head),
            "average": str(self.average),
            "head_view": str(self.head_view),
            "model_view": str(self.model_view),
            "explorer": str(self.explorer),
            "layer": self.layer,
            "head_index": self.head_index,
            **extra,
        }


def pick_head(capture: AttentionCapture, layer: int | None, head: int | None) -> tuple[int, int]:
    """The layer and head to show up close; SeqlabError when out of range.

    What is not given comes from the ranking of seqlab.viz.attention_heads (SELECTION_RULE): the most
    informative head overall, or the most informative head of the given layer.
    """
    n_layers, n_heads, _ = capture.shape
    if layer is not None and not 0 <= layer < n_layers:
        raise SeqlabError(f"--layer {layer} is out of range; {capture.model_name} has layers 0..{n_layers - 1}")
    if head is not None and not 0 <= head < n_heads:
        raise SeqlabError(f"--head {head} is out of range; {capture.model_name} has heads 0..{n_heads - 1}")
    if layer is None or head is None:
        best = first_ranked(summarize_heads(capture.probabilities, capture.tokens, capture.causal), layer, head)
        layer, head = best.layer, best.head
    return layer, head


def sentence_of(capture: AttentionCapture, limit: int = 70) -> str:
    """The input as the model read it, shortened for a title: word pieces joined, specials left out,
    ' | ' between sentence A and sentence B."""
    words: list[str] = []
    for index, token in enumerate(capture.tokens):
        if capture.sentence_b_start is not None and index == capture.sentence_b_start and words:
            words.append("|")
        if token in SPECIAL_TOKENS:
            continue
        if token.startswith("##") and words:
            words[-1] += token[2:]
        else:
            words.append(token)
    while words and words[-1] == "|":
        words.pop()
    return shorten(" ".join(words), limit)


def display_name(model_name: str) -> str:
    """A model name for a title: a run folder's date-time stamp dropped (builtin-sentiment-transformer)."""
    match = RUN_STAMP.match(model_name)
    return match["prefix"] if match else model_name


def write_attention_views(
    capture: AttentionCapture,
    folder: Path,
    fmt: FigureFormat = "png",
    layer: int | None = None,
    head: int | None = None,
    dpi: int = DEFAULT_DPI,
    steps: QueryKeySteps | None = None,
    query_index: int | None = None,
) -> AttentionFiles:
    """Draw the capture into `folder` (new file names, never overwriting) and return what was written.

    The close-up figure and the explorer page show the chosen `layer`/`head`, or what `pick_head` ranks first.
    With `steps` (one query's computation, `seqlab.viz.attention_steps`) it also draws that as a slide, and the
    explorer gets a q·k panel. With `query_index` it draws where that token looks in every layer and head, and
    the explorer opens with it selected.
    """
    asked = (layer, head)  # the page says whether its head was asked for or chosen by the rule
    layer, head = pick_head(capture, layer, head)
    folder = Path(folder)
    tokens = list(capture.tokens)
    probs = capture.probabilities
    kind = "causal: each token sees only earlier ones" if capture.causal else "bidirectional"
    quoted = f"\u201c{sentence_of(capture)}\u201d"
    name = display_name(capture.model_name)
    pair = capture.sentence_b_start
    suffix = f".{fmt}"
    grid = save_figure(
        attention_grid(probs, tokens, f"{quoted}\n{name}: every layer and head ({kind})",
                       sentence_b_start=pair),
        fresh_name(folder, "attention-grid", suffix),
        fmt,
        dpi,
    )
    one = save_figure(
        single_head(probs[layer, head], tokens, f"{quoted}\n{name}: layer {layer}, head {head}",
                    sentence_b_start=pair),
        fresh_name(folder, f"attention-L{layer}-H{head}", suffix),
        fmt,
        dpi,
    )
    average = save_figure(
        head_average(probs, tokens, f"{quoted}\n{name}: average over heads, per layer",
                     sentence_b_start=pair),
        fresh_name(folder, "attention-average", suffix),
        fmt,
        dpi,
    )
    pages = {}
    for view in ("head", "model"):
        page = bertviz_html(
            probs,
            tokens,
            view=view,
            sentence_b_start=capture.sentence_b_start,
            title=f"{capture.model_name}: bertviz {view} view" + (
                f", opened on layer {layer}, head {head} (the head the terminal shows)" if view == "head" else ""),
            layer=layer,
            head=head,
        )
        pages[view] = atomic_write_text(fresh_name(folder, f"bertviz-{view}-view", ".html"), page)
    explorer = atomic_write_text(
        fresh_name(folder, "attention-explorer", ".html"),
        attention_page_html(capture, *asked, steps=steps, query_index=query_index),
    )
    query_key = None
    if steps is not None:
        query_key = save_figure(
            query_key_figure(steps, f"{quoted}\n{name}: how one row is made, {query_key_caption(steps)}"),
            fresh_name(folder, f"attention-qk-L{steps.layer}-H{steps.head}-{steps.query_index}", suffix),
            fmt,
            dpi,
        )
    query_heads = label = None
    if query_index is not None:
        label = query_caption(tokens, query_index)
        query_heads = save_figure(
            query_heads_figure(probs, tokens, query_index, capture.causal,
                               f"{quoted}\n{name}: where {label} looks, in every layer and head",
                               sentence_b_start=pair),
            fresh_name(folder, f"attention-query-{query_index}-heads", suffix),
            fmt,
            dpi,
        )
    return AttentionFiles(grid, one, average, pages["head"], pages["model"], explorer, layer, head, query_key,
                          query_heads, query_index, label)
