"""Tour step "proofs": prove every identity with sympy, then measure each on the tour's Transformer run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqlab.tour import TourContext, TourStep

RECURRENT_IDS = ("lstm-not-convex", "lstm-memory", "padding-mask")


def run(ctx: TourContext) -> dict[str, Any]:
    """Prove all identities, then check all of them on the trained transformer (or a fresh one)."""
    from rich.table import Table

    from seqlab.io import atomic_write_text
    from seqlab.proofs.render import check_details, check_headline, check_table, latex_document
    from seqlab.proofs.runner import CheckConfig, check_identities, prove_identities

    proved = prove_identities(())
    table = Table(title="sympy proofs")
    table.add_column("identity", style="bold")
    table.add_column("statement")
    table.add_column("verdict")
    for item in proved:
        verdict = "[green]verified[/]" if item.proof.verified else "[red]NOT verified[/]"
        table.add_row(item.identity.id, item.proof.statement, verdict)
    ctx.console.print(table)
    latex_path = atomic_write_text(Path(ctx.out_dir) / "proofs.tex", latex_document(proved))
    ctx.console.print(f"Every step of every proof: [bold]seqlab prove ID[/]; as LaTeX in {latex_path}.")

    run_dir = ctx.shared.get("transformer_run")
    if run_dir is not None:
        config = CheckConfig(run=Path(run_dir), device=ctx.device, seed=ctx.seed)
        how = f"seqlab check --run {run_dir}"
    else:
        config = CheckConfig(fresh=True, device=ctx.device, seed=ctx.seed)
        how = "seqlab check --fresh"
    report = check_identities(config, proved=proved)
    ctx.console.print(check_table(report))
    ctx.console.print(check_details(report))
    ctx.console.print(check_headline(report))
    ctx.console.print(f"The same table, for any model: [bold]{how}[/] (or --pretrained).")
    counts = report.counts()
    summary = {
        "proved": sum(item.proof.verified for item in proved),
        "identities": len(proved),
        "checked_on": report.source,
        "checks_passed": sum(row.passed for row in report.rows),
        "checked_on_model": counts["model"],
        "stand_ins": counts["stand_in"],
        "latex": str(latex_path),
    }
    lstm_run = ctx.shared.get("lstm_run")
    if lstm_run is not None:  # the memory-cell identity on a trained LSTM rather than a fresh one
        lstm_config = CheckConfig(ids=RECURRENT_IDS, run=Path(lstm_run), device=ctx.device, seed=ctx.seed)
        lstm_report = check_identities(lstm_config, proved=proved)
        ctx.console.print(check_table(lstm_report))
        ctx.console.print(check_headline(lstm_report))
        summary["lstm_checks_passed"] = sum(row.passed for row in lstm_report.rows)
    return summary


STEP = TourStep(name="proofs", title="Identities proved with sympy, then measured on a live model", run=run)
