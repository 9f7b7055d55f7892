"""How a lab report shows itself: `_repr_html_` in a notebook, `__rich__` in a terminal, found per report type.

The reports stay free of drawing code: `Display` only looks up the renderers registered for the report's type
(`register`; `seqlab.notebook.reports` registers every report the Python API returns, and `import seqlab` plus
any `seqlab.<function>` call loads it). A report with nothing registered shows its `to_json()` as escaped text.
"""

from __future__ import annotations

import html
import io
import json
import shutil
from typing import Any, Callable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.pretty import Pretty

HtmlRenderer = Callable[[Any], str]
RichRenderer = Callable[[Any, int], RenderableType]  # (report, width in columns) -> what the command prints

_HTML: dict[type, HtmlRenderer] = {}
_RICH: dict[type, RichRenderer] = {}


def register(report_type: type, html_renderer: HtmlRenderer, rich_renderer: RichRenderer) -> None:
    """Show reports of `report_type` (and its subclasses) with these renderers."""
    _HTML[report_type] = html_renderer
    _RICH[report_type] = rich_renderer


def _lookup(table: dict[type, Callable[[Any], Any]], report: object) -> Callable[[Any], Any] | None:
    for cls in type(report).__mro__:
        if cls in table:
            return table[cls]
    return None


def plain_html(report: Any) -> str:
    """A report's `to_json()` as escaped, preformatted text: what a report with no HTML renderer shows."""
    text = json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str)
    return f'<pre class="seqlab-report">{html.escape(text)}</pre>'


class Display:
    """Mixed into the lab's report dataclasses: rich display in Jupyter, Colab, VS Code and a rich console."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # IPython reads _repr_pretty_ only from a class's own __dict__ before its __repr__, and @dataclass gives
        # each report its own __repr__: so each report class holds the method itself
        cls._repr_pretty_ = Display._repr_pretty_  # type: ignore[method-assign]

    def _repr_html_(self) -> str:
        """The report as one self-contained HTML fragment (no network: every script and figure inline)."""
        renderer = _lookup(_HTML, self)
        return renderer(self) if renderer is not None else plain_html(self)

    def __rich__(self) -> RenderableType:
        """The report as the command prints it, laid out for the width of the console that prints it."""
        renderer = _lookup(_RICH, self)
        if renderer is None:
            return Pretty(self.to_json())  # type: ignore[attr-defined]
        return AtWidth(self, renderer)


    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text view (a terminal IPython, a notebook's text/plain): the rich view as plain text, at the
        terminal's width (not the dataclass's field dump)."""
        console = Console(file=io.StringIO(), width=shutil.get_terminal_size().columns, color_system=None,
                          legacy_windows=False, force_jupyter=False)  # into the string, not the cell
        console.print(self)
        printer.text(console.file.getvalue().rstrip("\n"))  # type: ignore[attr-defined]


class AtWidth:
    """A report's rich view, drawn when the console's width is known (heatmaps and tables fit it)."""

    def __init__(self, report: Any, renderer: RichRenderer) -> None:
        self.report, self.renderer = report, renderer

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.renderer(self.report, options.max_width)
