"""The word vocabulary and WordPiece on the same text, side by side (what `seqlab tokenize` shows)."""

from __future__ import annotations

from dataclasses import dataclass

from seqlab.data.config import TokenizeConfig
from seqlab.data.encoded import TextEncoder
from seqlab.data.lengths import check_max_length
from seqlab.data.vocab import Vocab
from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError


@dataclass(frozen=True)
class TokenView:
    """One position of an encoding: the token, its id, its segment, and what kind of piece it is."""

    token: str
    id: int
    segment: int
    unknown: bool
    continuation: bool  # a WordPiece "##" piece that continues the previous word
    special: bool


@dataclass(frozen=True)
class EncodingView:
    """How one encoder split the text: tokens, vocabulary facts, unknown count and the decoded text."""

    kind: str
    source: str
    vocab_size: int
    tokens: list[TokenView]
    unknown_count: int
    decoded: str

    @property
    def ids(self) -> list[int]:
        """The ids in order."""
        return [t.id for t in self.tokens]


def view_encoding(encoder: TextEncoder, source: str, text: str, pair: str | None, max_length: int | None) -> EncodingView:
    """Encode `text` (and `pair`) with `encoder` and describe every position."""
    encoded = encoder.encode(text, pair, max_length=max_length)
    specials = {"[CLS]", "[SEP]", "[PAD]", "[MASK]", "<cls>", "<sep>", "<pad>"}
    tokens = [
        TokenView(token, i, segment, i == encoder.unk_id, token.startswith("##"), token in specials)
        for token, i, segment in zip(encoded.tokens, encoded.ids, encoded.segment_ids)
    ]
    return EncodingView(
        kind=encoder.kind,
        source=source,
        vocab_size=encoder.vocab_size,
        tokens=tokens,
        unknown_count=sum(t.unknown for t in tokens),
        decoded=encoder.decode(encoded.ids),
    )


def build_word_vocab(config: TokenizeConfig) -> Vocab:
    """The word vocabulary built from the train split of `config.vocab_from`."""
    splits = config.vocab_from.source(config.vocab_seed).load().splits
    texts = [t for example in splits.train for t in (example.text, example.text_b) if t]
    return Vocab.build(texts, min_freq=config.min_freq, stop_words=config.stop_words)


def compare_tokenizers(config: TokenizeConfig) -> tuple[EncodingView, EncodingView]:
    """The word-level and WordPiece views of `config.text` (and `config.pair`)."""
    if not config.text.strip():
        raise SeqlabError("the text to tokenize is empty; pass some words, e.g. seqlab tokenize \"an unlikeable film\"")
    if config.max_length is not None:  # the stricter of the two encoders shown: WordPiece
        check_max_length(config.max_length, "wordpiece", pair=config.pair is not None)
    vocab = build_word_vocab(config)
    wordpiece = WordPiece.from_vocab(config.wordpiece_vocab) if config.wordpiece_vocab else WordPiece.default()
    words = view_encoding(
        vocab,
        f"words of {config.vocab_from.data} train (min_freq {config.min_freq}"
        f"{', stop words removed' if config.stop_words else ''})",
        config.text, config.pair, config.max_length,
    )
    pieces = view_encoding(wordpiece, wordpiece.source, config.text, config.pair, config.max_length)
    return words, pieces
