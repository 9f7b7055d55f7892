"""HTML a notebook shows offline: rich renderables as tables and text, figures inline, pages in an iframe.

Everything here is one self-contained fragment: no <script src>, no <link>, no font or image from a
network. Text from data (tokens, file names, labels) is escaped with `html.escape`; a whole page goes into
`<iframe srcdoc="...">` escaped with quote=True, so its scripts run inside the frame and nowhere else.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any, Callable, Iterable

from rich.columns import Columns
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from seqlab.lab.attention import AttentionReport
from seqlab.lab.experiment import ExperimentReport
from seqlab.lab.params import ParamsReport
from seqlab.lab.prove import ProveReport
from seqlab.lab.train import TrainReport
from seqlab.notebook.render import attention_view, experiment_view, params_view, train_view
from seqlab.proofs.render import step_latex, verified_line
from seqlab.viz.attention_page import attention_page_html
from seqlab.viz.curves import curves_figure, curves_title, read_curves
from seqlab.viz.figures import figure_bytes
from seqlab.viz.param_chart import params_figure
from seqlab.viz.render import attention_header, written_files

CLASS = "seqlab-report"
STYLE = f"""<style>
.{CLASS} {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72em; }}
.{CLASS} table {{ border-collapse: collapse; margin: 6px 0 10px; }}
.{CLASS} caption {{ text-align: left; font-weight: bold; padding: 2px 0; }}
.{CLASS} th, .{CLASS} td {{ border: 1px solid #ccc; padding: 2px 8px; vertical-align: top; text-align: left; }}
.{CLASS} th {{ background: #f3f3f3; }}
.{CLASS} table.grid td {{ border: none; padding: 1px 6px 1px 0; }}
.{CLASS} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.{CLASS} .panel {{ border: 1px solid #bbb; border-radius: 6px; padding: 6px 12px; margin: 8px 0; }}
.{CLASS} .panel-title {{ font-weight: bold; margin-bottom: 4px; }}
.{CLASS} pre {{ font: 13px/1.3 ui-monospace, Menlo, Consolas, monospace; margin: 4px 0; white-space: pre; }}
.{CLASS} p {{ margin: 3px 0; white-space: pre-wrap; }}
.{CLASS} iframe {{ width: 100%; border: 1px solid #ccc; border-radius: 6px; }}
.{CLASS} img {{ max-width: 100%; }}
</style>"""

_NUMBER = set("0123456789.,-+−%±×eE ")
_RECORDER_WIDTH = 100


def _console() -> Console:
    """A console that renders into memory, at a notebook's width, with colours kept as styles."""
    return Console(file=io.StringIO(), width=_RECORDER_WIDTH, color_system="truecolor", force_terminal=True,
                   record=True, legacy_windows=False, force_jupyter=False)


def _css(style: Style | None) -> str:
    """The CSS of a rich style: colour, bold, italic, dim, underline."""
    if style is None:
        return ""
    rules = []
    if style.color is not None and not style.color.is_default:
        rules.append(f"color:{style.color.get_truecolor().hex}")
    if style.bold:
        rules.append("font-weight:bold")
    if style.italic:
        rules.append("font-style:italic")
    if style.dim:
        rules.append("opacity:0.7")
    if style.underline:
        rules.append("text-decoration:underline")
    return ";".join(rules)


def text_html(text: Text | str, markup: bool = True) -> str:
    """A rich Text (or a markup string, as rich reads table cells) as escaped HTML spans, newlines as <br>."""
    if isinstance(text, str):
        text = Text.from_markup(text) if markup else Text(text)
    parts = []
    for segment in text.render(_console(), end=""):
        escaped = html.escape(segment.text).replace("\n", "<br>")
        css = _css(segment.style)
        parts.append(f'<span style="{css}">{escaped}</span>' if css else escaped)
    return "".join(parts)


def _cell_html(cell: Any) -> tuple[str, bool]:
    """A table cell as HTML, and whether it reads as a number (right-aligned)."""
    if isinstance(cell, (str, Text)):
        plain = Text.from_markup(cell).plain if isinstance(cell, str) else cell.plain
        numeric = bool(plain.strip()) and set(plain) <= _NUMBER and any(c.isdigit() for c in plain)
        return text_html(cell), numeric
    return renderable_html(cell), False


def table_html(table: Table) -> str:
    """A rich Table as an HTML <table>: its title as the caption, its header row, its cells."""
    caption = f"<caption>{text_html(table.title)}</caption>" if table.title else ""
    head = ""
    if table.show_header:
        head = "<tr>" + "".join(f"<th>{text_html(c.header) if isinstance(c.header, (str, Text)) else ''}</th>"
                                for c in table.columns) + "</tr>"
    columns = [list(column.cells) for column in table.columns]
    rows = []
    for index in range(table.row_count):
        cells = []
        for column in columns:
            content, numeric = _cell_html(column[index]) if index < len(column) else ("", False)
            cells.append(f'<td class="num">{content}</td>' if numeric else f"<td>{content}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f"<p>{text_html(table.caption)}</p>" if table.caption else ""
    kind = ' class="grid"' if table.box is None else ""  # Table.grid(): laid out, not ruled
    return f"<table{kind}>{caption}{head}{''.join(rows)}</table>{note}"


def preformatted_html(renderable: Any) -> str:
    """Any renderable as the terminal would draw it, in a <pre> with its colours (heatmaps, trees)."""
    console = _console()
    console.print(renderable)
    return console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")


def renderable_html(renderable: Any) -> str:
    """What a command prints, as HTML: tables become <table>, panels boxes, text paragraphs, the rest <pre>."""
    if renderable is None:
        return ""
    if isinstance(renderable, Table):
        return table_html(renderable)
    if isinstance(renderable, (str, Text)):
        return f"<p>{text_html(renderable)}</p>"
    if isinstance(renderable, Group):
        return "".join(renderable_html(part) for part in renderable.renderables)
    if isinstance(renderable, Columns):
        return '<div style="display:flex;flex-wrap:wrap;gap:12px">' + "".join(
            f"<div>{renderable_html(part)}</div>" for part in renderable.renderables) + "</div>"
    if isinstance(renderable, Padding):
        return renderable_html(renderable.renderable)
    if isinstance(renderable, Panel):
        title = f'<div class="panel-title">{text_html(renderable.title)}</div>' if renderable.title else ""
        return f'<div class="panel">{title}{renderable_html(renderable.renderable)}</div>'
    return preformatted_html(renderable)


def figure_html(figure: Any, alt: str, dpi: int = 100) -> str:
    """A matplotlib figure as an inline PNG (base64 data: nothing to fetch), then closed."""
    return png_html(figure_bytes(figure, "png", dpi), alt)


def png_html(data: bytes, alt: str) -> str:
    """PNG bytes as an <img> with a data: source."""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{encoded}">'


def math_html(latex: str) -> str:
    """Display math for the notebook's MathJax: $$...$$ with the LaTeX escaped for HTML."""
    return f'<div class="math">$${html.escape(latex)}$$</div>'


# The framed page tells the notebook how tall it is, and the notebook's output sizes the frame to it; where an output's
# scripts do not run, the frame keeps its first height and can be resized by hand.
_TELL_HEIGHT = ('<script>(function () { function tell() { parent.postMessage({seqlabFrameHeight: '
                'Math.ceil(document.body.getBoundingClientRect().bottom) + 24}, "*"); } '
                'addEventListener("load", tell); if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body); '
                '})();</script>')
_FIT_FRAME = ('<script>(function () { var frame = document.currentScript && document.currentScript.previousElementSibling; '
              'if (!frame) return; addEventListener("message", function (event) { var h = event.data && '
              'event.data.seqlabFrameHeight; if (event.source === frame.contentWindow && typeof h === "number") '
              'frame.style.height = Math.max(200, Math.min(6000, h)) + "px"; }); })();</script>')


def iframe_html(page: str, title: str, height: int = 760) -> str:
    """A whole HTML page inside an <iframe srcdoc> (scripts allowed in the frame only, no network needed), sized
    to the page's height once it has drawn (`height` until then, or for good where output scripts do not run)."""
    framed = page + _TELL_HEIGHT
    return (f'<iframe title="{html.escape(title, quote=True)}" sandbox="allow-scripts" '
            f'style="height:{int(height)}px; resize: vertical; overflow: auto" '
            f'srcdoc="{html.escape(framed, quote=True)}"></iframe>{_FIT_FRAME}')


def fragment(parts: Iterable[str]) -> str:
    """The report's parts in one styled <div> (the style scoped to it)."""
    return f'<div class="{CLASS}">{STYLE}{"".join(parts)}</div>'


def view_html(view: Callable[[Any], Any]) -> Callable[[Any], str]:
    """The HTML renderer of a report that shows what its command prints (`view`: the rich renderer)."""
    def render(report: Any) -> str:
        return fragment([renderable_html(view(report))])
    return render


def written_page(path: Path) -> str | None:
    """The page seqlab wrote at `path` (None when it is no longer there): the notebook shows the same file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def attention_html(report: AttentionReport) -> str:
    """The model and tokens, seqlab's attention explorer inline (its scripts inside the frame), the files."""
    capture, files = report.capture, report.files
    page = written_page(files.explorer)
    if page is None:  # moved or deleted since: drawn again, opening on the query's head or the ranking's
        steps = report.steps
        page = attention_page_html(capture, steps.layer if steps else None, steps.head if steps else None,
                                   steps=steps, query_index=report.query_index)
    parts = [renderable_html(attention_header(capture)),
             f"<p>tokens: {html.escape(' '.join(capture.tokens))}</p>"]
    if capture.note:
        parts.append(f"<p>note: {html.escape(capture.note)}</p>")
    parts += [iframe_html(page, f"{capture.model_name}: attention explorer"), renderable_html(written_files(files))]
    return fragment(parts)


def train_html(report: TrainReport) -> str:
    """The result table, the verdict and the run's training curves as a figure."""
    parts = [renderable_html(train_view(report))]
    if report.result.run_dir is not None:
        curves = read_curves(report.result.run_dir)
        parts.append(figure_html(curves_figure([curves], curves_title(curves)), "training curves"))
    return fragment(parts)


def params_html(report: ParamsReport) -> str:
    """The count part by part next to its formula, and the same as bars."""
    return fragment([renderable_html(params_view(report)), figure_html(params_figure(report.report),
                                                                        "parameters per part")])


def prove_html(report: ProveReport) -> str:
    """Each identity's conditions and numbered steps, the steps as LaTeX for the notebook's MathJax."""
    parts = []
    for item in report.items:
        steps = "".join(f"<li>{html.escape(step.explanation)}{math_html(step_latex(step))}</li>"
                        for step in item.proof.steps)
        verdict = ('<span style="color:#15803d;font-weight:bold">verified by sympy</span>' if item.proof.verified
                   else '<span style="color:#b91c1c;font-weight:bold">NOT verified by sympy</span>')
        parts.append(f'<div class="panel"><div class="panel-title">{html.escape(item.identity.id)}: '
                     f"{html.escape(item.identity.title)}</div><p><i>{html.escape(item.identity.conditions)}</i></p>"
                     f"<ol>{steps}</ol><p><b>{html.escape(item.proof.statement)}</b> ({verdict})</p></div>")
    parts.append(renderable_html(verified_line(report.items)))
    return fragment(parts)


def experiment_html(report: ExperimentReport) -> str:
    """The summary tables and notes, and the report's PNG figures inline."""
    parts = [renderable_html(experiment_view(report))]
    for name in report.result.summary.figures:
        path = report.result.out_dir / name
        if path.suffix.lower() == ".png" and path.is_file():
            parts.append(png_html(path.read_bytes(), name))
    return fragment(parts)
