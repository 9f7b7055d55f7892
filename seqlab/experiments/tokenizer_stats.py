"""How a tokenizer sees a dataset: vocabulary size, unknown rate, and sequence-length percentiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from seqlab.data.examples import Example

PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True)
class TokenizerStats:
    """Numbers about one encoder on one split: `lengths` count real tokens (no [CLS]/[SEP]/<sep>)."""

    kind: str
    source: str
    vocab_size: int
    tokens: int
    unknown: int
    lengths: list[int]

    @property
    def unknown_rate(self) -> float:
        """Share of tokens that map to the unknown id."""
        return self.unknown / self.tokens if self.tokens else 0.0

    def percentiles(self) -> dict[str, int]:
        """p50/p90/p95/p99 and max of the lengths."""
        if not self.lengths:
            return {f"p{q}": 0 for q in PERCENTILES} | {"max": 0}
        values = np.asarray(self.lengths)
        return {f"p{q}": int(np.percentile(values, q)) for q in PERCENTILES} | {"max": int(values.max())}


def _special_ids(encoder) -> set[int]:
    """Ids of the markers an encoder adds around the text ([CLS], [SEP], <cls>, <sep>)."""
    vocab = getattr(encoder, "vocab", None)
    if isinstance(vocab, dict):
        return {vocab[t] for t in ("[CLS]", "[SEP]") if t in vocab}
    return {encoder.id_of("<cls>"), encoder.id_of("<sep>")} if hasattr(encoder, "id_of") else set()


def encoder_stats(encoder, examples: Sequence[Example], source: str) -> TokenizerStats:
    """Encode every example untruncated and count tokens, unknown tokens and lengths."""
    specials = _special_ids(encoder)
    if hasattr(encoder, "encode_ids_batch"):  # WordPiece: the fast batch path
        id_lists = [ids for ids, _ in encoder.encode_ids_batch([e.text for e in examples],
                                                                [e.text_b for e in examples])]
    else:
        id_lists = [encoder.encode(e.text, e.text_b).ids for e in examples]
    lengths, unknown = [], 0
    for ids in id_lists:
        real = [i for i in ids if i not in specials]
        lengths.append(len(real))
        unknown += sum(1 for i in real if i == encoder.unk_id)
    return TokenizerStats(encoder.kind, source, encoder.vocab_size, sum(lengths), unknown, lengths)
