"""WordPiece sub-word encoder (the `tokenizers` library) from a BERT vocab.txt; implements TextEncoder."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Sequence

from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece as WordPieceModel
from tokenizers.trainers import WordPieceTrainer

from seqlab import paths
from seqlab.data.builtin import builtin_texts
from seqlab.data.encoded import ENCODER_FILE, Encoded
from seqlab.data.lengths import special_count
from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_json, atomic_write_text

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
VOCAB_FILE = "vocab.txt"
PRETRAINED_SOURCE = "MiniLM-L6-H384 vocab.txt (pretrained extra)"
TRAINED_SOURCE = "trained on the built-in corpus (pretrained extra not installed)"


def _bert_tokenizer(vocab: dict[str, int], lowercase: bool):
    """A tokenizers.Tokenizer that splits like BERT: normalize, pre-split words, WordPiece, [CLS]/[SEP]."""
    missing = [t for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]") if t not in vocab]
    if missing:
        raise SeqlabError(f"the WordPiece vocabulary lacks {', '.join(missing)}; use a BERT vocab.txt")
    tokenizer = Tokenizer(WordPieceModel(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    # Registering the specials keeps them whole in text and lets decode(skip_special_tokens=True) drop them.
    tokenizer.add_special_tokens([token for token in SPECIAL_TOKENS if token in vocab])
    return tokenizer


def read_vocab_txt(path: Path) -> dict[str, int]:
    """token -> id from a BERT vocab.txt (one token per line, id = line number - 1)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SeqlabError(f"{path} not found; pass a BERT vocab.txt") from None
    except UnicodeDecodeError:
        raise SeqlabError(f"{path} is not UTF-8 text; pass a BERT vocab.txt") from None
    vocab: dict[str, int] = {}
    for index, token in enumerate(lines):
        vocab.setdefault(token.rstrip("\r"), index)
    if not vocab:
        raise SeqlabError(f"{path} is empty; pass a BERT vocab.txt")
    return vocab


