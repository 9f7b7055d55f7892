"""`seqlab prove`: the textbook identities derived step by step with sympy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import JsonOption, user_errors
from seqlab.console import console, emit_json


@user_errors
def prove(
    ids: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="Identities to prove, e.g. layernorm-norm causal-mask (default: all). An unknown id lists the known ones.",
            show_default=False,
        ),
    ] = None,
    latex: Annotated[
        Optional[Path],
        typer.Option("--latex", help="Also write the proofs as a standalone LaTeX document to this .tex file."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Prove the identities sequence models rely on, symbolically, with sympy.

    Each proof states its exact conditions (eps = 0? biased variance? independent entries?), shows
    every step, and ends with sympy's verdict.

    The same identities measured on a real model: seqlab check --fresh (or --run RUN, --pretrained).
    Exit code 1 if any proof does not verify.
    """
    from seqlab.lab import prove as lab_prove
    from seqlab.proofs.render import proof_panel, verified_line

    report = lab_prove.run(lab_prove.ProveRequest(ids=tuple(ids or ()), latex=latex))
    items, all_verified = report.items, report.all_verified
    if json_output:
        emit_json(report.to_json())
    else:
        for item in items:
            console.print(proof_panel(item))
        console.print(verified_line(items))
        if report.latex is not None:
            console.print(f"LaTeX written to [bold]{report.latex}[/].")
        console.print("Measure them on a model: [bold]seqlab check --fresh[/] (or --run RUN, --pretrained).")
    if not all_verified:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `seqlab prove` to the app; its help lists the identities of seqlab.proofs.REGISTRY."""
    from seqlab.commands._help import IdentitiesHelpCommand

    app.command("prove", cls=IdentitiesHelpCommand)(prove)
