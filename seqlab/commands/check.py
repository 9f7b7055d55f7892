"""`seqlab check`: the identities measured on a live model, next to their symbolic proofs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from seqlab.commands._common import DeviceOption, JsonOption, SeedOption, user_errors
from seqlab.console import console, emit_json

if TYPE_CHECKING:
    from seqlab.lab.check import OwnCodeRequest


@user_errors
def check(
    ids: Annotated[
        Optional[list[str]],
        typer.Argument(help="Identities to check, e.g. layernorm-norm causal-mask (default: all).", show_default=False),
    ] = None,
    run: Annotated[
        Optional[Path],
        typer.Option("--run", help="A training run folder (e.g. runs/NAME-TIME; list them: seqlab runs) to measure."),
    ] = None,
    pretrained: Annotated[
        bool, typer.Option("--pretrained", help="Measure pretrained BERT weights (default: the MiniLM package).")
    ] = False,
    checkpoint: Annotated[
        Optional[Path],
        typer.Option("--checkpoint", help="With --pretrained: a Hugging Face BERT folder (config.json, weights, vocab.txt)."),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Measure a freshly initialised small causal Transformer (no training needed).")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 1 also when an identity about a part the model has was measured only on a stand-in "
            "(a part the checks could not read: not measured on this model). Planned as the default for --impl.",
        ),
    ] = False,
    impl: Annotated[
        Optional[list[str]],
        typer.Option("--impl", metavar="FILE.py:NAME",
                     help="Check YOUR implementation: a function or nn.Module class NAME in FILE.py (strict: exit 0 "
                     "only when every check held on your code). Give it again to check several parts in one call "
                     "(one verdict: exit 0 only when all held).", show_default=False),
    ] = None,
    kind: Annotated[
        Optional[str],
        typer.Option("--kind", help="With --impl or --template: attention, multihead, layernorm, add-norm, "
                     "encoder-block, causal-mask, positions, lm-loss, classifier-head, lstm-cell, gru-cell, lstm or "
                     "gru (with --impl it is read off your signature when left out).", show_default=False),
    ] = None,
    template: Annotated[
        Optional[str],
        typer.Option("--template", metavar="KIND", help="Write a starter file for KIND (signature, shapes, raise "
                     "NotImplementedError) and stop; never overwrites a file.", show_default=False),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", help="With --template: the file to write (default: KIND.py here).", show_default=False),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="With --impl: the most seconds your code may run "
                            "(it runs in a separate Python process; an endless loop is stopped and reported).")
    ] = 60.0,
    junit: Annotated[
        Optional[Path], typer.Option("--junit", metavar="FILE.xml", help="With --impl: also write JUnit XML (one "
                                     "testcase per check, a failure's message is the diagnosis).", show_default=False),
    ] = None,
    gradescope: Annotated[
        Optional[Path], typer.Option("--gradescope", metavar="FILE.json", help="With --impl: also write Gradescope's "
                                     "results.json (one test per check).", show_default=False),
    ] = None,
    points: Annotated[
        Optional[Path], typer.Option("--points", metavar="FILE.toml", help="With --gradescope: per-check points, a "
                                     "[points] table of \"check name\" = points (a check left out is worth 1).",
                                     show_default=False),
    ] = None,
    device: DeviceOption = "auto",
    seed: SeedOption = 0,
    json_output: JsonOption = False,
) -> None:
    """Check the identities on a live model: the sympy verdict next to the same identity measured in torch.

    Each check takes the part of the model it needs: its LayerNorms (hooked on real tokens), its
    attention modules (masks, scaling, softmax shift, parameter counts), its sinusoidal table, its
    LSTM/GRU (every layer and direction recomputed by hand), its Transformer blocks (residual
    Jacobians), FLOPs counted with torch's FlopCounterMode, for a --freeze run its body against
    the pretrained weights, BERT's masking rule as the run trained with it, on its own text
    (fractions, specials, a loss on the chosen tokens only), and a causal LM's loss (next tokens,
    never the token a position has seen). Attention is read on both the explicit path and the fused kernel the
    model actually runs. Each row is measured on the model ("model"), does not apply to it ("n/a": it
    has no such part, e.g. an LSTM identity on a Transformer, or the causal mask on a bidirectional
    encoder; neither a pass nor a failure), or was measured only on a fresh small module ("stand-in")
    because the model has such a part the checks cannot read (its own LSTM class, say): that
    identity was NOT measured on this model, and the last line names it. The last line counts only
    the model's own rows as holding on it.

    Exit code 1 if any identity fails; with --strict, also when any identity was not measured on the
    model itself (use it to grade your own implementation). Examples:

    seqlab check --fresh

    seqlab check --run runs/NAME-TIME --strict

    seqlab check layernorm-norm --pretrained

    seqlab check --run runs/NAME-TIME --device cuda --json

    Your own code: write a starter, fill it in, check it (exit 0 only when every check held on your code; 1 when one
    failed, with the bug named; 2 on bad input):

    seqlab check --template attention --out my_attention.py

    seqlab check --impl my_attention.py:attention
    """
    if template is not None or impl is not None:
        from seqlab.lab import check as lab_check

        _check_own_code(lab_check.OwnCodeRequest(tuple(impl) if impl else None, kind, template, out, seed, timeout,
                                                 junit, gradescope, points),
                        json_output, bool(ids or run or pretrained or fresh))
        return
    from seqlab.lab import check as lab_check
    from seqlab.proofs.render import check_details, check_headline, check_table

    outcome = lab_check.run(lab_check.CheckRequest(
        ids=tuple(ids or ()), run=run, pretrained=pretrained, checkpoint=checkpoint, fresh=fresh, device=device,
        seed=seed, strict=strict,
    ))
    report = outcome.report
    if json_output:
        emit_json(outcome.to_json())
    else:
        console.print(check_table(report))
        console.print(check_details(report))
        console.print(check_headline(report))
        console.print("The derivations: [bold]seqlab prove ID[/].")
    if report.exit_code:
        raise typer.Exit(code=report.exit_code)


def _check_own_code(request: OwnCodeRequest, json_output: bool, other: bool) -> None:
    """--template writes a starter; --impl checks the learner's code and exits with its verdict."""
    from seqlab.console import safe_text
    from seqlab.errors import SeqlabError
    from seqlab.impl.render import impl_view
    from seqlab.lab import check as lab_check

    if other:
        raise SeqlabError("--impl and --template go alone: drop IDS, --run, --pretrained, --fresh")
    outcome = lab_check.check_own_code(request)
    report = outcome.report
    if json_output:
        emit_json(outcome.to_json())
    elif report is None:
        console.print(f"Wrote {safe_text(str(outcome.written))}. Fill it in, then check it with:")
        console.print(f"  seqlab check --impl {safe_text(str(outcome.written))}:{outcome.name}", soft_wrap=True)
    else:
        for part in (part for one in outcome.reports for part in impl_view(one)):
            console.print(part)
    if not json_output:
        for path in outcome.grading:
            console.print(f"Wrote {safe_text(str(path))}.")
    if outcome.exit_code:
        raise typer.Exit(code=outcome.exit_code)


def register(app: typer.Typer) -> None:
    """Add `seqlab check` to the app; its help lists the identities of seqlab.proofs.REGISTRY."""
    from seqlab.commands._help import IdentitiesHelpCommand

    app.command("check", cls=IdentitiesHelpCommand)(check)
