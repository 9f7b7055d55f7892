"""Classification scores (scikit-learn) and the two baselines every score is read against."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

RANDOM_BASELINE_DRAWS = 20


@dataclass(frozen=True)
class ClassScore:
    """Precision, recall and F1 of one class, and how many gold examples it has (support)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Baseline:
    """Accuracy and macro-F1 of a model-free predictor on the same split."""

    accuracy: float
    macro_f1: float


@dataclass(frozen=True)
class Metrics:
    """Scores of predictions against gold labels on one split, with the baselines for that split."""

    split: str
    n: int
    accuracy: float
    macro_f1: float
    per_class: tuple[ClassScore, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: gold class, columns: predicted class
    labels: tuple[str, ...]
    random_baseline: Baseline
    majority_baseline: Baseline
    loss: float | None = None


def _f1(gold: np.ndarray, predicted: np.ndarray, num_labels: int) -> float:
    return float(f1_score(gold, predicted, labels=list(range(num_labels)), average="macro", zero_division=0))


def accuracy_and_macro_f1(gold: Sequence[int], predicted: Sequence[int], num_labels: int) -> tuple[float, float]:
    """Just the two headline scores (what the loop records after each epoch)."""
    gold_array, predicted_array = np.asarray(gold, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if gold_array.size == 0:
        return 0.0, 0.0
    return float(accuracy_score(gold_array, predicted_array)), _f1(gold_array, predicted_array, num_labels)


def random_baseline(gold: Sequence[int], num_labels: int, seed: int = 0, draws: int = RANDOM_BASELINE_DRAWS) -> Baseline:
    """Mean accuracy and macro-F1 of uniformly random predictions over `draws` seeded draws."""
    gold_array = np.asarray(gold, dtype=np.int64)
    if gold_array.size == 0:
        return Baseline(0.0, 0.0)
    rng = np.random.default_rng(seed)
    accuracies, f1s = [], []
    for _ in range(draws):
        guess = rng.integers(0, num_labels, size=gold_array.size)
        accuracies.append(float((guess == gold_array).mean()))
        f1s.append(_f1(gold_array, guess, num_labels))
    return Baseline(float(np.mean(accuracies)), float(np.mean(f1s)))


def majority_baseline(gold: Sequence[int], num_labels: int, train_gold: Sequence[int] | None = None) -> Baseline:
    """Scores of always predicting the most frequent class (of `train_gold` when given, else of `gold`)."""
    gold_array = np.asarray(gold, dtype=np.int64)
    if gold_array.size == 0:
        return Baseline(0.0, 0.0)
    source = list(train_gold) if train_gold else gold_array.tolist()
    counts = Counter(source)
    majority = min(counts, key=lambda label: (-counts[label], label))  # ties go to the lowest class id
    guess = np.full_like(gold_array, majority)
    return Baseline(float((guess == gold_array).mean()), _f1(gold_array, guess, num_labels))


def compute_metrics(
    gold: Sequence[int],
    predicted: Sequence[int],
    labels: Sequence[str],
    *,
    split: str = "dev",
    loss: float | None = None,
    train_gold: Sequence[int] | None = None,
    seed: int = 0,
) -> Metrics:
    """Accuracy, macro-F1, per-class P/R/F1 and the confusion matrix of `predicted` against `gold`."""
    gold_array = np.asarray(gold, dtype=np.int64)
    predicted_array = np.asarray(predicted, dtype=np.int64)
    ids = list(range(len(labels)))
    if gold_array.size == 0:
        empty = tuple(ClassScore(label, 0.0, 0.0, 0.0, 0) for label in labels)
        zeros = tuple(tuple(0 for _ in ids) for _ in ids)
        return Metrics(split, 0, 0.0, 0.0, empty, zeros, tuple(labels), Baseline(0.0, 0.0), Baseline(0.0, 0.0), loss)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold_array, predicted_array, labels=ids, zero_division=0
    )
    per_class = tuple(
        ClassScore(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    )
    matrix = confusion_matrix(gold_array, predicted_array, labels=ids)
    return Metrics(
        split=split,
        n=int(gold_array.size),
        accuracy=float(accuracy_score(gold_array, predicted_array)),
        macro_f1=_f1(gold_array, predicted_array, len(labels)),
        per_class=per_class,
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        labels=tuple(labels),
        random_baseline=random_baseline(gold_array, len(labels), seed=seed),
        majority_baseline=majority_baseline(gold_array, len(labels), train_gold),
        loss=loss,
    )
