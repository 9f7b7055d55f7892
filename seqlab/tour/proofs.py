"""Tour step "proofs": prove every identity with sympy, then measure each on the tour's Transformer run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqlab.lab import check, prove
from seqlab.proofs.render import check_details, check_headline, check_table, proofs_table, proved_and_checked_table
from seqlab.tour import TourContext, TourStep, print_more

RECURRENT_IDS = ("lstm-not-convex", "lstm-memory", "padding-mask")


def run(ctx: TourContext) -> dict[str, Any]:
    """Prove all identities, then check all of them on the trained transformer (or a fresh one)."""
    proofs = prove.run(prove.ProveRequest(latex=Path(ctx.out_dir) / "proofs.tex"))
    proved, latex_path = proofs.items, proofs.latex
    run_dir = ctx.shared.get("transformer_run")
    if run_dir is not None:
        request = check.CheckRequest(run=Path(run_dir), device=ctx.device, seed=ctx.seed)
        how = f"seqlab check --run {ctx.show(run_dir)}"
    else:
        request = check.CheckRequest(fresh=True, device=ctx.device, seed=ctx.seed)
        how = "seqlab check --fresh"
    report = check.run(request, proved=proved).report

    if ctx.verbose:
        ctx.console.print(proofs_table(proved))
        ctx.console.print(check_table(report))
        ctx.console.print(check_details(report))
    else:
        ctx.console.print(proved_and_checked_table(proved, report))
    ctx.console.print(check_headline(report))
    if not ctx.verbose:
        ctx.console.print("[dim]Each statement in full, and how it was measured with what tolerance:[/]")
        ctx.console.print("  seqlab tour --only proofs --verbose", soft_wrap=True)
    counts = report.counts()
    summary = {
        "proved": sum(item.proof.verified for item in proved),
        "identities": len(proved),
        "checked_on": report.source,
        "checks_passed": sum(row.passed for row in report.rows),
        "checks_applicable": sum(row.applicable for row in report.rows),
        "checked_on_model": counts["model"],
        "stand_ins": counts["stand_in"],
        "latex": str(latex_path),
    }
    lstm_run = ctx.shared.get("lstm_run")
    if lstm_run is not None:  # the memory-cell identity on a trained LSTM rather than a fresh one
        lstm_request = check.CheckRequest(ids=RECURRENT_IDS, run=Path(lstm_run), device=ctx.device, seed=ctx.seed)
        lstm_report = check.run(lstm_request, proved=proved).report
        if ctx.verbose:
            ctx.console.print(check_table(lstm_report))
        else:
            said = {"pass": "holds", "FAIL": "FAILS", "not applicable": "does not apply"}
            verdicts = ", ".join(f"{row.identity.id} {said[row.verdict]}" for row in lstm_report.rows)
            ctx.console.print(f"On the trained LSTM: {verdicts}.", highlight=False)
        ctx.console.print(check_headline(lstm_report))
        summary["lstm_checks_passed"] = sum(row.passed for row in lstm_report.rows)
    ctx.console.print(f"All steps of every proof, as LaTeX: {ctx.show(latex_path)}", highlight=False, soft_wrap=True)
    print_more(ctx, ["seqlab prove ID            # one proof, step by step", how])
    return summary


STEP = TourStep(name="proofs", title="Identities proved with sympy, then measured on a live model", run=run)
