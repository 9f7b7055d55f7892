"""Batching: batch keys and shapes, dynamic padding, determinism per (seed, epoch), bucketing, DDP shards."""

from __future__ import annotations

import random

import pytest
import torch

from seqlab.data.batching import BucketBatchSampler, EncodedDataset, EncodedItem, encode_examples, make_loader, padding_fraction
from seqlab.data.builtin import builtin_entailment
from seqlab.data.examples import Example
from seqlab.data.vocab import Vocab
from seqlab.errors import SeqlabError


def _dataset(n: int = 200, seed: int = 0) -> EncodedDataset:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        length = rng.randint(1, 60)
        items.append(EncodedItem.of([5 + i % 7] * length, [0] * length, i % 3))
    return EncodedDataset(items, pad_id=0)


def _order(loader) -> list[list[int]]:
    return [batch["labels"].tolist() + batch["lengths"].tolist() for batch in loader]


def test_batch_keys_dtypes_and_padding():
    splits = builtin_entailment()
    vocab = Vocab.build(t for e in splits.train for t in (e.text, e.text_b))
    dataset = encode_examples(splits.train[:10], vocab, splits.labels, max_length=12)
    batch = next(iter(make_loader(dataset, 4, shuffle=False, seed=0, bucket=False)))
    assert set(batch) == {"input_ids", "attention_mask", "segment_ids", "lengths", "labels"}
    width = int(batch["lengths"].max())
    assert batch["input_ids"].shape == (4, width) and batch["input_ids"].dtype == torch.long
    assert batch["attention_mask"].dtype == torch.bool and batch["segment_ids"].dtype == torch.long
    assert batch["lengths"].tolist() == batch["attention_mask"].sum(1).tolist()
    assert (batch["input_ids"][~batch["attention_mask"]] == vocab.pad_id).all()
    assert batch["labels"].tolist() == [splits.label_id(e.label) for e in splits.train[:4]]
    assert all(item["length"] <= 12 for item in dataset)


def test_unknown_label_and_empty_text():
    vocab = Vocab.build(["good"], stop_words=True)
    with pytest.raises(SeqlabError, match="label 'maybe' is not one of neg, pos"):
        encode_examples([Example("good", "maybe")], vocab, ("neg", "pos"), None)
    only_stop_words = encode_examples([Example("the", "neg")], vocab, ("neg", "pos"), None)
    assert only_stop_words[0]["ids"].tolist() == [vocab.unk_id] and only_stop_words[0]["length"] == 1


def test_same_seed_and_epoch_give_the_same_batches():
    dataset = _dataset()
    first, second = (make_loader(dataset, 16, shuffle=True, seed=7) for _ in range(2))
    assert _order(first) == _order(second)
    first.batch_sampler.set_epoch(1)
    assert _order(first) != _order(second)
    second.batch_sampler.set_epoch(1)
    assert _order(first) == _order(second)
    assert _order(make_loader(dataset, 16, shuffle=True, seed=8)) != _order(make_loader(dataset, 16, shuffle=True, seed=7))


def test_every_item_appears_once_per_epoch():
    dataset = _dataset(103)
    for bucket in (True, False):
        sampler = BucketBatchSampler(dataset.lengths, 10, shuffle=True, seed=0, bucket=bucket)
        indices = [i for batch in sampler for i in batch]
        assert sorted(indices) == list(range(103)) and len(list(sampler)) == len(sampler) == 11


def test_unshuffled_keeps_the_dataset_order_so_predictions_line_up():
    for bucket in (True, False):
        sampler = BucketBatchSampler([3, 1, 2, 5, 4], 2, shuffle=False, seed=0, bucket=bucket)
        assert list(sampler) == [[0, 1], [2, 3], [4]]


def test_wordpiece_batch_encoding_equals_one_by_one():
    from seqlab.data.wordpiece import WordPiece
    from seqlab.data.builtin import builtin_texts

    wordpiece = WordPiece.train(builtin_texts(), vocab_size=300, source="test")
    splits = builtin_entailment()
    batched = encode_examples(splits.dev[:50], wordpiece, splits.labels, max_length=10)
    for example, item in zip(splits.dev[:50], batched):
        one = wordpiece.encode(example.text, example.text_b, max_length=10)
        assert item["ids"].tolist() == one.ids and item["segment_ids"].tolist() == one.segment_ids


def test_bucketing_reduces_padding():
    dataset = _dataset(2000)
    bucketed = padding_fraction(make_loader(dataset, 32, shuffle=True, seed=0, bucket=True))
    random_batches = padding_fraction(make_loader(dataset, 32, shuffle=True, seed=0, bucket=False))
    assert bucketed < 0.1 < 0.3 < random_batches


def test_ddp_shards_are_disjoint_equal_sized_and_cover_everything():
    dataset = _dataset(105)
    world = 4
    shards = [list(BucketBatchSampler(dataset.lengths, 10, shuffle=True, seed=3, rank=r, world_size=world))
              for r in range(world)]
    assert {len(s) for s in shards} == {3}  # 11 batches padded to 12, 3 per rank
    assert all(len(s) == len(BucketBatchSampler(dataset.lengths, 10, shuffle=True, seed=3, rank=0, world_size=world))
               for s in shards)
    seen = [i for shard in shards for batch in shard for i in batch]
    assert set(seen) == set(range(105))
    # only the one repeated batch (padding to a multiple of world_size) is seen twice
    assert len(seen) - 105 <= 10


def test_bad_batch_size_and_rank():
    dataset = _dataset(10)
    with pytest.raises(SeqlabError, match="batch size must be at least 1, got 0"):
        make_loader(dataset, 0, shuffle=True, seed=0)
    with pytest.raises(SeqlabError, match="rank must be in"):
        make_loader(dataset, 2, shuffle=True, seed=0, rank=2, world_size=2)


def test_len_matches_iteration_for_every_setting():
    for n in (1, 99, 1600, 1601, 3333):
        for shuffle in (True, False):
            for bucket in (True, False):
                for world_size in (1, 3):
                    shards = [BucketBatchSampler([i % 37 for i in range(n)], 32, shuffle=shuffle, seed=1, bucket=bucket,
                                                 rank=r, world_size=world_size) for r in range(world_size)]
                    assert all(len(list(s)) == len(s) for s in shards), (n, shuffle, bucket, world_size)
