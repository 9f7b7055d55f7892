"""The worked examples of seqlab.explain.topics.text, computed live with torch (seeded, never the global RNG)."""

from __future__ import annotations

from pathlib import Path

import torch

from seqlab import paths
from seqlab.data.wordpiece import WordPiece
from seqlab.explain.demos.numbers import fmt, generator, matrix_rows, round_list
from seqlab.explain.topic import DemoResult

DEMO_WORDS: tuple[str, ...] = ("tokenization", "embeddings", "unbelievably", "transformers", "seqlab")

# Used only when the pretrained vocabulary is not installed, so the greedy algorithm still has a vocabulary.
_FALLBACK_VOCAB: frozenset[str] = frozenset(
    {
        "[UNK]",
        "token",
        "##ization",
        "em",
        "##bed",
        "##ding",
        "##s",
        "un",
        "##bel",
        "##ie",
        "##va",
        "##bly",
        "transform",
        "##ers",
        "se",
        "##q",
        "##lab",
    }
)


def greedy_wordpiece(word: str, vocab: frozenset[str] | set[str], unk: str = "[UNK]") -> list[str]:
    """Split one word the WordPiece way: longest vocabulary prefix first, later pieces marked '##'."""
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:
            candidate = word[start:end] if start == 0 else "##" + word[start:end]
            if candidate in vocab:
                piece = candidate
                break
            end -= 1
        if piece is None:  # some part of the word cannot be spelled with the vocabulary
            return [unk]
        pieces.append(piece)
        start = end
    return pieces


def _vocabulary() -> tuple[frozenset[str], str, Path | None]:
    """The MiniLM vocab.txt when installed, else a tiny built-in one; with a description of which."""
    if paths.has_pretrained():
        path = paths.pretrained_bert_dir() / "vocab.txt"
        words = frozenset(line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines())
        return words, f"MiniLM vocab.txt ({len(words):,} entries)", path
    return _FALLBACK_VOCAB, f"a {len(_FALLBACK_VOCAB)}-entry demo vocabulary (pretrained extra not installed)", None


def _library_tokens(word: str, vocab_path: Path | None) -> list[str] | None:
    """The same word through seqlab's WordPiece encoder (the tokenizers library), without [CLS]/[SEP]."""
    if vocab_path is None:
        return None
    tokens = WordPiece.from_vocab(vocab_path).encode(word).tokens
    return [token for token in tokens if token not in ("[CLS]", "[SEP]")]


def tokenization_demo(seed: int) -> DemoResult:
    """Split a few words by hand with greedy longest-match WordPiece and compare with the library."""
    vocab, source, vocab_path = _vocabulary()
    rows = []
    agree = True
    splits: dict[str, list[str]] = {}
    for word in DEMO_WORDS:
        pieces = greedy_wordpiece(word, vocab)
        library = _library_tokens(word, vocab_path)
        same = library is None or library == pieces
        agree = agree and same
        splits[word] = pieces
        rows.append((word, " ".join(pieces), " ".join(library) if library else "-", "yes" if same else "NO"))
    return DemoResult(
        title=f"WordPiece splits with {source}",
        columns=("word", "greedy longest match (by hand)", "tokenizers library", "same"),
        rows=tuple(rows),
        notes=(
            "A word-level vocabulary would map every word it has not seen to [UNK];"
            " WordPiece spells it from known pieces instead.",
        ),
        values={"vocabulary": source, "splits": splits, "hand_matches_library": agree},
    )


def embeddings_demo(seed: int) -> DemoResult:
    """Look up token ids in a seeded embedding table and show it equals one-hot times the matrix."""
    gen = generator(seed)
    vocab_size, dim = 6, 4
    table = torch.nn.Embedding(vocab_size, dim)
    with torch.no_grad():
        table.weight.copy_(torch.randn(vocab_size, dim, generator=gen))
    ids = torch.tensor([3, 1, 3])
    with torch.no_grad():
        looked_up = table(ids)
        product = torch.nn.functional.one_hot(ids, vocab_size).float() @ table.weight
    difference = float((looked_up - product).abs().max())
    return DemoResult(
        title=f"nn.Embedding({vocab_size}, {dim}) looking up ids [3, 1, 3] (seed {seed})",
        columns=("id", *(f"e[{j}]" for j in range(dim))),
        rows=matrix_rows(looked_up, [str(int(i)) for i in ids]),
        notes=(
            f"max |lookup - one_hot(ids) @ E| = {fmt(difference, 6)}: a lookup is a matrix product with a one-hot.",
            "Id 3 gets the same vector both times: the embedding ignores context; the layers above add it.",
            f"Parameters: V x d = {vocab_size} x {dim} = {vocab_size * dim}; for bert-base 30522 x 768 = "
            f"{30522 * 768:,}.",
        ),
        values={"vectors": round_list(looked_up), "max_abs_difference": difference, "params": vocab_size * dim},
    )
