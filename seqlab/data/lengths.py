"""The one rule for --max-length: room for the encoder's special tokens and some text, and not absurdly long.

`seqlab train`, `seqlab experiment`, `seqlab tokenize` and the WordPiece encoder all ask this module, so a
too-short length is refused up front with the option's name, never deep inside tokenization.
"""

from __future__ import annotations

from seqlab.errors import SeqlabError

MAX_LENGTH_LIMIT = 65_536  # tokens per text; beyond this a position table alone needs gigabytes
MIN_LENGTH = 2  # the shortest text anything trains on: a language model needs two tokens to predict one
# The special tokens each encoder adds, to one text and to a pair of texts (docs/ARCHITECTURE.md, "Data").
SPECIAL_TOKENS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("word", False): (),
    ("word", True): ("<sep>",),  # a <sep> b
    ("wordpiece", False): ("[CLS]", "[SEP]"),  # [CLS] a [SEP]
    ("wordpiece", True): ("[CLS]", "[SEP]", "[SEP]"),  # [CLS] a [SEP] b [SEP]
}


def special_count(kind: str, pair: bool) -> int:
    """How many special tokens an encoder of `kind` ("word" or "wordpiece") adds to one text or a pair."""
    return len(SPECIAL_TOKENS[(kind, pair)])


def shortest_max_length(kind: str | None, pair: bool = False) -> int:
    """The smallest --max-length that leaves one token of text after the special tokens (at least MIN_LENGTH).

    `kind` None means any encoder and any data (a pair of texts for WordPiece is the strictest)."""
    if kind is None:
        return max(shortest_max_length(k, p) for k, p in SPECIAL_TOKENS)
    return max(MIN_LENGTH, special_count(kind, pair) + 1)


def check_max_length(max_length: int, kind: str | None, pair: bool = False, option: str = "--max-length") -> int:
    """`max_length` when it fits the rule for `kind` (None: any encoder); one SeqlabError naming `option`."""
    low = shortest_max_length(kind, pair)
    if low <= max_length <= MAX_LENGTH_LIMIT:
        return max_length
    if max_length > MAX_LENGTH_LIMIT:
        why = "texts longer than it are cut, so 64-512 is plenty"
    elif kind is None:
        why = "a model may read WordPiece sentence pairs: [CLS], [SEP], [SEP] and a token of text"
    elif special_count(kind, pair):
        tokens = SPECIAL_TOKENS[(kind, pair)]
        what = "pair" if pair else "text"
        why = f"the {kind} encoder adds {', '.join(tokens)} to each {what} and needs a token of text"
    else:
        why = "a language model needs two tokens to predict one"
    raise SeqlabError(f"{option} must be from {low} to {MAX_LENGTH_LIMIT:,} tokens (got {max_length}); {why}")
