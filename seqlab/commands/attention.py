"""`seqlab attention`: draw what every layer and head of a Transformer or BERT attends to in a sentence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from seqlab.commands._common import DEFAULT_DPI, FOLDER_OUT_HELP, DeviceOption, DpiOption, JsonOption, user_errors
from seqlab.console import console, emit_json, err_console
from seqlab.errors import SeqlabError


@user_errors
def attention(
    first: Annotated[
        str,
        typer.Argument(
            metavar="RUN_OR_SENTENCE", help="A run folder (then SENTENCE), or the sentence itself with --pretrained."
        ),
    ],
    sentence: Annotated[Optional[str], typer.Argument(metavar="SENTENCE", help="The sentence, in quotes.")] = None,
    pretrained: Annotated[
        bool,
        typer.Option(
            "--pretrained", help="Use pretrained BERT weights instead of a run (the bundled MiniLM, or --checkpoint)."
        ),
    ] = False,
    checkpoint: Annotated[
        Optional[Path],
        typer.Option(
            "--checkpoint",
            help="A Hugging Face BERT checkpoint folder (config.json, weights, vocab.txt); implies --pretrained.",
        ),
    ] = None,
    pair: Annotated[Optional[str], typer.Option("--pair", help="A second sentence, for sentence-pair input.")] = None,
    layer: Annotated[
        Optional[int], typer.Option("--layer", help="Layer to show up close (default: the most informative head's).")
    ] = None,
    head: Annotated[
        Optional[str],
        typer.Option(
            "--head",
            metavar="[L,]H",
            help="Head to show up close: H, or L,H for layer and head, from 0 (default: the most informative); "
            "with --query, how that token's weights are made.",
        ),
    ] = None,
    query: Annotated[
        Optional[str],
        typer.Option(
            "--query",
            metavar="TOKEN",
            help="Show where this token looks in every layer and head (a token as printed, or a position like #3).",
        ),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", metavar="DIR", help=f"{FOLDER_OUT_HELP} (default: a new folder under ./figures)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Figure format: png, svg or pdf.")] = "png",
    dpi: DpiOption = DEFAULT_DPI,
    device: DeviceOption = "cpu",
    json_output: JsonOption = False,
) -> None:
    """Show what each layer and head attends to: in the terminal, as heatmaps and as pages for a browser.

    Prints the most informative head as a coloured matrix (lowest row entropy relative to uniform, skipping
    heads that rest on [CLS]/[SEP]) and the heads with a sharp pattern in words ("L0 H2: each token -> the
    previous token 0.97"). With --query TOKEN it prints where that token looks in every layer and head,
    draws it as one bar chart per head (the heads that look hardest at a word framed) and opens the explorer
    with that token selected.

    Add --head L,H to --query (layers and heads are numbered from 0) to see how that head's weights for
    the token are made, with the live model's numbers: q and each k, q·k, ÷ sqrt(d_k), the mask, the
    softmax and the output as the weighted sum of the values; also as a slide and in the explorer.

    Writes a layer x head grid, one head up close, the average over heads, bertviz's interactive head view
    and model view, and seqlab's attention explorer: pick a layer and head (or the head average), hover a
    token to see where it looks and what looks at it, and read what each notable head does. Every page is
    one file that works offline (its scripts are inside it).

    Rows of each heatmap are queries (the token that attends), columns are keys (what it attends to);
    every row sums to 1. A causal LM shows its lower triangle: no token sees the future.

    Examples:

    seqlab attention --pretrained "the cat sat on the mat"

    seqlab attention RUN "a man is sleeping" --pair "a person rests"

    seqlab attention --pretrained "the acting was not good but fun" --query but

    seqlab attention RUN "the movie was great" --layer 1 --head 3 --format svg

    seqlab attention --pretrained "the cat sat on the mat" --query cat --head 2,3
    """
    from seqlab.lab import attention as lab_attention
    from seqlab.viz.attention_steps import parse_head
    from seqlab.viz.attention_terminal import overview, query_view
    from seqlab.viz.render import attention_header, query_key_view, written_files

    use_pretrained = pretrained or checkpoint is not None
    head_layer, head_index = parse_head(head) if head is not None else (None, None)
    if head_layer is not None and layer is not None and head_layer != layer:
        raise SeqlabError(f"--layer {layer} and --head {head_layer},{head_index} name two layers; give one of them")
    layer = head_layer if head_layer is not None else layer
    if use_pretrained and sentence is not None:
        raise SeqlabError(
            "with --pretrained give only the sentence (no run folder); "
            'e.g. seqlab attention --pretrained "the cat sat"'
        )
    if not use_pretrained and sentence is None:
        raise SeqlabError(
            'give a run folder and a sentence (seqlab attention RUN "text"), or use --pretrained "text"'
        )
    report = lab_attention.run(lab_attention.AttentionRequest(
        sentence=first if use_pretrained else sentence, run=None if use_pretrained else Path(first),
        pretrained=pretrained, checkpoint=checkpoint, pair=pair, layer=layer, head=head_index, query=query, out=out,
        fmt=fmt, dpi=dpi, device=device,
    ))
    if report.capture.note and not json_output:  # the text was cut to fit (--json carries the note)
        err_console.print(f"[yellow]note:[/] {escape(report.capture.note)}", soft_wrap=True, highlight=False)
    if json_output:
        emit_json(report.to_json())
        return
    capture, files, query_index = report.capture, report.files, report.query_index
    console.print(attention_header(capture))
    console.print("tokens: " + " ".join(capture.tokens), markup=False, highlight=False)
    width = console.width
    if report.steps is not None:
        console.print(query_key_view(report.steps))
    elif query_index is not None:
        console.print(query_view(capture.probabilities, capture.tokens, query_index, capture.causal, width))
    else:
        console.print(overview(capture.probabilities, capture.tokens, report.ranked, report.notable, capture.causal,
                               width))
    console.print(written_files(files), soft_wrap=True)  # paths whole, never cropped or folded
    console.print("Open the .html files in a browser (no network needed); start with the explorer.")


def register(app: typer.Typer) -> None:
    """Add `seqlab attention` to the app."""
    app.command("attention")(attention)
