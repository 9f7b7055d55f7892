"""Word-level vocabulary: a word tokenizer, frequencies, stop words, min_freq/max_size, and encode/decode."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from seqlab.data.encoded import ENCODER_FILE, MASK_SPELLING, Encoded, truncate_pair
from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_json

PAD, UNK, CLS, SEP = "<pad>", "<unk>", "<cls>", "<sep>"
SPECIALS: tuple[str, ...] = (PAD, UNK, CLS, SEP)
MASK = "<mask>"  # only in vocabularies built for masked language modelling, at id 4 (older ones keep 4 specials)

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A word keeps inner apostrophes and hyphens ("don't", "well-made"); any other non-space symbol is its own token.
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]|_", re.UNICODE)


def word_tokenize(text: str) -> list[str]:
    """Lowercase `text`, drop `<br />` breaks, and split it into words and single punctuation marks."""
    return _TOKEN.findall(_BREAK.sub(" ", text).lower())


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@dataclass(frozen=True)
class Vocab:
    """Word vocabulary with specials <pad>=0 <unk>=1 <cls>=2 <sep>=3 (and <mask>=4 for masked LM);
    implements TextEncoder."""

    words: tuple[str, ...]
    stop_words: frozenset[str] = frozenset()
    frequencies: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    kind: str = "word"

    def __post_init__(self) -> None:
        if self.words[: len(SPECIALS)] != SPECIALS:
            raise SeqlabError(f"a word vocabulary must start with {', '.join(SPECIALS)}; rebuild it")
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})

    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        min_freq: int = 1,
        max_size: int | None = None,
        stop_words: bool | Iterable[str] = False,
        mask_token: bool = False,
    ) -> "Vocab":
        """Count words in `texts`; keep those seen `min_freq`+ times, most frequent first, at most `max_size` ids.

        `stop_words=True` drops scikit-learn's English stop words (from the vocabulary and when encoding);
        an iterable drops exactly those words. `mask_token=True` adds <mask> at id 4, after the other
        specials, for masked language modelling (it then also reads "[MASK]" or "<mask>" in text).
        """
        if min_freq < 1:
            raise SeqlabError(f"min_freq must be at least 1, got {min_freq}")
        if max_size is not None and max_size < len(SPECIALS):
            raise SeqlabError(f"max_size must be at least {len(SPECIALS)} (the special tokens), got {max_size}")
        stops = english_stop_words() if stop_words is True else frozenset(stop_words or ())
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w for w in word_tokenize(text) if w not in stops)
        kept = [w for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0])) if c >= min_freq]
        specials = SPECIALS + ((MASK,) if mask_token else ())
        kept = [w for w in kept if w not in specials]
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        return cls(words=specials + tuple(kept), stop_words=stops, frequencies={w: counts[w] for w in kept})

    @property
    def vocab_size(self) -> int:
        """Number of ids, specials included."""
        return len(self.words)

    @property
    def pad_id(self) -> int:
        """Id of <pad> (0)."""
        return 0

    @property
    def unk_id(self) -> int:
        """Id of <unk> (1)."""
        return 1

    @property
    def mask_id(self) -> int | None:
        """Id of <mask> (4) in a vocabulary built for masked language modelling, else None."""
        return 4 if len(self.words) > 4 and self.words[4] == MASK else None

    @property
    def special_count(self) -> int:
        """How many ids at the start are special tokens (4, or 5 with <mask>)."""
        return len(SPECIALS) + (1 if self.mask_id is not None else 0)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index  # type: ignore[attr-defined]

    def id_of(self, word: str) -> int:
        """The id of `word`, or <unk>'s id."""
        return self._index.get(word, 1)  # type: ignore[attr-defined]

    def tokenize(self, text: str) -> list[str]:
        """The words of `text` this vocabulary encodes (stop words removed when the vocabulary drops them).

        With a <mask> token, "[MASK]" and "<mask>" in the text become <mask>.
        """
        if self.mask_id is None:
            return [w for w in word_tokenize(text) if w not in self.stop_words]
        words: list[str] = []
        for index, part in enumerate(MASK_SPELLING.split(text)):
            if index:
                words.append(MASK)
            words.extend(w for w in word_tokenize(part) if w not in self.stop_words)
        return words

    def encode(self, text: str, text_b: str | None = None, max_length: int | None = None) -> Encoded:
        """Ids of `text` (pairs become `a <sep> b`), longest side truncated first to `max_length` ids."""
        a = self.tokenize(text)
        b = self.tokenize(text_b) if text_b is not None else None
        if max_length is not None:
            if max_length < 1:
                raise SeqlabError(f"max_length must be at least 1, got {max_length}")
            a, b = truncate_pair(a, b, max_length - (1 if b is not None else 0))
        tokens = a + ([SEP] + b if b is not None else [])
        # Unknown words keep their spelling in `tokens` (their id is <unk>'s), so views can show what was lost.
        ids = [self.id_of(t) for t in tokens]
        return Encoded(ids=ids, segment_ids=[0] * len(ids), tokens=tokens)

    def decode(self, ids: Sequence[int]) -> str:
        """The words the ids stand for, joined by spaces (<pad>/<cls> left out, <sep> kept as a marker)."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.words):
                raise SeqlabError(f"id {i} is outside this vocabulary (size {len(self.words)})")
            if i in (0, 2):
                continue
            out.append(self.words[i])
        return " ".join(out)

    def save(self, directory: Path) -> None:
        """Write encoder.json (kind, words, stop words, frequencies) into `directory`, atomically."""
        atomic_write_json(
            Path(directory) / ENCODER_FILE,
            {
                "kind": "word",
                "words": list(self.words),
                "stop_words": sorted(self.stop_words),
                "frequencies": self.frequencies,
            },
        )

    @classmethod
    def load(cls, directory: Path) -> "Vocab":
        """Read a vocabulary written by `save`."""
        path = Path(directory) / ENCODER_FILE
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                words=tuple(meta["words"]),
                stop_words=frozenset(meta.get("stop_words", ())),
                frequencies=dict(meta.get("frequencies", {})),
            )
        except FileNotFoundError:
            raise SeqlabError(f"no {ENCODER_FILE} in {directory}; point at a run's encoder/ folder") from None
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            raise SeqlabError(f"{path} is not a valid word vocabulary; rebuild it") from None
