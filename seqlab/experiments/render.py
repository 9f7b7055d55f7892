"""The terminal views of experiments: the list of recipes, and a finished experiment's tables, notes and report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seqlab.experiments.recipe import Recipe, ResultTable

if TYPE_CHECKING:
    from seqlab.experiments.runner import ExperimentResult


def rich_table(table: ResultTable) -> Table:
    """A ResultTable as a rich Table: light rules so it fits 80 columns, numbers right-aligned and kept whole
    ("84.2 ± 1.3" never breaks), text columns wrapping."""
    view = Table(title=table.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    numeric = [any(_looks_numeric(row[i]) for row in table.rows)
               and all(_looks_numeric(row[i]) or str(row[i]) in ("-", "") for row in table.rows)
               if table.rows else False for i in range(len(table.columns))]
    for index, (column, right) in enumerate(zip(table.columns, numeric)):
        longest = max((len(str(row[index])) for row in table.rows), default=0)
        view.add_column(escape(column), justify="right" if right else "left", no_wrap=right,
                        min_width=None if right else min(longest, 8))
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


def recipes_table(recipes: Sequence[Recipe]) -> Table:
    """`seqlab experiment list`: one row per recipe, its study, and what it compares."""
    table = Table(title=f"{len(recipes)} recipes", title_justify="left")
    for column in ("recipe", "study", "what it compares"):
        table.add_column(column, no_wrap=column == "recipe")
    for recipe in recipes:
        table.add_row(f"[bold]{recipe.name}[/]", recipe.study, recipe.description)
    return table
