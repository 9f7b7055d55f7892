"""One protocol for every text encoder (word vocabulary, WordPiece), and loading a saved one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from seqlab.errors import SeqlabError

ENCODER_FILE = "encoder.json"
MASK_SPELLING = re.compile(r"\[mask\]|<mask>", re.IGNORECASE)  # [MASK] or <mask>, any case, in typed text


@dataclass(frozen=True)
class Encoded:
    """A text turned into ids: `segment_ids` are 0 for text and 1 for text_b; `tokens` name each id."""

    ids: list[int]
    segment_ids: list[int]
    tokens: list[str]


@runtime_checkable
class TextEncoder(Protocol):
    """What models and the loader need from a tokenizer + vocabulary."""

    kind: str
    vocab_size: int
    pad_id: int
    unk_id: int

    def encode(self, text: str, text_b: str | None = None, max_length: int | None = None) -> Encoded:
        """Ids, segment ids and tokens of `text` (and `text_b`), truncated to `max_length` ids."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """The text the ids stand for, special tokens left out."""
        ...

    def save(self, directory: Path) -> None:
        """Write encoder.json (+ the vocabulary file) into `directory`."""
        ...


def unknown_count(encoder: TextEncoder, encoded: Encoded) -> int:
    """How many ids of `encoded` are the encoder's unknown id."""
    return sum(1 for i in encoded.ids if i == encoder.unk_id)


def load_encoder(directory: Path) -> TextEncoder:
    """Load the encoder that `TextEncoder.save` wrote into `directory`."""
    path = Path(directory) / ENCODER_FILE
    if not path.is_file():
        raise SeqlabError(f"no {ENCODER_FILE} in {directory}; point at a run's encoder/ folder")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        kind = meta["kind"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
        raise SeqlabError(f"{path} is not a valid encoder file; re-create it by training again") from None
    if kind == "word":
        from seqlab.data.vocab import Vocab

        return Vocab.load(directory)
    if kind == "wordpiece":
        from seqlab.data.wordpiece import WordPiece

        return WordPiece.load(directory)
    raise SeqlabError(f"{path}: unknown encoder kind {kind!r}; expected 'word' or 'wordpiece'")


def truncate_pair(a: list, b: list | None, budget: int) -> tuple[list, list | None]:
    """Cut `a` and `b` to `budget` items in total, always shortening the longer one first."""
    if budget < 0:
        budget = 0
    if b is None:
        return a[:budget], None
    a, b = list(a), list(b)
    while len(a) + len(b) > budget:
        if len(a) > len(b):  # ties shorten the second text, as BERT's tokenizers do
            a.pop()
        else:
            b.pop()
    return a, b
