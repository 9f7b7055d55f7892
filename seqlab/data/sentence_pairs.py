"""Sentence pairs for BERT's next-sentence prediction (NSP) and ALBERT's sentence-order prediction (SOP).

Both objectives take two consecutive sentences A, B of one text and, with probability 1/2, keep them as they
are (label 0: "next" / "in order"). Otherwise NSP replaces B by a sentence drawn from another text (label 1:
"random"; Devlin et al. 2019, section 3.1) and SOP swaps the two, B then A (label 1: "swapped"; Lan et al.
2020, section 4.2). A random sentence usually changes topic, so NSP can be solved by topic alone; a swapped
pair has exactly the same words as the real one, so SOP can only be solved by reading the order.

Sentences are found by a simple rule: a text is split after ".", "!" or "?" (one or more, with any closing
quote or bracket) followed by whitespace (IMDB's "<br />" counts as whitespace); a piece with no letter or digit (a stray "." or "...") is dropped.
Abbreviations such as "Mr. Smith" are split too - fine for this purpose. BERT paired multi-sentence
"segments" of up to 512 tokens; here each side is one sentence, as in the ablations of RoBERTa (section 4.2).

Pairs are built once per run from a seeded `random.Random`, so the same seed gives the same pairs (and a
resumed run rebuilds exactly the pairs it started with). Label 0 is the real continuation, as in Hugging
Face's `next_sentence_label`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from seqlab.data.examples import Example
from seqlab.errors import SeqlabError

SENTENCE_OBJECTIVES: tuple[str, ...] = ("nsp", "sop")
PAIR_LABELS: dict[str, tuple[str, str]] = {"nsp": ("next", "random"), "sop": ("in order", "swapped")}
OBJECTIVE_NAMES: dict[str, str] = {"nsp": "next-sentence prediction (BERT)", "sop": "sentence-order prediction (ALBERT)"}
REAL_RATE = 0.5  # share of pairs kept as written (BERT and ALBERT both use 50%)
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+")
_WORDY = re.compile(r"[^\W_]")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # IMDB's HTML line breaks read as spaces


@dataclass(frozen=True)
class SentencePair:
    """Two sentences and whether they are the real, in-order continuation. `text` and `index` say where the
    first sentence of the original consecutive pair came from (text number, sentence number)."""

    first: str
    second: str
    real: bool
    text: int
    index: int

    def example(self, objective: str) -> Example:
        """The pair as a labelled Example (label "next"/"random" for NSP, "in order"/"swapped" for SOP)."""
        return Example(self.first, PAIR_LABELS[objective][0 if self.real else 1], self.second)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`: split after . ! ? (with closing quotes or brackets) and whitespace; pieces
    without a letter or digit are dropped."""
    pieces = (piece.strip() for piece in _BOUNDARY.split(_LINE_BREAK.sub(" ", text)))
    return [piece for piece in pieces if _WORDY.search(piece)]


def check_objective(objective: str) -> str:
    """`objective` when it is nsp or sop; SeqlabError naming the choices otherwise."""
    if objective not in SENTENCE_OBJECTIVES:
        raise SeqlabError(f"--sentence-objective must be one of {', '.join(SENTENCE_OBJECTIVES)} (got {objective!r})")
    return objective


def build_pairs(texts: Sequence[str], objective: str, seed: int, real_rate: float = REAL_RATE) -> list[SentencePair]:
    """One pair per two consecutive sentences of every text: kept with probability `real_rate`, else (NSP) the
    second replaced by a sentence of another text or (SOP) the two swapped. Seeded; SeqlabError when the texts
    have no two consecutive sentences (or, for NSP, fewer than two texts with sentences)."""
    check_objective(objective)
    documents = [split_sentences(text) for text in texts]
    pool = [(d, s) for d, sentences in enumerate(documents) for s in range(len(sentences))]
    if not any(len(sentences) >= 2 for sentences in documents):
        raise SeqlabError(
            f"--sentence-objective {objective} needs texts of two or more sentences (split after . ! ?), and "
            "these texts are single sentences; use multi-sentence texts such as --data cfimdb or --data imdb "
            "with --data-dir"
        )
    if objective == "nsp" and len({d for d, _ in pool}) < 2:
        raise SeqlabError("--sentence-objective nsp draws its random sentences from other texts, and there is "
                          "only one text; use more texts or --sentence-objective sop")
    rng = random.Random(seed)
    pairs = []
    for d, sentences in enumerate(documents):
        for i in range(len(sentences) - 1):
            first, second = sentences[i], sentences[i + 1]
            if rng.random() < real_rate:
                pairs.append(SentencePair(first, second, True, d, i))
            elif objective == "sop":
                pairs.append(SentencePair(second, first, False, d, i))
            else:
                pairs.append(SentencePair(first, _other_text_sentence(rng, pool, documents, d), False, d, i))
    return pairs


def _other_text_sentence(rng: random.Random, pool: list[tuple[int, int]], documents: list[list[str]],
                         text: int) -> str:
    """A sentence drawn uniformly from every text but `text` (redrawn until it is another text's)."""
    while True:
        d, s = pool[rng.randrange(len(pool))]
        if d != text:
            return documents[d][s]


def pair_examples(texts: Sequence[str], objective: str, seed: int) -> tuple[Example, ...]:
    """`build_pairs` as labelled sentence-pair Examples (what the encoder and the loader take)."""
    return tuple(pair.example(objective) for pair in build_pairs(texts, objective, seed))
