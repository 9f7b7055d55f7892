"""Sentence pairs for NSP and SOP: the splitter, the 50/50 rate, what a negative is, seeds, and the errors."""

from __future__ import annotations

import math

import pytest

from seqlab.data.sentence_pairs import PAIR_LABELS, build_pairs, pair_examples, split_sentences
from seqlab.errors import SeqlabError

REVIEWS = [" ".join(f"review {d} says thing {s} ." for s in range(6)) for d in range(60)]


def test_split_sentences_cuts_after_end_marks_and_keeps_quotes():
    text = 'I loved it. Really!  "Why?" he asked...<br /><br />(It was fun.) the plot was thin . . . the end .'
    assert split_sentences(text) == ["I loved it.", "Really!", '"Why?"', "he asked...", "(It was fun.)",
                                     "the plot was thin .", "the end ."]
    assert split_sentences("no end mark at all") == ["no end mark at all"]
    assert split_sentences("  ") == []


@pytest.mark.parametrize("objective", ["nsp", "sop"])
def test_half_the_pairs_are_real_and_each_consecutive_pair_is_used_once(objective):
    pairs = build_pairs(REVIEWS, objective, seed=0)
    assert len(pairs) == 60 * 5  # one per two consecutive sentences
    assert sorted((p.text, p.index) for p in pairs) == [(d, i) for d in range(60) for i in range(5)]
    real = sum(p.real for p in pairs)
    assert abs(real / len(pairs) - 0.5) < 5 * math.sqrt(0.25 / len(pairs))
    sentences = [split_sentences(t) for t in REVIEWS]
    for p in pairs:
        if p.real:
            assert (p.first, p.second) == (sentences[p.text][p.index], sentences[p.text][p.index + 1])


def test_sop_negatives_are_the_same_two_sentences_swapped():
    sentences = [split_sentences(t) for t in REVIEWS]
    negatives = [p for p in build_pairs(REVIEWS, "sop", seed=3) if not p.real]
    assert negatives
    for p in negatives:
        assert (p.second, p.first) == (sentences[p.text][p.index], sentences[p.text][p.index + 1])


def test_nsp_negatives_take_their_second_sentence_from_another_text():
    sentences = [split_sentences(t) for t in REVIEWS]
    negatives = [p for p in build_pairs(REVIEWS, "nsp", seed=3) if not p.real]
    assert negatives
    for p in negatives:
        assert p.first == sentences[p.text][p.index]
        assert p.second not in sentences[p.text]  # every sentence names its review, so this says "another text"
        assert any(p.second in other for d, other in enumerate(sentences) if d != p.text)


def test_pairs_are_seeded_and_labelled():
    assert build_pairs(REVIEWS, "nsp", 5) == build_pairs(REVIEWS, "nsp", 5)
    assert build_pairs(REVIEWS, "nsp", 5) != build_pairs(REVIEWS, "nsp", 6)
    for objective in ("nsp", "sop"):
        examples = pair_examples(REVIEWS, objective, 0)
        assert {e.label for e in examples} == set(PAIR_LABELS[objective])
        assert all(e.text_b for e in examples)
    assert PAIR_LABELS["nsp"][0] == "next" and PAIR_LABELS["sop"][0] == "in order"  # label 0 = the real pair


def test_texts_of_one_sentence_give_one_clear_error():
    with pytest.raises(SeqlabError, match="two or more sentences.*--data cfimdb"):
        build_pairs(["one sentence .", "another one ."], "sop", 0)
    with pytest.raises(SeqlabError, match="only one text"):
        build_pairs(["first . second ."], "nsp", 0)
    assert len(build_pairs(["first . second ."], "sop", 0)) == 1  # SOP needs no other text
    with pytest.raises(SeqlabError, match="must be one of nsp, sop"):
        build_pairs(REVIEWS, "mlm", 0)
