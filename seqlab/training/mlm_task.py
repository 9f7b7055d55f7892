"""The masked-language-modelling task for the fit loop: mask each batch afresh, score only the chosen tokens.

Training batches are masked with torch's global CPU RNG (so a resumed run draws the same masks, its RNG
state being saved with the run); the dev split is masked with a fixed seed, so every epoch is scored on
the same blanks and the curves compare like with like.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import torch
from torch import nn

from seqlab.data.masking import MaskingRule, MaskVocab, mask_tokens
from seqlab.device import autocast
from seqlab.training.tasks import Evaluation, to_device

DEV_MASK_SEED = 1234


def masking_rule(config: Any) -> MaskingRule:
    """The masking rule a masked-LM run trains with, from its TrainConfig (`whole_word_masking`); the rest is BERT's."""
    return MaskingRule(whole_word=bool(getattr(config, "whole_word_masking", False)))


class MaskedLMTask:
    """BERT's objective; dev score is minus the loss, with masked-token accuracy and perplexity beside it."""

    unit = "masked tokens"  # what the fit loop's rate counts: the chosen positions, which carry the loss

    def __init__(self, vocab: MaskVocab, rule: MaskingRule = MaskingRule(), dev_seed: int = DEV_MASK_SEED,
                 sentence_objective: str | None = None) -> None:
        self.vocab = vocab
        self.rule = rule
        self.dev_seed = dev_seed
        self.sentence_objective = sentence_objective

    def _sentence_labels(self, batch: dict[str, torch.Tensor]) -> torch.Tensor | None:
        """The pairs' labels (0 = the real continuation) when training a sentence objective, else None."""
        return batch["labels"] if self.sentence_objective else None

    def loss(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Mask the batch, then the mean cross-entropy at the chosen positions (plus the sentence pairs'
        cross-entropy with a sentence objective) and how many positions were chosen."""
        masked = mask_tokens(batch["input_ids"], batch["attention_mask"], self.vocab, self.rule)
        out = model(masked.input_ids, batch["attention_mask"], batch.get("segment_ids"), labels=masked.labels,
                    sentence_labels=self._sentence_labels(batch))
        return out.loss, out.count

    @torch.no_grad()
    def evaluate(self, model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> Evaluation:
        """Loss, perplexity and top-1 accuracy at the chosen dev positions (the same blanks every epoch)."""
        was_training = model.training
        model.eval()
        generator = torch.Generator().manual_seed(self.dev_seed)
        total, correct, count = 0.0, 0, 0
        pair_total, pair_correct, pairs = 0.0, 0, 0
        for batch in loader:
            batch = to_device(batch, device)
            masked = mask_tokens(batch["input_ids"], batch["attention_mask"], self.vocab, self.rule, generator)
            sentence_labels = self._sentence_labels(batch)
            with autocast(device):
                out = model(masked.input_ids, batch["attention_mask"], batch.get("segment_ids"), labels=masked.labels,
                            sentence_labels=sentence_labels)
            total += float(out.masked_loss) * out.count
            count += out.count
            correct += int((out.logits.argmax(-1) == masked.labels[masked.chosen]).sum())
            if sentence_labels is not None:
                pair_total += float(out.sentence_loss) * len(sentence_labels)
                pair_correct += int((out.sentence_logits.argmax(-1) == sentence_labels).sum())
                pairs += len(sentence_labels)
        model.train(was_training)
        mean = total / max(count, 1)
        record = {"loss": mean, "perplexity": math.exp(min(mean, 50.0)), "accuracy": correct / max(count, 1)}
        if not self.sentence_objective:
            return Evaluation(-mean, record)
        record[f"{self.sentence_objective}_accuracy"] = pair_correct / max(pairs, 1)
        # the best epoch is the lowest total loss, the sum BERT trains on
        return Evaluation(-(mean + pair_total / max(pairs, 1)), record)

