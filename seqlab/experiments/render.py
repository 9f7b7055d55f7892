"""The terminal views of experiments: the list of recipes, and a finished experiment's tables, notes and report."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seqlab.experiments.recipe import Recipe, ResultTable

if TYPE_CHECKING:
    from seqlab.experiments.runner import ExperimentResult


# Columns the terminal view leaves out, in this order, when a table would not fit the terminal (README.md and
# results.json keep them): time per trial, macro-F1, and the seeds column of older reports.
SPARE_COLUMNS = ("s/trial", "s / trial", "seeds", "dev F1")


def rich_table(table: ResultTable, width: int | None = None) -> Table:
    """A ResultTable as a rich Table: light rules, numbers right-aligned and kept whole ("84.2 ± 1.3" never
    breaks), text columns wrapping between words. When `width` is given and the table cannot fit it, the
    SPARE_COLUMNS are left out one at a time and named in the caption."""
    hidden: list[str] = []
    view = _table_view(table, hidden)
    while width is not None and not _fits(view, table, hidden, width):
        spare = next((c for c in SPARE_COLUMNS if c in table.columns and c not in hidden), None)
        if spare is None:  # still too wide: let numbers wrap too rather than have rich crop them
            view = _table_view(table, hidden, numbers_whole=False)
            break
        hidden.append(spare)
        view = _table_view(table, hidden)
    if hidden:
        view.caption = f"not shown at this width: {', '.join(hidden)} (see README.md)"
        view.caption_justify = "left"
    return view


def _table_view(table: ResultTable, hidden: Sequence[str], numbers_whole: bool = True) -> Table:
    view = Table(title=table.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    shown = [i for i, column in enumerate(table.columns) if column not in hidden]
    for index in shown:
        cells = [str(row[index]) for row in table.rows]
        right = bool(cells) and any(map(_looks_numeric, cells)) and all(
            _looks_numeric(c) or c in ("-", "") for c in cells)
        longest_word = max((len(word) for cell in (table.columns[index], *cells) for word in cell.split()), default=0)
        view.add_column(escape(table.columns[index]), justify="right" if right else "left",
                        no_wrap=right and numbers_whole,
                        min_width=None if right else min(longest_word, 14))  # wrap between words, never inside
    for row in table.rows:
        view.add_row(*(escape(_compact(str(row[i]))) for i in shown))
    return view


def _fits(view: Table, table: ResultTable, hidden: Sequence[str], width: int) -> bool:
    """Whether `view` drawn `width` columns wide shows every word of every shown cell (rich crops what does not
    fit, silently)."""
    buffer = io.StringIO()
    Console(width=width, file=buffer, force_terminal=False, color_system=None).print(view)
    drawn = set(buffer.getvalue().split())
    shown = [i for i, column in enumerate(table.columns) if column not in hidden]
    cells = [table.columns[i] for i in shown] + [_compact(str(row[i])) for row in table.rows for i in shown]
    return all(word in drawn for cell in cells for word in cell.split())


def _compact(cell: str) -> str:
    """A count of a million or more as '7.55M', so a parameter column fits 80 columns (the markdown report keeps
    the exact count)."""
    digits = cell.replace(",", "")
    return f"{int(digits) / 1e6:.2f}M" if digits.isdigit() and int(digits) >= 1_000_000 else cell


_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?%?( ± \d+(\.\d+)?)?( ppl)?")


def _looks_numeric(cell: str) -> bool:
    """One number as the tables write it ('39,874', '84.2 ± 1.3', '+2.1', '12.5%', '3.5 ppl'): right-aligned and
    kept on one line; anything longer ('295.3 ppl, 11.4% masked', a row of numbers) wraps like text."""
    return _NUMBER.fullmatch(str(cell).strip()) is not None


def summary_view(result: "ExperimentResult", width: int | None = None) -> RenderableType:
    """Tables (fitted to `width` when given), then notes (the trial count, report path and command follow: see
    `print_summary`)."""
    parts: list[RenderableType] = [rich_table(t, width) for t in result.summary.tables]
    parts += [Text(f"• {note}") for note in result.summary.notes if note]
    return Group(*parts)


def print_summary(console: Console, result: "ExperimentResult") -> None:
    """The summary view, then the trial count, the report's path and the command that reproduces or resumes the
    run, each path and command on a line of its own that the terminal may wrap but rich never breaks, so that it
    stays copy-pastable at any width."""
    console.print(summary_view(result, console.width))
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
