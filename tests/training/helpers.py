"""A tiny classifier and synthetic batches, so the loop is tested without the data and model packages."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Output:
    """Shaped like seqlab.models' ClassifierOutput: logits [B, C]."""

    logits: torch.Tensor


class TinyClassifier(nn.Module):
    """Mean of token embeddings -> dropout -> linear: learns 'class = parity of the first token'."""

    def __init__(self, vocab_size: int = 16, num_labels: int = 2, dim: int = 8, dropout: float = 0.1) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(dim, num_labels)

    def forward(self, input_ids, attention_mask, segment_ids=None, output_attentions=False):
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (self.embedding(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return Output(self.head(self.dropout(pooled)))


class BatchList(list):
    """A list of batches that remembers which epochs it was told about (like the real batch sampler)."""

    epochs_seen: list[int]

    def __init__(self, batches):
        super().__init__(batches)
        self.epochs_seen = []
        self.batch_sampler = self

    def set_epoch(self, epoch: int) -> None:
        self.epochs_seen.append(epoch)


def synthetic_batches(n_batches: int = 6, batch_size: int = 8, seed: int = 0) -> BatchList:
    """Batches whose label is the parity of the first token id."""
    generator = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n_batches):
        ids = torch.randint(1, 16, (batch_size, 5), generator=generator)
        batches.append({
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids, dtype=torch.bool),
            "segment_ids": torch.zeros_like(ids),
            "lengths": torch.full((batch_size,), 5),
            "labels": ids[:, 0] % 2,
        })
    return BatchList(batches)


# Small enough that a whole training on the built-in corpus takes about a second on one core.
TINY_SPECS: dict[str, dict] = {
    "lstm": {"family": "lstm", "embed_dim": 16, "hidden_size": 16},
    "gru": {"family": "gru", "embed_dim": 16, "hidden_size": 16},
    "transformer": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "lm": {"family": "lm", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "bert": {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 32},
}


def tiny_config(family: str = "lstm", **changes):
    """A TrainConfig that trains a tiny `family` model on 96 built-in examples for 2 epochs."""
    from seqlab.training.config import TrainConfig

    settings = dict(model=TINY_SPECS[family], max_train_examples=96, epochs=2, batch_size=16, max_length=24,
                    threads=1, lr=3e-3, device="cpu", log_every=2)
    settings.update(changes)
    return TrainConfig(**settings)


def timeless(records: list[dict]) -> list[dict]:
    """metrics.jsonl records without the wall-time field (the only part two equal runs may differ in)."""
    return [{k: v for k, v in record.items() if k != "seconds"} for record in records]
