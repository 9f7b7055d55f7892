"""Tour step "params": parameter counts of MiniLM and the LM-transfer model, each part against its formula."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from seqlab.tour import TourContext, TourStep


def _table(report) -> Table:
    """A compact table: part, counted, formula, match."""
    table = Table(title=f"{report.model}: {report.description}", title_justify="left")
    table.add_column("part", no_wrap=True)
    table.add_column("counted", justify="right")
    table.add_column("formula")
    table.add_column("")
    for part in report.parts:
        table.add_row(part.name, f"{part.counted:,}", part.formula, "[green]✓[/]" if part.match else "[red]✗[/]")
    table.add_section()
    table.add_row(
        "total",
        f"{report.total_counted:,}",
        report.total_formula,
        "[green]✓[/]" if report.total_counted == report.total_value else "[red]✗[/]",
    )
    return table


def run_params(ctx: TourContext) -> dict[str, Any]:
    """Print the MiniLM and lm-transfer tables (counted on the meta device) and the heads identity."""
    from seqlab.viz.params import heads_check, preset_report

    summary: dict[str, Any] = {}
    for name, tied in (("minilm", False), ("lm-transfer", False), ("lm-transfer", True)):
        report = preset_report(name, tied=tied)
        ctx.console.print(_table(report))
        for note in report.notes:
            ctx.console.print(f"  {note}", highlight=False)
        key = f"{name}{'-tied' if tied else ''}"
        summary[key] = {"counted": report.total_counted, "formula": report.total_value, "match": report.match}
    heads = heads_check(384)
    ctx.console.print(
        f"heads: {heads.formula_multi} = {heads.formula_single} for every H "
        f"(symbolic: {heads.symbolic_equal}; MiniLM width 384, counted {sorted(set(heads.counts.values()))})"
    )
    summary["heads_equal"] = heads.symbolic_equal and heads.live_equal
    ctx.console.print(
        "More: [bold]seqlab params bert-base-uncased --chart params.png[/], "
        "[bold]seqlab params --run RUN[/], [bold]seqlab params lstm[/]"
    )
    return summary


STEP = TourStep("params", "parameter counts of MiniLM and the LM-transfer model vs their formulas", run_params)
