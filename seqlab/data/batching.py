"""From examples to padded batches: encode once, then bucket by length and pad each batch to its longest item.

A batch is a dict of tensors (docs/ARCHITECTURE.md): input_ids [B,T] long, attention_mask [B,T] bool
(True = real token), segment_ids [B,T] long, lengths [B] long, labels [B] long.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, Sampler

from seqlab.data.encoded import TextEncoder, at_least_one_position
from seqlab.data.examples import Example
from seqlab.errors import SeqlabError

POOL_BATCHES = 50  # bucketing sorts by length inside shuffled pools of this many batches


@dataclass(frozen=True)
class EncodedItem:
    """One encoded example: ids and segment ids (1-D long tensors), its length and its class id."""

    ids: torch.Tensor
    segment_ids: torch.Tensor
    length: int
    label: int

    @classmethod
    def of(cls, ids: Sequence[int], segment_ids: Sequence[int], label: int) -> "EncodedItem":
        """An item from plain id lists (tensors keep 50k long reviews in tens, not hundreds, of MB)."""
        return cls(torch.tensor(ids, dtype=torch.long), torch.tensor(segment_ids, dtype=torch.long), len(ids), label)


class EncodedDataset(Dataset):
    """Examples encoded once; item i is {ids, segment_ids, length, label}. `pad_id` is the encoder's."""

    def __init__(self, items: Sequence[EncodedItem], pad_id: int) -> None:
        self.items = list(items)
        self.pad_id = pad_id

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        item = self.items[index]
        return {"ids": item.ids, "segment_ids": item.segment_ids, "length": item.length, "label": item.label}

    @property
    def lengths(self) -> list[int]:
        """The length of every item, in order."""
        return [item.length for item in self.items]


def encode_examples(
    examples: Sequence[Example], encoder: TextEncoder, splits_labels: Sequence[str], max_length: int | None
) -> EncodedDataset:
    """Encode every example (pairs as pairs) with `encoder`, truncated to `max_length` ids."""
    label_ids = {label: index for index, label in enumerate(splits_labels)}
    for example in examples:
        if example.label not in label_ids:
            raise SeqlabError(f"label {example.label!r} is not one of {', '.join(splits_labels)}")
    fast = getattr(encoder, "encode_ids_batch", None)  # optional fast path (WordPiece: all cores, no token strings)
    if fast is not None:
        encodings = fast([e.text for e in examples], [e.text_b for e in examples], max_length=max_length)
    else:
        encodings = [(enc.ids, enc.segment_ids) for enc in
                     (encoder.encode(e.text, e.text_b, max_length=max_length) for e in examples)]
    items = []
    for example, (ids, segments) in zip(examples, encodings):
        ids, segments = at_least_one_position(ids, segments, encoder.unk_id)
        items.append(EncodedItem.of(ids, segments, label_ids[example.label]))
    return EncodedDataset(items, encoder.pad_id)


def collate(items: Sequence[dict], pad_id: int, pad_multiple: int = 1, pad_limit: int | None = None
            ) -> dict[str, torch.Tensor]:
    """Pad `items` to the longest one (rounded up to a multiple of `pad_multiple`, but never past
    `pad_limit`, the longest length the model takes) and stack them into the batch dict."""
    input_ids = pad_sequence([item["ids"] for item in items], batch_first=True, padding_value=pad_id)
    segment_ids = pad_sequence([item["segment_ids"] for item in items], batch_first=True, padding_value=0)
    extra = -input_ids.shape[1] % pad_multiple
    if pad_limit is not None:
        extra = max(0, min(extra, pad_limit - input_ids.shape[1]))
    if extra:
        input_ids = torch.nn.functional.pad(input_ids, (0, extra), value=pad_id)
        segment_ids = torch.nn.functional.pad(segment_ids, (0, extra), value=0)
    lengths = torch.tensor([item["length"] for item in items], dtype=torch.long)
    width = input_ids.shape[1]
    attention_mask = torch.arange(width)[None, :] < lengths[:, None]
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "segment_ids": segment_ids,
        "lengths": lengths,
        "labels": torch.tensor([item["label"] for item in items], dtype=torch.long),
    }


