"""One text through the word vocabulary and through WordPiece, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.data.compare import EncodingView, compare_tokenizers
from seqlab.data.config import TokenizeConfig
from seqlab.data.spec import DataSpec
from seqlab.io import to_jsonable


@dataclass(frozen=True)
class TokenizeRequest:
    """The text (and pair), the corpus the word vocabulary is built from, and the vocabularies' options."""

    text: str
    pair: str | None = None
    max_length: int | None = None
    vocab_from: str = "builtin-sentiment"
    data_dir: Path | None = None
    seed: int = 0
    min_freq: int = 1
    stop_words: bool = False
    wordpiece_vocab: Path | None = None  # a BERT vocab.txt (default: MiniLM's, if installed)


@dataclass(frozen=True)
class TokenizeReport:
    """The request and the two encodings of its text."""

    request: TokenizeRequest
    words: EncodingView
    pieces: EncodingView

    def to_json(self) -> dict[str, Any]:
        """What `seqlab tokenize --json` prints."""
        request = self.request
        return to_jsonable({"text": request.text, "pair": request.pair, "max_length": request.max_length,
                            "word": view_json(self.words), "wordpiece": view_json(self.pieces)})


def run(request: TokenizeRequest) -> TokenizeReport:
    """Encode the request's text with a word vocabulary built on its corpus and with WordPiece."""
    config = TokenizeConfig(
        text=request.text, pair=request.pair, max_length=request.max_length,
        vocab_from=DataSpec(request.vocab_from, str(request.data_dir) if request.data_dir else None),
        vocab_seed=request.seed,
        min_freq=request.min_freq, stop_words=request.stop_words, wordpiece_vocab=request.wordpiece_vocab,
    )
    words, pieces = compare_tokenizers(config)
    return TokenizeReport(request, words, pieces)


def view_json(view: EncodingView) -> dict[str, Any]:
    """One encoding as plain values: tokens, ids, segments, which are continuations or unknown."""
    return {
        "kind": view.kind,
        "source": view.source,
        "vocab_size": view.vocab_size,
        "tokens": [t.token for t in view.tokens],
        "ids": view.ids,
        "segment_ids": [t.segment for t in view.tokens],
        "continuation": [t.continuation for t in view.tokens],
        "unknown": [t.unknown for t in view.tokens],
        "unknown_count": view.unknown_count,
        "decoded": view.decoded,
    }
