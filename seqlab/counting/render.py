"""A parameter report for people: the one rich table that `seqlab params` and the tour print.

The full table (`seqlab params`) shows each part's tensor shapes and the formula's value; the compact
one (the tour) keeps part, counted, formula and the match mark, so it fits 80 columns unwrapped.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from seqlab.counting.formulas import MEANINGS
from seqlab.counting.heads import HeadsCheck
from seqlab.counting.report import ParamReport

# (header, justify) of the full table's columns; the compact table keeps part, counted, formula and the mark.
FULL_COLUMNS = (
    ("part", "left"),
    ("shapes", "left"),
    ("counted", "right"),
    ("formula", "left"),
    ("formula value", "right"),
    ("", "center"),
)


def mark(ok: bool) -> str:
    """A green tick when `ok`, else a red cross (rich markup)."""
    return "[green]✓[/]" if ok else "[red]✗[/]"


def report_table(report: ParamReport, compact: bool = False) -> Table:
    """One row per part and a total row: what torch counted next to the formula, with a ✓ where they agree.

    `compact` leaves out the shapes and the formula's value (the tour's table).
    """
    table = Table(title=f"{report.model}: {report.description}", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)  # light rules leave the room for shapes and formulas
    total_ok = mark(report.total_counted == report.total_value)
    if compact:
        table.add_column("part", no_wrap=True)
        table.add_column("counted", justify="right")
        table.add_column("formula")
        table.add_column("")
        for part in report.parts:
            table.add_row(part.name, f"{part.counted:,}", part.formula, mark(part.match))
        table.add_section()
        table.add_row("total", f"{report.total_counted:,}", report.total_formula, total_ok)
        return table
    widest_shape = max((len(word) for part in report.parts for word in part.shapes.split()), default=6)
    for column, justify in FULL_COLUMNS:
        table.add_column(column, justify=justify, overflow="fold", no_wrap=column in ("part", "counted"),
                         min_width=min(widest_shape, 14) if column == "shapes" else None)  # '[30522,128]' whole
    for part in report.parts:
        table.add_row(part.name, part.shapes, f"{part.counted:,}", part.formula, f"{part.value:,}", mark(part.match))
    table.add_section()
    table.add_row(
        "[bold]total[/]",
        "",
        f"[bold]{report.total_counted:,}[/]",
        report.total_formula,
        f"[bold]{report.total_value:,}[/]",
        total_ok,
    )
    return table


def symbols_line(report: ParamReport) -> str:
    """The values given to the formula's symbols and what each stands for: 'symbols: V=30,522 vocabulary, P=512
    positions, ...'."""
    return "symbols: " + ", ".join(f"{k}={v:,}" + (f" {MEANINGS[k]}" if k in MEANINGS else "")
                                   for k, v in report.symbols.items())


def heads_line(heads: HeadsCheck) -> str:
    """The heads identity and its live counts in one line (rich markup)."""
    counted = ", ".join(f"H={h}: {n:,}" for h, n in heads.counts.items())
    return (
        f"heads: {heads.formula_multi} simplifies to {heads.formula_single} "
        f"{mark(heads.symbolic_equal)}; live at d={heads.width}: {counted} {mark(heads.live_equal)}"
    )


def print_report(report: ParamReport, console: Console, heads: HeadsCheck | None = None) -> None:
    """The full table, the symbols' values, the report's notes and (when given) the heads line."""
    console.print(report_table(report))
    console.print(symbols_line(report), highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    if heads is not None:
        console.print(heads_line(heads))
