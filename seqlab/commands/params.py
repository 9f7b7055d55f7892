"""`seqlab params`: count a model's parameters part by part, next to the closed-form formula for each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DEFAULT_DPI, DpiOption, JsonOption, user_errors
from seqlab.console import console, emit_json
from seqlab.errors import SeqlabError


@user_errors
def params(
    model: Annotated[
        Optional[str],
        typer.Argument(
            metavar="MODEL",
            help="A preset: bert-base-uncased, bert-tiny, bert-mini, minilm, lm-transfer, "
            "lm-transfer-classifier, gpt2, lstm, gru.",
        ),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help='A JSON file: a seqlab model spec {"family": ..., "vocab_size": ..., '
            '"num_labels": ...} or a Hugging Face BERT config.json.',
        ),
    ] = None,
    run: Annotated[Optional[Path], typer.Option("--run", help="A run folder; counts the model it trained.")] = None,
    tied: Annotated[
        bool,
        typer.Option("--tied/--untied", help="For lm-transfer: reuse the token embedding as the LM head's matrix."),
    ] = False,
    chart: Annotated[
        Optional[Path], typer.Option("--chart", help="Also draw a bar chart of parameters per part (.png/.svg/.pdf).")
    ] = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Count parameters per part and check each count against its formula, derived with sympy.

    Every row shows the part, its tensor shapes, what torch counted, the formula in the config's symbols
    (V vocabulary, d width, f feed-forward width, L layers, P positions, S segments, C classes, x input
    and h hidden size for LSTM/GRU), the formula's value, and whether they agree. Models are built on
    the meta device, so bert-base costs no memory. Also shows that H attention heads have exactly the
    parameters of one head.

    Examples:

    seqlab params bert-base-uncased

    seqlab params lm-transfer --tied

    seqlab params gpt2

    seqlab params --run runs/builtin-sentiment-transformer-...

    seqlab params minilm --chart minilm.png
    """
    from seqlab.counting.heads import heads_check
    from seqlab.counting.presets import preset_report, run_report, spec_report
    from seqlab.counting.render import print_report

    chosen = [name for name, value in (("MODEL", model), ("--config", config), ("--run", run)) if value is not None]
    if len(chosen) != 1:
        raise SeqlabError(
            "give exactly one of MODEL (a preset), --config FILE.json or --run RUN; "
            "e.g. seqlab params bert-base-uncased"
        )
    if model is not None:
        report = preset_report(model, tied=tied)
    elif config is not None:
        report = spec_report(_read_json(config), config.name)
    else:
        report = run_report(run)
    width = report.symbols.get("d")
    heads = heads_check(width) if width else None
    chart_path = _draw_chart(report, chart, dpi) if chart else None

    if json_output:
        payload = report.to_dict()
        if heads is not None:
            payload["heads"] = heads.to_dict()
        if chart_path:
            payload["chart"] = str(chart_path)
        emit_json(payload)
        return
    print_report(report, console, heads)
    if chart_path:
        console.print(f"chart: [bold]{chart_path}[/]")


def _read_json(path: Path) -> dict:
    """The JSON object in `path`; SeqlabError when missing or not JSON."""
    if not path.is_file():
        raise SeqlabError(f"config file {path} does not exist; pass a JSON model spec or a BERT config.json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeqlabError(f"{path} is not valid JSON ({exc}); fix the file") from None


def _draw_chart(report, path: Path, dpi: int) -> Path:
    """Draw the report's bar chart into `path` (a file, not a folder) at `dpi`."""
    from seqlab.viz.figures import check_dpi, save_figure
    from seqlab.viz.param_chart import params_figure

    if path.is_dir():
        raise SeqlabError(f"--chart {path} is a folder; give a file name such as params.png")
    return save_figure(params_figure(report), path, dpi=check_dpi(dpi))


def register(app: typer.Typer) -> None:
    """Add `seqlab params` to the app."""
    app.command("params")(params)