class _Collator:
    """Picklable collate function bound to a pad id (so DataLoader workers can use it)."""

    def __init__(self, pad_id: int, pad_multiple: int = 1, pad_limit: int | None = None) -> None:
        self.pad_id = pad_id
        self.pad_multiple = pad_multiple
        self.pad_limit = pad_limit

    def __call__(self, items: Sequence[dict]) -> dict[str, torch.Tensor]:
        return collate(items, self.pad_id, self.pad_multiple, self.pad_limit)


class BucketBatchSampler(Sampler[list[int]]):
    """Yields lists of indices: shuffled (and length-bucketed) per epoch from (seed, epoch), sharded by rank.

    Bucketing: shuffle all indices, cut them into pools of ~50 batches, sort each pool by length, cut it
    into batches, then shuffle the batches, so each batch holds similar lengths but the order stays random.
    Without `shuffle` the dataset order is kept (bucketing is skipped), so predictions line up with examples.
    With `world_size` > 1 the batch list is padded by repeating its first batches to a multiple of
    `world_size`, and rank r takes batches r, r + world_size, ...: every rank gets the same count.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, *, shuffle: bool, seed: int, bucket: bool = True,
                 rank: int = 0, world_size: int = 1) -> None:
        if batch_size < 1:
            raise SeqlabError(f"batch size must be at least 1, got {batch_size}")
        if world_size < 1 or not 0 <= rank < world_size:
            raise SeqlabError(f"rank must be in 0..world_size-1 (got rank {rank}, world_size {world_size})")
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.bucket = bucket
        self.rank = rank
        self.world_size = world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose order the next iteration yields."""
        self.epoch = epoch

    def _all_batches(self) -> list[list[int]]:
        indices = list(range(len(self.lengths)))
        if not self.shuffle:  # keep the dataset order
            return [indices[i : i + self.batch_size] for i in range(0, len(indices), self.batch_size)]
        rng = random.Random(self.seed * 1_000_003 + self.epoch)
        rng.shuffle(indices)
        pool_size = self.batch_size * POOL_BATCHES if self.bucket else len(indices)
        batches = []
        for start in range(0, len(indices), pool_size):
            pool = indices[start : start + pool_size]
            if self.bucket:
                pool.sort(key=lambda i: self.lengths[i])
            batches.extend(pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size))
        if self.bucket:
            rng.shuffle(batches)
        return batches

    def _batch_count(self) -> int:
        n, size = len(self.lengths), self.batch_size
        if not (self.shuffle and self.bucket):
            return -(-n // size)
        pool = size * POOL_BATCHES  # every full pool holds exactly POOL_BATCHES batches; the last one is cut up
        return (n // pool) * POOL_BATCHES + -(-(n % pool) // size)

    def __iter__(self) -> Iterator[list[int]]:
        batches = self._all_batches()
        if self.world_size > 1 and batches:
            shortfall = -len(batches) % self.world_size
            batches = batches + [batches[i % len(batches)] for i in range(shortfall)]
            batches = batches[self.rank :: self.world_size]
        return iter(batches)

    def __len__(self) -> int:
        total = self._batch_count()
        return -(-total // self.world_size) if self.world_size > 1 else total


CUDA_LENGTH_MULTIPLE = 16  # on a GPU, batch lengths are rounded up to this: few shapes, one CUDA graph each


def make_loader(dataset: EncodedDataset, batch_size: int, *, shuffle: bool, seed: int, bucket: bool = True,
                rank: int = 0, world_size: int = 1, pad_multiple: int = 1, pad_limit: int | None = None,
                pin_memory: bool = False) -> DataLoader:
    """A DataLoader of padded batch dicts; call `loader.batch_sampler.set_epoch(epoch)` each epoch.

    `pad_multiple` rounds each batch's length up (extra positions are padding), never past `pad_limit`;
    `pin_memory` puts batches in page-locked memory so copies to a GPU can overlap its work.
    """
    sampler = BucketBatchSampler(dataset.lengths, batch_size, shuffle=shuffle, seed=seed, bucket=bucket,
                                 rank=rank, world_size=world_size)
    return DataLoader(dataset, batch_sampler=sampler, collate_fn=_Collator(dataset.pad_id, pad_multiple, pad_limit),
                      pin_memory=pin_memory)


def padding_fraction(loader: DataLoader) -> float:
    """Share of positions in the loader's batches that are padding (one pass over it)."""
    padded = real = 0
    for batch in loader:
        padded += batch["input_ids"].numel()
        real += int(batch["lengths"].sum())
    return 0.0 if padded == 0 else 1.0 - real / padded
