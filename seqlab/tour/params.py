"""Tour step "params": parameter counts of MiniLM and the LM-transfer model, each part against its formula."""

from __future__ import annotations

from typing import Any

from seqlab.counting.render import report_table, symbols_line
from seqlab.lab import params
from seqlab.tour import TourContext, TourStep, print_more


def _summary(report) -> dict[str, Any]:
    """Totals and per-part counts of one report (what the takeaway reads)."""
    return {"counted": report.total_counted, "formula": report.total_value, "match": report.match,
            "parts": {part.name: part.counted for part in report.parts}}


def run_params(ctx: TourContext) -> dict[str, Any]:
    """MiniLM's and lm-transfer's tables (counted on the meta device), the tied head in one line, the heads identity."""
    summary: dict[str, Any] = {}
    counted = {name: params.run(params.ParamsRequest(model=name)) for name in ("minilm", "lm-transfer")}
    for name, outcome in counted.items():
        report = outcome.report
        ctx.console.print(report_table(report, compact=True))
        ctx.console.print(symbols_line(report), highlight=False)
        for note in report.notes if ctx.verbose else ():
            ctx.console.print(f"  {note}", highlight=False)
        summary[name] = _summary(report)
    untied, tied = summary["lm-transfer"], _summary(params.run(params.ParamsRequest(model="lm-transfer", tied=True)).report)
    summary["lm-transfer-tied"] = tied
    saved = untied["counted"] - tied["counted"]
    ctx.console.print(
        f"Tying the LM head to the token embedding (one V x d matrix used twice) leaves {tied['counted']:,} "
        f"parameters: {saved:,} fewer{'' if tied['match'] else ' (does NOT match its formula)'}.",
        highlight=False,
    )
    heads = counted["minilm"].heads  # MiniLM's width, 384
    ctx.console.print(
        f"Heads: {heads.formula_multi} = {heads.formula_single} for every number of heads H "
        f"(sympy: {'proved' if heads.symbolic_equal else 'NOT proved'}; counted at width 384 for H in "
        f"{sorted(heads.counts)}: {', '.join(sorted({f'{c:,}' for c in heads.counts.values()}))})",
        highlight=False,
    )
    summary["heads_equal"] = heads.symbolic_equal and heads.live_equal
    print_more(ctx, ["seqlab params bert-base-uncased --chart params.png", "seqlab params --run RUN",
                     "seqlab params lstm"])
    return summary


STEP = TourStep("params", "parameter counts of MiniLM and the LM-transfer model vs their formulas", run_params)
