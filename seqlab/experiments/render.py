"""The terminal view of a finished experiment: its tables, notes, and where the report is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seqlab.experiments.recipe import ResultTable

if TYPE_CHECKING:
    from seqlab.experiments.runner import ExperimentResult


def rich_table(table: ResultTable) -> Table:
    """A ResultTable as a rich Table (numbers right-aligned)."""
    view = Table(title=table.title, title_justify="left")
    numeric = [all(_looks_numeric(row[i]) for row in table.rows) if table.rows else False
               for i in range(len(table.columns))]
    for column, right in zip(table.columns, numeric):
        view.add_column(escape(column), justify="right" if right else "left")
    for row in table.rows:
        view.add_row(*(escape(str(cell)) for cell in row))
    return view


def _looks_numeric(cell: str) -> bool:
    head = str(cell).split(" ")[0].replace(",", "").replace("%", "").replace("+", "").replace("-", "", 1)
    return head.replace(".", "", 1).isdigit()


def summary_view(result: "ExperimentResult") -> RenderableType:
    """Tables, then notes, then one line on trials trained/skipped and the report's path."""
    parts: list[RenderableType] = [rich_table(t) for t in result.summary.tables]
    parts += [Text(f"• {note}") for note in result.summary.notes if note]
    parts.append(Text.from_markup(
        f"[bold]{result.trials}[/] trial(s): {result.trained} trained now, {result.skipped} found done "
        f"({result.seconds:.1f} s). Report: [bold]{escape(str(result.readme))}[/]"))
    parts.append(Text(f"Reproduce or resume: {result.command}", style="dim"))
    return Group(*parts)
