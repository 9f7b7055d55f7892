"""How a lab report shows itself: `_repr_html_` in a notebook, `__rich__` in a terminal, found per report type.

The reports stay free of drawing code: `Display` only looks up the renderers registered for the report's type
(`register`; `seqlab.notebook.reports` registers every report the Python API returns, and `import seqlab` plus
any `seqlab.<function>` call loads it). A report with nothing registered shows its `to_json()` as escaped text.
"""

from __future__ import annotations

import html
import json
from typing import Any, Callable

from rich.console import RenderableType
from rich.pretty import Pretty

HtmlRenderer = Callable[[Any], str]
RichRenderer = Callable[[Any], RenderableType]

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

    def _repr_html_(self) -> str:
        """The report as one self-contained HTML fragment (no network: every script and figure inline)."""
        renderer = _lookup(_HTML, self)
        return renderer(self) if renderer is not None else plain_html(self)

    def __rich__(self) -> RenderableType:
        """The report as the command prints it."""
        renderer = _lookup(_RICH, self)
        return renderer(self) if renderer is not None else Pretty(self.to_json())  # type: ignore[attr-defined]
