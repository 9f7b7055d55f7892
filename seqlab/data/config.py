"""The frozen config `seqlab tokenize` passes to the library: the text, the corpus of the word vocabulary, options."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seqlab.data.spec import DataSpec


@dataclass(frozen=True)
class TokenizeConfig:
    """One text (or pair) to tokenize, the corpus the word vocabulary is built from, and its options."""

    text: str
    pair: str | None = None
    max_length: int | None = None
    vocab_from: DataSpec = field(default_factory=DataSpec)
    vocab_seed: int = 0  # the split seed of the corpus
    min_freq: int = 1
    stop_words: bool = False
    wordpiece_vocab: Path | None = None
