"""Using a finished run: score it on a split, or classify a text a user types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from seqlab.errors import SeqlabError
from seqlab.training.metrics import Metrics, compute_metrics
from seqlab.training.runs import LoadedRun, load_run
from seqlab.training.tasks import classify_loader

SPLITS: tuple[str, ...] = ("train", "dev", "test")


@dataclass(frozen=True)
class Prediction:
    """The predicted label of one input and the probability of every class."""

    label: str
    probabilities: dict[str, float]
    tokens: tuple[str, ...] = ()


def _classifier_run(loaded: LoadedRun) -> LoadedRun:
    if loaded.task != "classify":
        raise SeqlabError(
            f"{loaded.run_dir} is a language model run, not a classifier; fine-tune it first with: "
            f"seqlab train --init-from {loaded.run_dir}"
        )
    return loaded


def evaluate_run(run_dir: Path, split: str = "dev", data_dir: Path | None = None, device: str = "cpu",
                 batch_size: int = 64) -> Metrics:
    """Accuracy, macro-F1, per-class scores, confusion matrix and baselines of a run's best weights on `split`."""
    from seqlab.data.batching import encode_examples, make_loader
    from seqlab.data.registry import load_splits

    if split not in SPLITS:
        raise SeqlabError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    loaded = _classifier_run(load_run(Path(run_dir), device=device))
    config = loaded.config
    folder = data_dir or (Path(config.data_dir) if config.data_dir else None)
    splits = load_splits(config.data, folder, seed=config.seed)
    if tuple(splits.labels) != tuple(loaded.labels):
        raise SeqlabError(
            f"the data's labels ({', '.join(splits.labels)}) differ from the run's ({', '.join(loaded.labels)}); "
            "point --data-dir at the dataset the run was trained on"
        )
    examples = getattr(splits, split)
    if not examples:
        raise SeqlabError(f"{config.data} has no labeled {split} split; try --split dev")
    dataset = encode_examples(examples, loaded.encoder, loaded.labels, config.max_length)
    loader = make_loader(dataset, batch_size, shuffle=False, seed=config.seed, bucket=False)
    target = next(loaded.model.parameters()).device
    outputs = classify_loader(loaded.model, loader, target)
    train_examples = splits.train if config.max_train_examples is None else splits.train[: config.max_train_examples]
    train_gold = [splits.label_id(e.label) for e in train_examples]
    return compute_metrics(outputs.gold, outputs.predicted, loaded.labels, split=split,
                           loss=outputs.loss_sum / max(len(outputs.gold), 1), train_gold=train_gold, seed=config.seed)


@torch.no_grad()
def predict(loaded: LoadedRun, text: str, text_b: str | None = None) -> Prediction:
    """Classify `text` (and `text_b` for sentence-pair runs) with a loaded run."""
    _classifier_run(loaded)
    if not text.strip():
        raise SeqlabError("the text to classify is empty; pass a sentence in quotes")
    if loaded.is_pair and not (text_b and text_b.strip()):
        raise SeqlabError(f"{loaded.run_dir.name} classifies sentence pairs; pass the second sentence with --pair")
    if text_b is not None and not loaded.is_pair:
        raise SeqlabError(f"{loaded.run_dir.name} classifies single texts; leave out --pair")
    encoded = loaded.encoder.encode(text, text_b, max_length=loaded.config.max_length)
    ids = encoded.ids or [loaded.encoder.unk_id]
    segments = encoded.segment_ids or [0]
    device = next(loaded.model.parameters()).device
    input_ids = torch.tensor([ids], dtype=torch.long, device=device)
    mask = torch.ones_like(input_ids, dtype=torch.bool)
    segment_ids = torch.tensor([segments], dtype=torch.long, device=device)
    loaded.model.eval()
    logits = loaded.model(input_ids, mask, segment_ids).logits.float()
    probabilities = logits.softmax(-1)[0].tolist()
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return Prediction(
        label=loaded.labels[best],
        probabilities={label: float(p) for label, p in zip(loaded.labels, probabilities)},
        tokens=tuple(encoded.tokens),
    )
