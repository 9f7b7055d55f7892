"""The terminal views of experiments: the list of recipes, and a finished experiment's tables, notes and report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
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
    """Tables, then notes (the trial count, report path and command follow: see `print_summary`)."""
    parts: list[RenderableType] = [rich_table(t) for t in result.summary.tables]
    parts += [Text(f"• {note}") for note in result.summary.notes if note]
    return Group(*parts)


def print_summary(console: Console, result: "ExperimentResult") -> None:
    """The summary view, then the trial count, the report's path and the command that reproduces or resumes the
    run, each path and command on a line of its own that the terminal may wrap but rich never breaks, so that it
    stays copy-pastable at any width."""
    console.print(summary_view(result))
    console.print(Text.from_markup(f"[bold]{result.trials}[/] trial(s): {result.trained} trained now, "
                                   f"{result.skipped} found done ({result.seconds:.1f} s). Report:"))
    console.print(Text(f"  {result.readme}", style="bold"), soft_wrap=True, highlight=False)
    console.print(Text("Reproduce or resume:", style="dim"))
    console.print(Text(f"  {result.command}", style="dim"), soft_wrap=True, highlight=False)


def recipes_table(recipes: Sequence[Recipe]) -> Table:
    """`seqlab experiment list`: one row per recipe, its study, and what it compares."""
    table = Table(title=f"{len(recipes)} recipes", title_justify="left")
    for column in ("recipe", "study", "what it compares"):
        table.add_column(column, no_wrap=column == "recipe")
    for recipe in recipes:
        table.add_row(f"[bold]{recipe.name}[/]", recipe.study, recipe.description)
    return table
