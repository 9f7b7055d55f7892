"""Word vocabulary: tokenizer, specials, stop words, min_freq/max_size, truncation, round trips, save/load."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.data.encoded import TextEncoder
from seqlab.data.encoders import load_encoder
from seqlab.data.vocab import SPECIALS, Vocab, word_tokenize
from seqlab.errors import SeqlabError


def test_word_tokenize_lowercases_splits_punctuation_and_drops_breaks():
    assert word_tokenize("Great film!<br /><br />Didn't LOVE it, well-made.") == [
        "great", "film", "!", "didn't", "love", "it", ",", "well-made", "."]


def test_build_orders_by_frequency_with_specials_first():
    vocab = Vocab.build(["b a a", "c a b"], min_freq=1)
    assert vocab.words == SPECIALS + ("a", "b", "c")
    assert (vocab.pad_id, vocab.unk_id, vocab.id_of("<cls>"), vocab.id_of("<sep>")) == (0, 1, 2, 3)
    assert vocab.frequencies == {"a": 3, "b": 2, "c": 1}
    assert isinstance(vocab, TextEncoder) and vocab.kind == "word"


def test_min_freq_and_max_size():
    texts = ["a a a b b c"]
    assert Vocab.build(texts, min_freq=2).words[4:] == ("a", "b")
    assert Vocab.build(texts, max_size=5).words[4:] == ("a",)
    with pytest.raises(SeqlabError, match="min_freq"):
        Vocab.build(texts, min_freq=0)
    with pytest.raises(SeqlabError, match="max_size"):
        Vocab.build(texts, max_size=2)


def test_stop_words_are_dropped_from_vocab_and_encoding():
    vocab = Vocab.build(["the film was not the best"], stop_words=True)
    assert "the" not in vocab and "film" in vocab
    assert vocab.encode("The film").tokens == ["film"]
    custom = Vocab.build(["the film"], stop_words=["film"])
    assert custom.words[4:] == ("the",)


def test_encode_unknowns_pairs_and_truncation():
    vocab = Vocab.build(["a good film", "a bad plot"])
    encoded = vocab.encode("a great film")
    assert encoded.tokens == ["a", "great", "film"] and encoded.ids[1] == vocab.unk_id
    assert encoded.ids.count(vocab.unk_id) == 1
    pair = vocab.encode("a good film", "bad plot")
    assert pair.tokens == ["a", "good", "film", "<sep>", "bad", "plot"] and set(pair.segment_ids) == {0}
    cut = vocab.encode("a good film", "bad plot", max_length=4)
    assert cut.tokens == ["a", "good", "<sep>", "bad"]  # the longer side loses words first
    assert vocab.encode("a good film a bad plot", max_length=2).tokens == ["a", "good"]
    with pytest.raises(SeqlabError, match="max_length"):
        vocab.encode("a", max_length=0)


def test_decode_and_bad_ids():
    vocab = Vocab.build(["a good film"])
    assert vocab.decode([2, *vocab.encode("A good film!").ids, 0, 0]) == "a good film <unk>"
    with pytest.raises(SeqlabError, match="outside this vocabulary"):
        vocab.decode([99])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["good", "bad", "film", "plot", ",", "!", "not"]), min_size=1, max_size=15))
def test_round_trip_of_known_words(words):
    vocab = Vocab.build(["good bad film plot , ! not"])
    text = " ".join(words)
    assert vocab.decode(vocab.encode(text).ids) == text


def test_save_and_load_round_trip(tmp_path):
    vocab = Vocab.build(["the film was good", "the plot"], stop_words=True)
    vocab.save(tmp_path)
    loaded = load_encoder(tmp_path)
    assert loaded == vocab and loaded.frequencies == vocab.frequencies
    assert loaded.encode("the good plot") == vocab.encode("the good plot")


def test_load_errors_are_one_line(tmp_path):
    with pytest.raises(SeqlabError, match="no encoder.json"):
        load_encoder(tmp_path)
    (tmp_path / "encoder.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SeqlabError, match="not a valid encoder file"):
        load_encoder(tmp_path)
    (tmp_path / "encoder.json").write_text('{"kind": "bpe"}', encoding="utf-8")
    with pytest.raises(SeqlabError, match="unknown encoder kind 'bpe'"):
        load_encoder(tmp_path)
