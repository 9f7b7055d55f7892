"""BERT's masking rule: the published fractions, specials and padding never chosen, whole words, the <mask> word."""

from __future__ import annotations

import pytest
import torch

from seqlab.data.encoders import load_encoder
from seqlab.data.masking import IGNORE_INDEX, MaskingRule, MaskVocab, mask_tokens
from seqlab.data.vocab import MASK, SPECIALS, Vocab
from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError

VOCAB = MaskVocab(mask_id=4, vocab_size=50, special_ids=(0, 1, 2, 3, 4), continuation_ids=(40, 41, 42))


def _batch(rows: int = 4000, length: int = 12, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """[CLS] w ... w [SEP] pad... rows of ordinary ids 5..49, lengths 3..12."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 50, (rows, length), generator=generator)
    lengths = torch.randint(3, length + 1, (rows,), generator=generator)
    real = torch.arange(length)[None] < lengths[:, None]
    ids[:, 0] = 2
    ids[torch.arange(rows), lengths - 1] = 3
    return ids.masked_fill(~real, 0), real


def test_fractions_match_the_paper_within_five_standard_errors():
    ids, real = _batch()
    out = mask_tokens(ids, real, VOCAB, generator=torch.Generator().manual_seed(1))
    candidates = real & (ids > 4)
    n, chosen = int(candidates.sum()), int(out.chosen.sum())
    for share, expected, count in ((chosen / n, 0.15, n), (int(out.masked.sum()) / chosen, 0.8, chosen),
                                   (int(out.randomized.sum()) / chosen, 0.1, chosen)):
        assert abs(share - expected) < 5 * (expected * (1 - expected) / count) ** 0.5
    kept = out.chosen & ~out.masked & ~out.randomized
    assert abs(int(kept.sum()) / chosen - 0.1) < 5 * (0.09 / chosen) ** 0.5


def test_specials_and_padding_are_never_chosen_and_labels_are_minus_100_elsewhere():
    ids, real = _batch()
    out = mask_tokens(ids, real, VOCAB, generator=torch.Generator().manual_seed(2))
    assert not (out.chosen & ((ids <= 4) | ~real)).any()
    assert torch.equal(out.labels != IGNORE_INDEX, out.chosen)
    assert torch.equal(out.labels[out.chosen], ids[out.chosen])
    assert torch.equal(out.input_ids[~out.chosen], ids[~out.chosen])  # nothing else is touched
    assert (out.input_ids[out.masked] == 4).all()
    random_ids = out.input_ids[out.randomized]
    assert ((random_ids >= 5) & (random_ids < 50)).all()  # random replacements are ordinary tokens


def test_the_same_generator_seed_gives_the_same_masks_and_global_rng_is_used_otherwise():
    ids, real = _batch(rows=50)
    a = mask_tokens(ids, real, VOCAB, generator=torch.Generator().manual_seed(3))
    b = mask_tokens(ids, real, VOCAB, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.input_ids, b.input_ids)
    torch.manual_seed(9)
    c = mask_tokens(ids, real, VOCAB)
    torch.manual_seed(9)
    assert torch.equal(c.labels, mask_tokens(ids, real, VOCAB).labels)


def test_whole_word_masking_chooses_every_piece_of_a_word_together():
    ids, real = _batch()
    ids = torch.where((ids > 30) & (torch.arange(ids.size(1)) > 1) & real & (ids != 3),
                      torch.tensor(40), ids)  # many ## pieces after a head
    out = mask_tokens(ids, real, VOCAB, MaskingRule(whole_word=True), torch.Generator().manual_seed(4))
    continuation = (ids == 40) & (torch.arange(ids.size(1)) > 1)  # position 1 follows [CLS]: a word of its own
    previous = torch.roll(out.chosen, 1, dims=1)
    assert continuation.sum() > 1000
    assert torch.equal(out.chosen[continuation], previous[continuation])
    share = int(out.chosen.sum()) / int((real & (ids > 4)).sum())
    assert abs(share - 0.15) < 0.01  # still 15% of tokens in expectation
    plain = mask_tokens(ids, real, VOCAB, MaskingRule(), torch.Generator().manual_seed(4))
    assert not torch.equal(plain.chosen[continuation], torch.roll(plain.chosen, 1, dims=1)[continuation])


def test_rule_checks_its_numbers():
    assert MaskingRule().keep_fraction == pytest.approx(0.1)
    with pytest.raises(SeqlabError):
        MaskingRule(probability=0)
    with pytest.raises(SeqlabError):
        MaskingRule(mask_fraction=0.95, random_fraction=0.1)


def test_word_vocabulary_with_a_mask_token_keeps_old_vocabularies_working(tmp_path):
    old = Vocab.build(["the film was good"])
    assert old.mask_id is None and old.special_count == 4 and old.words[:4] == SPECIALS
    assert old.tokenize("the [MASK] .") == ["the", "[", "mask", "]", "."]  # unchanged for old runs
    with pytest.raises(SeqlabError, match="no mask token"):
        MaskVocab.of(old)
    vocab = Vocab.build(["the film was good", "mask"], mask_token=True)
    assert vocab.words[:5] == SPECIALS + (MASK,) and vocab.mask_id == 4 and "mask" in vocab
    encoded = vocab.encode("The film was [MASK] <mask> mask")
    assert encoded.tokens == ["the", "film", "was", MASK, MASK, "mask"] and encoded.ids[3:5] == [4, 4]
    vocab.save(tmp_path)
    again = load_encoder(tmp_path)
    assert again.mask_id == 4 and MaskVocab.of(again).special_ids == (0, 1, 2, 3, 4)


def test_wordpiece_mask_vocab_marks_specials_and_pieces():
    encoder = WordPiece.train(["unbelievably unwatchable films", "the film was fine"] * 20, vocab_size=60)
    vocab = MaskVocab.of(encoder)
    assert vocab.mask_id == encoder.vocab["[MASK]"]
    assert set(vocab.special_ids) == {encoder.vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")}
    assert vocab.continuation_ids and all(encoder.token(i).startswith("##") for i in vocab.continuation_ids)
    assert "[MASK]" in encoder.encode("the [MASK] was fine").tokens
