"""What every text encoder gives and promises: the Encoded result, the TextEncoder protocol, and the
rules the word vocabulary and WordPiece share (truncating a pair, spelling [MASK], one position at least).

The encoders (seqlab.data.vocab, seqlab.data.wordpiece) import from here, and seqlab.data.encoders loads
them back from disk; so nothing here imports an encoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, TypeVar, runtime_checkable

ENCODER_FILE = "encoder.json"
MASK_SPELLING = re.compile(r"\[mask\]|<mask>", re.IGNORECASE)  # [MASK] or <mask>, any case, in typed text
# The same special tokens in the two encoders' spellings: (BERT's WordPiece, seqlab's word vocabulary). What
# explains a concept (explain, quiz, tour narration) writes WordPiece's and says so once, in SPELLING_NOTE.
SPECIAL_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("[PAD]", "<pad>"), ("[UNK]", "<unk>"), ("[CLS]", "<cls>"), ("[SEP]", "<sep>"), ("[MASK]", "<mask>"),
)
SPELLING_NOTE = (
    "Special tokens are written as BERT's WordPiece writes them: " + " ".join(bert for bert, _ in SPECIAL_SPELLINGS)
    + ". seqlab's word vocabulary spells the same tokens " + " ".join(word for _, word in SPECIAL_SPELLINGS)
    + " (<mask> where WordPiece writes [MASK]); in text you type, either spelling of the mask works."
)

Item = TypeVar("Item")


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


def at_least_one_position(ids: list[int], segment_ids: list[int], unk_id: int) -> tuple[list[int], list[int]]:
    """`ids` and `segment_ids`, or one unknown token (segment 0) when they are empty.

    A text the encoder keeps nothing of (only stop words, say) still needs one position for a model to read.
    """
    return (ids or [unk_id]), (segment_ids or [0])


def truncate_pair(a: list[Item], b: list[Item] | None, budget: int) -> tuple[list[Item], list[Item] | None]:
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
