"""WordPiece: ## pieces, pairs with segment ids, longest-first truncation, decode, save/load, the fallback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.data.builtin import builtin_texts
from seqlab.data.encoded import TextEncoder
from seqlab.data.encoders import load_encoder
from seqlab.data.wordpiece import PRETRAINED_SOURCE, WordPiece
from seqlab.errors import SeqlabError

TOY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "un", "##like", "##able", "was", "good",
             "a", "dog", "runs", ".", "!"]


@pytest.fixture
def toy(tmp_path) -> WordPiece:
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(TOY_VOCAB) + "\n", encoding="utf-8")
    return WordPiece.from_vocab(path)


def test_pieces_and_specials(toy):
    encoded = toy.encode("The unlikeable film!")
    assert encoded.tokens == ["[CLS]", "the", "un", "##like", "##able", "film", "!", "[SEP]"]
    assert encoded.ids == [2, 5, 7, 8, 9, 6, 16, 3] and encoded.segment_ids == [0] * 8
    assert isinstance(toy, TextEncoder) and toy.kind == "wordpiece" and toy.pad_id == 0 and toy.unk_id == 1


def test_pairs_get_segment_ids(toy):
    encoded = toy.encode("the film", "a dog runs.")
    assert encoded.tokens == ["[CLS]", "the", "film", "[SEP]", "a", "dog", "runs", ".", "[SEP]"]
    assert encoded.segment_ids == [0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_longest_first_truncation(toy):
    encoded = toy.encode("the film", "a dog runs . a dog runs .", max_length=8)
    assert encoded.tokens == ["[CLS]", "the", "film", "[SEP]", "a", "dog", "runs", "[SEP]"]
    assert len(toy.encode("the film was good . " * 5, max_length=6).ids) == 6
    with pytest.raises(SeqlabError, match="at least 3"):
        toy.encode("a", "b", max_length=2)


def test_unknowns_and_decode(toy):
    encoded = toy.encode("the zebra was good")
    assert encoded.ids.count(toy.unk_id) == 1
    assert toy.decode(toy.encode("The unlikeable film was good.").ids) == "the unlikeable film was good."
    with pytest.raises(SeqlabError, match="outside this WordPiece vocabulary"):
        toy.decode([999])


def test_save_and_load(toy, tmp_path):
    toy.save(tmp_path / "enc")
    loaded = load_encoder(tmp_path / "enc")
    assert isinstance(loaded, WordPiece) and loaded.vocab == toy.vocab
    assert loaded.encode("the film", "a dog") == toy.encode("the film", "a dog")


def test_vocab_without_specials_is_refused(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("the\nfilm\n", encoding="utf-8")
    with pytest.raises(SeqlabError, match=r"lacks \[PAD\], \[UNK\], \[CLS\], \[SEP\]"):
        WordPiece.from_vocab(path)


def test_trained_fallback_covers_the_builtin_corpus():
    trained = WordPiece.train(builtin_texts(), vocab_size=500, source="test")
    encoded = trained.encode("the plot was not clever .", "a dog runs .")
    assert encoded.ids.count(trained.unk_id) == 0 and encoded.tokens[0] == "[CLS]"
    assert any(t.startswith("##") for t in trained.encode("unbelievably clever").tokens)


def test_default_is_minilm_when_installed(minilm_dir):
    default = WordPiece.default()
    assert default.source == PRETRAINED_SOURCE and default.vocab_size == 30522
    assert default.encode("unlikeable").tokens == ["[CLS]", "unlike", "##able", "[SEP]"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["the", "film", "unlikeable", "was", "good", "a", "dog", "runs"]), min_size=1, max_size=12),
       st.booleans())
def test_round_trip_of_in_vocabulary_words(words, shout):
    toy = WordPiece({token: i for i, token in enumerate(TOY_VOCAB)}, source="toy")
    text = " ".join(words)
    encoded = toy.encode(text.upper() if shout else text)
    assert encoded.ids.count(toy.unk_id) == 0 and toy.decode(encoded.ids) == text


def test_default_without_the_pretrained_extra_trains_on_the_builtin_corpus(monkeypatch):
    from seqlab.data import wordpiece as module

    monkeypatch.setattr("seqlab.paths.has_pretrained", lambda: False)
    module._default_wordpiece.cache_clear()
    try:
        fallback = WordPiece.default()
        assert fallback.source == module.TRAINED_SOURCE and fallback.vocab_size <= 2000
        assert fallback.encode("the plot was not clever .").ids.count(fallback.unk_id) == 0
    finally:
        module._default_wordpiece.cache_clear()
