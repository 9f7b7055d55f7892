"""Run directories: what a training leaves on disk, and rebuilding a trained model from it.

Layout (docs/ARCHITECTURE.md): config.json, encoder/, model.safetensors, last.safetensors, state.pt,
metrics.jsonl, predictions.tsv, result.json.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from torch import nn

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_json, atomic_write_text
from seqlab.training.config import TrainConfig

CONFIG_FILE = "config.json"
ENCODER_DIR = "encoder"
BEST_WEIGHTS = "model.safetensors"
LAST_WEIGHTS = "last.safetensors"
STATE_FILE = "state.pt"
METRICS_FILE = "metrics.jsonl"
PREDICTIONS_FILE = "predictions.tsv"
RESULT_FILE = "result.json"


@dataclass(frozen=True)
class RunInfo:
    """What config.json says about a run."""

    config: TrainConfig
    spec: dict[str, Any]
    labels: tuple[str, ...]
    dataset: str
    task: str
    is_pair: bool = False


@dataclass
class LoadedRun:
    """A trained model rebuilt from its run directory, ready for evaluation or prediction."""

    model: nn.Module
    encoder: Any  # seqlab.data.encoders.TextEncoder
    labels: tuple[str, ...]
    config: TrainConfig
    run_dir: Path
    spec: dict[str, Any]
    task: str
    is_pair: bool = False


def write_config(run_dir: Path, config: TrainConfig, spec: dict[str, Any], labels: Sequence[str], task: str,
                 is_pair: bool = False, data: dict[str, Any] | None = None) -> None:
    """Write config.json: the training config, the model spec, the labels and the seqlab version.

    `data` (files with sha256 and rows, training label counts) goes under "data"."""
    from seqlab import __version__

    atomic_write_json(
        Path(run_dir) / CONFIG_FILE,
        {
            "train": config.to_dict(),
            "model": spec,
            "labels": list(labels),
            "dataset": config.dataset_name,
            "task": task,
            "is_pair": is_pair,
            "seqlab": __version__,
            **({"data": data} if data is not None else {}),
        },
    )


def read_data_record(run_dir: Path) -> dict[str, Any]:
    """The "data" part of a run's config.json (files, notes, training label counts); {} for older runs."""
    try:
        record = json.loads((Path(run_dir) / CONFIG_FILE).read_text(encoding="utf-8")).get("data")
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return {}
    return record if isinstance(record, dict) else {}


def read_run_info(run_dir: Path) -> RunInfo:
    """Read config.json; a folder that is not a run (or a garbled config) is one SeqlabError."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise SeqlabError(f"run folder {run_dir} does not exist; list your runs with: seqlab runs")
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise SeqlabError(f"{run_dir} is not a seqlab run (no {CONFIG_FILE}); list your runs with: seqlab runs")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        config = TrainConfig.from_dict(payload["train"])
        spec = dict(payload["model"])
        labels = tuple(payload["labels"])
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError):
        raise SeqlabError(f"{path} is not a valid run config; the run is damaged, train it again") from None
    return RunInfo(config, spec, labels, str(payload.get("dataset", config.data)), str(payload.get("task", "classify")),
                   bool(payload.get("is_pair", False)))


def build_model(spec: dict[str, Any], task: str, vocab_size: int, num_labels: int, pad_id: int,
                load_weights: bool = True) -> nn.Module:
    """A fresh model for `spec`: a causal LM for the "lm" task, otherwise a classifier.

    `load_weights=False` skips reading pretrained BERT weights that a run's checkpoint will replace.
    """
    from seqlab.models import factory

    if task == "lm":
        return factory.build_lm(spec, vocab_size=vocab_size, pad_id=pad_id)
    return factory.build_classifier(spec, vocab_size=vocab_size, num_labels=num_labels, pad_id=pad_id,
                                    load_weights=load_weights)


def load_run(path: Path, device: str = "cpu", weights: str = BEST_WEIGHTS) -> LoadedRun:
    """Rebuild the model of a run from config.json + encoder/ and load its best weights (eval mode)."""
    from seqlab.data.encoders import load_encoder
    from seqlab.device import resolve_device
    from seqlab.training.checkpoint import load_weights

    run_dir = Path(path)
    info = read_run_info(run_dir)
    encoder = load_encoder(run_dir / ENCODER_DIR)
    model = build_model(info.spec, info.task, encoder.vocab_size, len(info.labels), encoder.pad_id,
                        load_weights=False)
    target = resolve_device(device)
    load_weights(model, run_dir / weights, device="cpu")
    model.to(target).eval()
    return LoadedRun(model, encoder, info.labels, info.config, run_dir, info.spec, info.task, info.is_pair)


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    """The records of metrics.jsonl (a torn last line, from a crash, is skipped)."""
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def truncate_metrics(run_dir: Path, last_epoch: int) -> None:
    """Keep only the records of epochs up to `last_epoch` (used when resuming a run)."""
    kept = [r for r in read_metrics(run_dir) if int(r.get("epoch", 0)) <= last_epoch]
    atomic_write_text(Path(run_dir) / METRICS_FILE, "".join(json.dumps(r) + "\n" for r in kept))


def predictions_text(rows: Sequence[tuple[str, str, str, float]]) -> str:
    """The TSV text of predictions: a header, then text, gold, predicted, probability of the predicted class."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["text", "gold", "predicted", "probability"])
    for text, gold, predicted, probability in rows:
        writer.writerow([text, gold, predicted, f"{probability:.6f}"])
    return buffer.getvalue()


def write_predictions(run_dir: Path, rows: Sequence[tuple[str, str, str, float]]) -> Path:
    """Write predictions.tsv: text, gold, predicted, probability of the predicted class."""
    return atomic_write_text(Path(run_dir) / PREDICTIONS_FILE, predictions_text(rows))


def write_result(run_dir: Path, payload: dict[str, Any]) -> Path:
    """Write result.json (final metrics, best epoch, seconds, device)."""
    return atomic_write_json(Path(run_dir) / RESULT_FILE, payload)


@dataclass(frozen=True)
class RunSummary:
    """One line of `seqlab runs`."""

    path: Path
    dataset: str
    family: str
    task: str
    best_dev: float | None
    metric: str
    finished: bool
    created: str


def _summarize(run_dir: Path) -> RunSummary | None:
    try:
        info = read_run_info(run_dir)
    except SeqlabError:
        return None
    result: dict[str, Any] = {}
    result_path = run_dir / RESULT_FILE
    if result_path.is_file():
        try:
            result = json.loads(result_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            result = {}
    metric = "perplexity" if info.task == "lm" else "accuracy"
    best = result.get("best_dev")
    if best is None:  # unfinished run: the best dev record so far
        devs = [r.get(metric) for r in read_metrics(run_dir) if r.get("split") == "dev" and r.get(metric) is not None]
        if devs:
            best = min(devs) if metric == "perplexity" else max(devs)
    created = datetime.fromtimestamp((run_dir / CONFIG_FILE).stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return RunSummary(run_dir, info.dataset, str(info.spec.get("family", "?")), info.task, best, metric, bool(result), created)


def list_runs(root: Path) -> list[RunSummary]:
    """Every run under `root`, oldest first; folders that are not runs are skipped."""
    root = Path(root)
    if not root.is_dir():
        return []
    summaries = [_summarize(child) for child in sorted(root.iterdir()) if child.is_dir()]
    return sorted((s for s in summaries if s is not None), key=lambda s: (s.created, s.path.name))
