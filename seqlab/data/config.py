"""Frozen configs the data commands pass to the library: which dataset, and how to tokenize."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seqlab.data.examples import Splits
from seqlab.data.sources import ColumnChoice, DataSource


@dataclass(frozen=True)
class DatasetConfig:
    """A dataset name (or table path), where its files are, the split seed, the columns and dev/test files."""

    name: str
    data_dir: Path | None = None
    seed: int = 0
    choice: ColumnChoice = field(default_factory=ColumnChoice)
    dev: str | None = None
    test: str | None = None

    def source(self) -> DataSource:
        """The same thing as a DataSource (what train and evaluate read through)."""
        return DataSource(self.name, self.data_dir, self.seed, self.dev, self.test, self.choice)

    def load(self) -> Splits:
        """The dataset's Splits."""
        return self.source().load().splits


@dataclass(frozen=True)
class TokenizeConfig:
    """One text (or pair) to tokenize, the corpus the word vocabulary is built from, and its options."""

    text: str
    pair: str | None = None
    max_length: int | None = None
    vocab_from: DatasetConfig = field(default_factory=lambda: DatasetConfig("builtin-sentiment"))
    min_freq: int = 1
    stop_words: bool = False
    wordpiece_vocab: Path | None = None
