"""What every layer and head attends to in a sentence: captured, ranked, summarised and drawn to files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.lab.display import Display
from seqlab.outputs import output_folder
from seqlab.training.source import Source
from seqlab.viz.attention_export import AttentionFiles, write_attention_views
from seqlab.viz.attention_heads import SELECTION_RULE, HeadSummary, find_token, notable_heads, rank_heads
from seqlab.viz.attention_heads import summarize_heads
from seqlab.viz.attention_source import AttentionCapture, attention_from_fresh_transformer, attention_from_pretrained
from seqlab.viz.attention_source import attention_from_run, attention_of
from seqlab.viz.attention_steps import QueryKeySteps, steps_from_pretrained, steps_from_run, steps_of
from seqlab.viz.figures import DEFAULT_DPI, check_dpi, check_format


@dataclass(frozen=True)
class AttentionRequest:
    """A sentence (and pair) to read with a run folder, (`pretrained`, or a `checkpoint` folder) BERT, or a
    `fresh` model; the
    head up close (default: the most informative), a token to follow, and where and how to draw the files."""

    sentence: str
    run: Path | None = None
    pretrained: bool = False
    checkpoint: Path | None = None  # a Hugging Face BERT folder; implies pretrained
    fresh: bool = False  # a small untrained causal LM (random weights from `seed`) instead of a run
    seed: int = 0
    pair: str | None = None
    layer: int | None = None
    head: int | None = None
    query: str | None = None  # a token as printed, or a position like #3; with layer and head: how its row is made
    out: Path | None = None  # None: a new folder under ./figures
    fmt: str = "png"
    dpi: int = DEFAULT_DPI
    device: str = "cpu"
    model: Any = None  # a model seqlab built (Python only: seqlab.attention(model, ...)), read with `encoder`
    encoder: Any = None  # the model's TextEncoder (None: seqlab's default WordPiece)


@dataclass(frozen=True)
class AttentionReport(Display):
    """The captured attention, every head's summary (ranked, and the notable ones), the query's position and
    the files written."""

    capture: AttentionCapture
    summaries: list[HeadSummary]
    ranked: list[HeadSummary]
    notable: list[HeadSummary]
    query_index: int | None
    files: AttentionFiles
    steps: QueryKeySteps | None = None  # with a query, layer and head: q, each k, q.k, scaling, mask, softmax

    def to_json(self) -> dict[str, Any]:
        """What `seqlab attention --json` prints."""
        extra: dict = {
            "selection_rule": SELECTION_RULE,
            "most_informative": self.ranked[0].to_dict(),
            "notable_heads": [s.to_dict() for s in self.notable],
            "head_summaries": [s.to_dict() for s in self.summaries],
        }
        if self.query_index is not None:
            extra["query"] = {"token": self.capture.tokens[self.query_index], "index": self.query_index}
        if self.steps is not None:
            extra["query_key"] = self.steps.to_dict()
        return to_jsonable({**self.capture.to_dict(), "files": self.files.to_dict(), **extra})


def run(request: AttentionRequest) -> AttentionReport:
    """Capture the model's attention on the sentence, rank its heads and write the views."""
    fmt = check_format(request.fmt)
    dpi = check_dpi(request.dpi)
    explain_row = request.query is not None and request.layer is not None and request.head is not None
    steps = None
    if request.model is not None:
        source = Source.of_model(request.model, request.encoder if request.encoder is not None else WordPiece.default(),
                                 type(request.model).__name__)
        if explain_row:
            steps = steps_of(source, request.sentence, request.layer, request.head, request.query, request.pair)
        capture = steps.capture if steps else attention_of(source, request.sentence, request.pair)
    elif request.fresh:
        capture = attention_from_fresh_transformer(request.sentence, request.pair, seed=request.seed, causal=True)
    elif request.pretrained or request.checkpoint is not None:
        if explain_row:
            steps = steps_from_pretrained(request.sentence, request.layer, request.head, request.query, request.pair,
                                          request.checkpoint, request.device)
        capture = steps.capture if steps else attention_from_pretrained(request.sentence, request.pair,
                                                                        request.checkpoint, request.device)
    else:
        if request.run is None or not Path(request.run).is_dir():
            raise SeqlabError(
                f"run folder {request.run} does not exist; list your runs with: seqlab runs (or use --pretrained)"
            )
        if explain_row:
            steps = steps_from_run(Path(request.run), request.sentence, request.layer, request.head, request.query,
                                   request.pair, request.device)
        capture = steps.capture if steps else attention_from_run(Path(request.run), request.sentence, request.pair,
                                                                 request.device)
    query_index = find_token(capture.tokens, request.query) if request.query is not None else None
    folder = output_folder(request.out, f"attention-{capture.model_name}")
    files = write_attention_views(capture, folder, fmt, request.layer, request.head, dpi=dpi, steps=steps,
                                  query_index=query_index)
    summaries = summarize_heads(capture.probabilities, capture.tokens, capture.causal)
    return AttentionReport(capture, summaries, rank_heads(summaries), notable_heads(summaries), query_index, files,
                           steps)
