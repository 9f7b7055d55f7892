"""What is being learned: the loss of a batch and the dev score, for classification and language modelling.

The fit loop only talks to a Task, so the same loop trains a sentiment classifier and pretrains a causal LM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.device import autocast
from seqlab.training.metrics import accuracy_and_macro_f1


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """Move every tensor of a batch to `device`."""
    return {key: value.to(device, non_blocking=True) for key, value in batch.items()}


def _logits(output: Any) -> torch.Tensor:
    return output.logits if hasattr(output, "logits") else output


@dataclass(frozen=True)
class Evaluation:
    """A dev pass: `score` (higher is better) picks the best epoch; `record` goes to metrics.jsonl."""

    score: float
    record: dict[str, float]


class Task(Protocol):
    """The two things the fit loop needs to know about what is being learned."""

    def loss(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Mean loss over the batch and how many items it averaged."""
        ...

    def evaluate(self, model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> Evaluation:
        """Score the model on a whole loader."""
        ...


@dataclass(frozen=True)
class ClassifiedBatchOutputs:
    """Gold ids, predicted ids, class probabilities and the summed loss of a pass over a loader."""

    gold: list[int]
    predicted: list[int]
    probabilities: list[list[float]]
    loss_sum: float


@torch.no_grad()
def classify_loader(model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> ClassifiedBatchOutputs:
    """Run a classifier over a loader in eval mode (use an unshuffled, unbucketed loader to keep dataset order)."""
    was_training = model.training
    model.eval()
    logits_parts: list[torch.Tensor] = []
    label_parts: list[torch.Tensor] = []
    for batch in loader:  # kept on the device and read back once: no wait for the device per batch
        batch = to_device(batch, device)
        with autocast(device):
            logits = _logits(model(batch["input_ids"], batch["attention_mask"], batch.get("segment_ids")))
        logits_parts.append(logits.float())
        label_parts.append(batch["labels"])
    model.train(was_training)
    if not logits_parts:
        return ClassifiedBatchOutputs([], [], [], 0.0)
    logits, labels = torch.cat(logits_parts), torch.cat(label_parts)
    loss_sum = float(F.cross_entropy(logits, labels, reduction="sum"))
    probs = logits.softmax(-1)
    return ClassifiedBatchOutputs(labels.tolist(), probs.argmax(-1).tolist(), probs.tolist(), loss_sum)


class ClassificationTask:
    """Cross-entropy over class logits; dev score is accuracy (macro-F1 recorded beside it)."""

    unit = "examples"  # what the fit loop's rate counts

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = tuple(labels)

    def loss(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Mean cross-entropy of the batch's logits against its labels."""
        logits = _logits(model(batch["input_ids"], batch["attention_mask"], batch.get("segment_ids")))
        return F.cross_entropy(logits.float(), batch["labels"]), int(batch["labels"].numel())

    def evaluate(self, model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> Evaluation:
        """Loss, accuracy and macro-F1 over the loader."""
        outputs = classify_loader(model, loader, device)
        accuracy, macro_f1 = accuracy_and_macro_f1(outputs.gold, outputs.predicted, len(self.labels))
        record = {"loss": outputs.loss_sum / max(len(outputs.gold), 1), "accuracy": accuracy, "macro_f1": macro_f1}
        return Evaluation(accuracy, record)


def next_token_loss(logits: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Mean cross-entropy of predicting token t+1 from tokens <= t, over real (unpadded) targets."""
    predictions = logits[:, :-1].reshape(-1, logits.size(-1)).float()  # [B*(T-1), V]
    targets = input_ids[:, 1:].reshape(-1)
    real = attention_mask[:, 1:].reshape(-1)
    count = int(real.sum())
    if count == 0:
        return predictions.sum() * 0.0, 0
    return F.cross_entropy(predictions[real], targets[real]), count


class LanguageModelTask:
    """Next-token prediction for a causal LM; dev score is minus the loss, perplexity recorded beside it."""

    unit = "tokens"  # what the fit loop's rate counts

    def loss(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Mean next-token cross-entropy of the batch."""
        logits = _logits(model(batch["input_ids"], batch["attention_mask"]))
        return next_token_loss(logits, batch["input_ids"], batch["attention_mask"])

    @torch.no_grad()
    def evaluate(self, model: nn.Module, loader: Iterable[dict[str, torch.Tensor]], device: torch.device) -> Evaluation:
        """Token-averaged loss and perplexity over the loader."""
        was_training = model.training
        model.eval()
        total, count = 0.0, 0
        for batch in loader:
            batch = to_device(batch, device)
            with autocast(device):
                logits = _logits(model(batch["input_ids"], batch["attention_mask"]))
            loss, n = next_token_loss(logits, batch["input_ids"], batch["attention_mask"])
            total += float(loss) * n
            count += n
        model.train(was_training)
        mean = total / max(count, 1)
        return Evaluation(-mean, {"loss": mean, "perplexity": math.exp(min(mean, 50.0))})
