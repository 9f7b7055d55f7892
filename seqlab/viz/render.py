"""Rich renderables for the viz commands' terminal output (the heatmaps themselves are viz.attention_terminal)."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from seqlab.console import safe_text
from seqlab.viz.attention_export import AttentionFiles
from seqlab.viz.attention_source import AttentionCapture
from seqlab.viz.attention_steps import NUMBERING, QueryKeySteps

BAR_CELLS = 8  # characters of the longest weight bar


def attention_header(capture: AttentionCapture) -> Text:
    """`seqlab attention`'s first line: the model, its layers x heads and the tokens read (causal or not)."""
    layers, heads, tokens = capture.shape
    return (Text(capture.model_name, style="bold")
            + Text(f": {layers} layers x {heads} heads over {tokens} tokens{' (causal)' if capture.causal else ''}"))


def written_files(files: AttentionFiles) -> RenderableType:
    """`seqlab attention`'s list of what it wrote: each view's name, then its file on a line of its own, whole
    (never wrapped mid-name, so it can be copied at any terminal width)."""
    views = [
        ("every layer x head", files.grid),
        (f"layer {files.layer}, head {files.head_index}", files.head),
        ("average over heads", files.average),
        ("bertviz head view", files.head_view),
        ("bertviz model view", files.model_view),
        ("attention explorer", files.explorer),
    ]
    if files.query_key is not None:
        views.append(("how one row is made (q·k)", files.query_key))
    if files.query_heads is not None:
        views.append((f"where {files.query_label} looks, every layer and head", files.query_heads))
    lines: list[RenderableType] = [Text("written:", style="bold")]
    for view, path in views:
        lines.append(Text(f"  {view}:", style="dim"))
        lines.append(Text(f"    {safe_text(str(path), 4096)}", no_wrap=True, overflow="ignore"))
    return Group(*lines)


def _signed(value: float, digits: int = 2) -> str:
    """`value` with its sign (a true minus sign), and no sign at all when it rounds to zero."""
    if round(value, digits) == 0:
        return f" {0:.{digits}f}"
    return f"{value:+.{digits}f}".replace("-", "−")


def _vector(values, shown: int = 8) -> str:
    """The first `shown` entries of a vector, signed, and how many there are."""
    head = " ".join(_signed(float(v)) for v in values[:shown])
    return f"[{head}{' …' if len(values) > shown else ''}]" + (f" (first {shown} of {len(values)})"
                                                            if len(values) > shown else "")


def query_key_view(steps: QueryKeySteps) -> RenderableType:
    """How one query's attention weights are made, key by key: q, each k on q's largest dimensions, q·k,
    ÷ sqrt(d_k), the mask, the softmax, then the output as the weighted sum of the values, and the check
    against the model's own weights."""
    dims = steps.top_dimensions()
    token = safe_text(steps.tokens[steps.query_index], 20)
    root = steps.d_k ** 0.5
    lines = [
        Text.assemble(("How one attention row is made: ", "bold"),
                      f"layer {steps.layer}, head {steps.head} of {safe_text(steps.model_name, 40)}"),
        Text(f"({NUMBERING}: layers 0..{steps.n_layers - 1}, heads 0..{steps.n_heads - 1})", style="dim"),
        Text(f"query '{token}' (#{steps.query_index}); d_k = {steps.d_k}, so each q·k is divided by "
             f"√{steps.d_k} = {root:.2f}"),
        Text("q on its largest dimensions: " + "  ".join(f"d{d} {_signed(float(steps.query[d]))}" for d in dims)
             + f"   (all {steps.d_k} in --json)"),
    ]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("key", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("k on " + ",".join(f"d{d}" for d in dims), no_wrap=True)
    table.add_column("q·k", justify="right", no_wrap=True)
    table.add_column(f"÷{root:.2f}", justify="right", no_wrap=True)
    table.add_column("mask", no_wrap=True)
    table.add_column("softmax", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    top = int(steps.weights.argmax())
    for j, key in enumerate(steps.tokens):
        allowed = bool(steps.allowed[j])
        weight = float(steps.weights[j])
        bar = "█" * round(weight * BAR_CELLS)
        style = "bold green" if j == top else ""
        table.add_row(str(j), Text(safe_text(key), style="bold" if j == steps.query_index else ""),
                      " ".join(_signed(float(steps.keys[j, d]), 1) for d in dims),
                      _signed(float(steps.dots[j])), _signed(float(steps.scaled[j])),
                      "" if allowed else Text("−∞ later", style="dim"),
                      Text(f"{weight:.3f}", style=style), Text(bar, style="green" if allowed else "dim"))
    verdict = "equal" if steps.matches() else "DIFFER FROM"
    lines += [table,
              Text(f"output = Σⱼ softmaxⱼ · vⱼ = {_vector(steps.output)}"),
              Text(f"check: the softmax column and the output {verdict} the model's own attention weights and "
                   f"head output (max |difference| {steps.weight_error:.1e} and {steps.output_error:.1e}), "
                   "recomputed from its query/key/value layers", style="green" if steps.matches() else "bold red")]
    return Group(*lines)
