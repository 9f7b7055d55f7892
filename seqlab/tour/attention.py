"""Tour step "attention": what a trained (or fresh) Transformer and pretrained MiniLM attend to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from seqlab import paths
from seqlab.io import slugify
from seqlab.tour import TourContext, TourStep
from seqlab.tour.lesson import most_attended
from seqlab.viz.attention_export import write_attention_views
from seqlab.viz.attention_heads import notable_heads, rank_heads, summarize_heads
from seqlab.viz.attention_source import attention_from_fresh_transformer, attention_from_pretrained, attention_from_run
from seqlab.viz.attention_terminal import overview
from seqlab.viz.figures import output_folder

TOUR_SENTENCE = "the acting was not good but the story was great"


def run_attention(ctx: TourContext) -> dict[str, Any]:
    """For the train step's transformer run (or a fresh one), then MiniLM: the most informative head and the
    notable heads in the terminal, then heatmaps and bertviz pages on disk."""
    folder = output_folder(ctx.out_dir / "attention", "attention")
    run = ctx.shared.get("transformer_run")
    if run is not None and Path(run).is_dir():
        capture = attention_from_run(Path(run), TOUR_SENTENCE, device="cpu")
        source = f"the transformer trained in the train step ({Path(run).name})"
    else:
        capture = attention_from_fresh_transformer(TOUR_SENTENCE, seed=ctx.seed, causal=True)
        source = "a fresh causal transformer (random weights: no train step ran), so each row is a lower triangle"
    captures = [(source, capture)]
    if paths.has_pretrained():
        captures.append(
            (
                "pretrained MiniLM-L6-H384 on a sentence pair",
                attention_from_pretrained(TOUR_SENTENCE, "the film was fun"),
            )
        )

    summary: dict[str, Any] = {"folder": str(folder)}
    for label, item in captures:
        files = write_attention_views(item, folder / slugify(item.model_name))
        layers, heads, tokens = item.shape
        summaries = summarize_heads(item.probabilities, item.tokens, item.causal)
        ranked, notable = rank_heads(summaries), notable_heads(summaries)
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