class WordPiece:
    """BERT's sub-word tokenizer: `[CLS] a [SEP] b [SEP]`, `##` continuation pieces, segment ids 0/1."""

    kind = "wordpiece"

    def __init__(self, vocab: dict[str, int], lowercase: bool = True, source: str = "custom vocab.txt") -> None:
        self.vocab = dict(vocab)
        self.lowercase = lowercase
        self.source = source
        self._tokenizer = _bert_tokenizer(self.vocab, lowercase)
        self._id_to_token = {i: t for t, i in self.vocab.items()}

    def __repr__(self) -> str:
        return f"WordPiece(vocab_size={self.vocab_size}, lowercase={self.lowercase}, source={self.source!r})"

    @classmethod
    def from_vocab(cls, path: Path, lowercase: bool = True, source: str | None = None) -> "WordPiece":
        """A WordPiece encoder over the BERT vocab.txt at `path`."""
        return cls(read_vocab_txt(path), lowercase, source or str(path))

    @classmethod
    def train(cls, texts: Sequence[str], vocab_size: int = 2000, lowercase: bool = True,
              source: str = "trained") -> "WordPiece":
        """Learn a WordPiece vocabulary of at most `vocab_size` pieces from `texts`."""
        tokenizer = Tokenizer(WordPieceModel(unk_token="[UNK]"))
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = WordPieceTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), show_progress=False)
        tokenizer.train_from_iterator(texts, trainer=trainer)
        return cls(tokenizer.get_vocab(), lowercase, source)

    @classmethod
    def default(cls) -> "WordPiece":
        """The MiniLM vocab.txt when the pretrained extra is installed, else one trained on the built-in corpus."""
        return _default_wordpiece(paths.has_pretrained())

    @property
    def vocab_size(self) -> int:
        """Number of ids (the largest id + 1)."""
        return max(self.vocab.values()) + 1

    @property
    def pad_id(self) -> int:
        """Id of [PAD]."""
        return self.vocab["[PAD]"]

    @property
    def unk_id(self) -> int:
        """Id of [UNK]."""
        return self.vocab["[UNK]"]

    @property
    def mask_id(self) -> int | None:
        """Id of [MASK] (None for a vocabulary without one)."""
        return self.vocab.get("[MASK]")

    def _set_truncation(self, max_length: int | None, has_pair: bool) -> None:
        specials = special_count("wordpiece", has_pair)
        if max_length is None:
            self._tokenizer.no_truncation()
            return
        if max_length < specials:
            raise SeqlabError(f"max_length must be at least {specials} for WordPiece (room for [CLS]/[SEP])")
        self._tokenizer.enable_truncation(max_length, strategy="longest_first")

    def encode(self, text: str, text_b: str | None = None, max_length: int | None = None) -> Encoded:
        """`[CLS] text [SEP] (text_b [SEP])` as ids; longest side truncated first to fit `max_length`."""
        self._set_truncation(max_length, text_b is not None)
        encoding = self._tokenizer.encode(text, text_b) if text_b is not None else self._tokenizer.encode(text)
        return Encoded(ids=list(encoding.ids), segment_ids=list(encoding.type_ids), tokens=list(encoding.tokens))

    def encode_ids_batch(
        self, texts: Sequence[str], texts_b: Sequence[str | None] | None = None, max_length: int | None = None
    ) -> list[tuple[list[int], list[int]]]:
        """(ids, segment ids) of many texts at once: what `encode` gives, spread over the CPU cores, no tokens."""
        pairs = list(texts_b) if texts_b is not None else [None] * len(texts)
        self._set_truncation(max_length, any(b is not None for b in pairs))
        inputs = [(a, b) if b is not None else a for a, b in zip(texts, pairs)]
        return [(e.ids, e.type_ids) for e in self._tokenizer.encode_batch(inputs)]

    def decode(self, ids: Sequence[int]) -> str:
        """The text the ids stand for: pieces joined, special tokens left out."""
        ids = [int(i) for i in ids]
        bad = [i for i in ids if i not in self._id_to_token]
        if bad:
            raise SeqlabError(f"id {bad[0]} is outside this WordPiece vocabulary (size {self.vocab_size})")
        return self._tokenizer.decode(ids, skip_special_tokens=True)

    def token(self, token_id: int) -> str:
        """The piece with id `token_id`."""
        return self._id_to_token[int(token_id)]

    def save(self, directory: Path) -> None:
        """Write vocab.txt and encoder.json (kind, lowercase, source) into `directory`, atomically."""
        directory = Path(directory)
        ordered = sorted(self.vocab.items(), key=lambda item: item[1])
        atomic_write_text(directory / VOCAB_FILE, "".join(f"{token}\n" for token, _ in ordered))
        atomic_write_json(
            directory / ENCODER_FILE,
            {"kind": "wordpiece", "vocab_file": VOCAB_FILE, "lowercase": self.lowercase, "source": self.source},
        )

    @classmethod
    def load(cls, directory: Path) -> "WordPiece":
        """Read a WordPiece encoder written by `save`."""
        directory = Path(directory)
        try:
            meta = json.loads((directory / ENCODER_FILE).read_text(encoding="utf-8"))
            lowercase, source = bool(meta.get("lowercase", True)), str(meta.get("source", "saved"))
        except FileNotFoundError:
            raise SeqlabError(f"no {ENCODER_FILE} in {directory}; point at a run's encoder/ folder") from None
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            raise SeqlabError(f"{directory / ENCODER_FILE} is not a valid encoder file") from None
        return cls(read_vocab_txt(directory / VOCAB_FILE), lowercase, source)


@functools.lru_cache(maxsize=2)
def _default_wordpiece(pretrained: bool) -> WordPiece:
    # keyed by whether MiniLM is there, so a vocabulary trained while it was absent is never served once it is
    if pretrained:
        return WordPiece.from_vocab(paths.pretrained_bert_dir() / VOCAB_FILE, lowercase=True, source=PRETRAINED_SOURCE)
    return WordPiece.train(builtin_texts(), vocab_size=2000, source=TRAINED_SOURCE)
