"""The masked-language-modelling task for the fit loop: mask each batch afresh, score only the chosen tokens.

Training batches are masked with torch's global CPU RNG (so a resumed run draws the same masks, its RNG
state being saved with the run); the dev split is masked with a fixed seed, so every epoch is scored on
the same blanks and the curves compare like with like.
"""

from __future__ import annotations

import math
from typing import Iterable

import torch
from torch import nn

from seqlab.data.masking import MaskingRule, MaskVocab, mask_tokens
from seqlab.device import autocast
from seqlab.training.tasks import Evaluation, to_device

DEV_MASK_SEED = 1234


class MaskedLMTask:
    """BERT's objective; dev score is minus the loss, with masked-token accuracy and perplexity beside it."""

    unit = "masked tokens"  # what the fit loop's rate counts: the chosen positions, which carry the loss

    def __init__(self, vocab: MaskVocab, rule: MaskingRule = MaskingRule(), dev_seed: int = DEV_MASK_SEED) -> None:
        self.vocab = vocab
        self.rule = rule
        self.dev_seed = dev_seed

    def loss(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Mask the batch, then the mean cross-entropy at the chosen positions and how many there were."""
        masked = mask_tokens(batch["input_ids"], batch["attention_mask"], self.vocab, self.rule)
        out = model(masked.input_ids, batch["attention_mask"], batch.get("segment_ids"), labels=masked.labels)
        return out.loss, out.count

    @torch.no_grad()
    def evaluate(self, model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> Evaluation:
        """Loss, perplexity and top-1 accuracy at the chosen dev positions (the same blanks every epoch)."""
        was_training = model.training
        model.eval()
        generator = torch.Generator().manual_seed(self.dev_seed)
        total, correct, count = 0.0, 0, 0
        for batch in loader:
            batch = to_device(batch, device)
            masked = mask_tokens(batch["input_ids"], batch["attention_mask"], self.vocab, self.rule, generator)
            with autocast(device):
                out = model(masked.input_ids, batch["attention_mask"], batch.get("segment_ids"), labels=masked.labels)
            total += float(out.loss) * out.count
            count += out.count
            correct += int((out.logits.argmax(-1) == masked.labels[masked.chosen]).sum())
        model.train(was_training)
        mean = total / max(count, 1)
        record = {"loss": mean, "perplexity": math.exp(min(mean, 50.0)), "accuracy": correct / max(count, 1)}
        return Evaluation(-mean, record)

