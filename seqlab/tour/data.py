"""Tour steps "data" and "tokenize": the built-in corpus, then one sentence through both tokenizers."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from seqlab.data.encoded import SPELLING_NOTE
from seqlab.data.render import LEGEND, encoding_view, examples_table, length_histogram, stats_table
from seqlab.data.spec import DataSpec
from seqlab.lab import data, tokenize
from seqlab.tour import TourContext, TourStep, print_more

TOUR_SENTENCE = "The unlikeable hero was not boring at all."


def run_data(ctx: TourContext) -> dict[str, Any]:
    """Show the built-in sentiment corpus: counts, label balance, lengths, and a few rows."""
    request = data.DatasetRequest(DataSpec("builtin-sentiment"), seed=ctx.seed)
    counted = data.stats(request, bins=6)
    splits, numbers = counted.loaded.splits, counted.numbers
    ctx.console.print(stats_table(splits.name, numbers, len(splits.labels), splits.is_pair))
    ctx.console.print(length_histogram(numbers[0]))
    shown = data.show(request, "train", 4)
    ctx.console.print(examples_table("a few training rows: negation and 'but' decide the label",
                                     shown.rows, splits.is_pair))
    print_more(ctx, ["seqlab data list", "seqlab data show builtin-entailment",
                     "seqlab data stats imdb --data-dir DIR"])
    ctx.shared["splits"] = splits
    return {"examples": splits.counts(), "labels": list(splits.labels)}


def run_tokenize(ctx: TourContext) -> dict[str, Any]:
    """One sentence through the word vocabulary (built on the corpus) and through WordPiece."""
    report = tokenize.run(tokenize.TokenizeRequest(TOUR_SENTENCE, seed=ctx.seed))
    words, pieces = report.words, report.pieces
    for view, name in ((words, "word vocabulary"), (pieces, "WordPiece")):
        ctx.console.print(encoding_view(view, name, ctx.console.width))
        ctx.console.print()
    ctx.console.print(LEGEND)
    ctx.console.print(Text(SPELLING_NOTE, style="dim"))  # said once: the narration writes [MASK], [PAD], ...
    print_more(ctx, ['seqlab tokenize "your text" --pair "a second sentence"'])
    return {"word_unknown": words.unknown_count, "wordpiece_unknown": pieces.unknown_count,
            "wordpiece_source": pieces.source}


STEP = TourStep("data", "the built-in corpus: counts, label balance, lengths, rows", run_data)
