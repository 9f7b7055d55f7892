"""Run directories: what a training leaves on disk, read and written without torch (rebuilding the trained
model is seqlab.training.loading's job, so that `seqlab runs` stays light).

Layout (docs/ARCHITECTURE.md): config.json, encoder/, model.safetensors, last.safetensors, state.pt,
metrics.jsonl, predictions.tsv, result.json.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from seqlab.version import __version__
from seqlab.errors import SeqlabError, os_error_message
from seqlab.io import atomic_write_json, atomic_write_text
from seqlab.models.families import family_names
from seqlab.training.config import TrainConfig

RUN_TASKS: tuple[str, ...] = ("classify", "lm", "mlm")  # what a run's config.json may say it learned
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


def write_config(run_dir: Path, config: TrainConfig, spec: dict[str, Any], labels: Sequence[str], task: str,
                 is_pair: bool = False, data: dict[str, Any] | None = None) -> None:
    """Write config.json: the training config, the model spec, the labels and the seqlab version.

    `data` (files with sha256 and rows, training label counts) goes under "data"."""
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


def _type_error(field: str, value: Any, wanted: str) -> str:
    shown = json.dumps(value)[:40] if not isinstance(value, str) else repr(value[:40])
    return f"{field} is {shown}, expected {wanted}"


def _check_field(field: str, value: Any, annotation: str) -> str | None:
    """What is wrong with `value` for a TrainConfig field annotated `annotation` (None when it fits)."""
    optional = "None" in annotation
    base = annotation.replace("| None", "").strip()
    if value is None:
        return None if optional else _type_error(field, value, base)
    if base == "bool":
        return None if isinstance(value, bool) else _type_error(field, value, "true or false")
    if base == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else _type_error(field, value, "a whole number")
    if base == "float":
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if fits else _type_error(field, value, "a number")
    if base == "str":
        return None if isinstance(value, str) else _type_error(field, value, "a string")
    if base.startswith("dict"):
        return None if isinstance(value, dict) else _type_error(field, value, "an object")
    return None


def check_config_schema(payload: Any) -> str | None:
    """What is wrong with a parsed config.json (None when every field has the right type).

    Checked once, on load, so nothing later meets a null, a string where a number belongs, or a label
    that is not text: "train" holds TrainConfig's fields, "model" a spec with a known family, "labels"
    distinct strings, "task" classify or lm.
    """
    if not isinstance(payload, dict):
        return "the file is not a JSON object"
    for key in ("train", "model", "labels"):
        if key not in payload:
            return f"no {key!r} entry"
    train = payload["train"]
    if not isinstance(train, dict):
        return _type_error("train", train, "an object")
    for item in dataclasses.fields(TrainConfig):
        if item.name in train:
            problem = _check_field(f"train.{item.name}", train[item.name], str(item.type))
            if problem:
                return problem
    model = payload["model"]
    if not isinstance(model, dict):
        return _type_error("model", model, "an object")
    if model.get("family") not in family_names():
        return _type_error("model.family", model.get("family"), f"one of {', '.join(family_names())}")
    for key, value in model.items():
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            return _type_error(f"model.{key}", value, "a number, string or true/false")
    labels = payload["labels"]
    if not isinstance(labels, list) or not labels or not all(isinstance(label, str) for label in labels):
        return _type_error("labels", labels, "a non-empty list of strings")
    if len(set(labels)) != len(labels):
        return "labels holds the same label twice"
    if payload.get("task", "classify") not in RUN_TASKS:
        return _type_error("task", payload.get("task"), "'classify', 'lm' or 'mlm'")
    for key, kind in (("dataset", str), ("is_pair", bool)):
        if key in payload and not isinstance(payload[key], kind):
            return _type_error(key, payload[key], "a string" if kind is str else "true or false")
    return None


def read_run_info(run_dir: Path) -> RunInfo:
    """Read config.json and check it against the schema; a folder that is not a run, an unreadable or
    garbled config is one SeqlabError naming the cause."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        if run_dir.exists():
            raise SeqlabError(f"{run_dir} is a file, not a run folder; list your runs with: seqlab runs")
        raise SeqlabError(f"run folder {run_dir} does not exist; list your runs with: seqlab runs")
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise SeqlabError(f"{run_dir} is not a seqlab run (no {CONFIG_FILE}); list your runs with: seqlab runs")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except PermissionError:
        raise SeqlabError(f"{path} cannot be read (permission denied); ask its owner for read access") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError):
        raise SeqlabError(f"{path} is not valid JSON; the run is damaged, train it again") from None
    problem = check_config_schema(payload)
    if problem is not None:
        raise SeqlabError(f"{path} is not a valid run config ({problem}); the run is damaged, train it again")
    config = TrainConfig.from_dict(payload["train"])
    return RunInfo(config, dict(payload["model"]), tuple(payload["labels"]), str(payload.get("dataset", config.data)),
                   str(payload.get("task", "classify")), bool(payload.get("is_pair", False)))


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    """The records of metrics.jsonl; a torn last line (from a crash) or a garbled one is skipped.

    Only objects whose "epoch" and "step" are whole numbers and whose other values are numbers or
    short strings are kept, so every reader can trust the fields it uses.
    """
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        return []
    records = []
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, ValueError, RecursionError):
            continue
        if _valid_record(record):
            records.append(record)
    return records


def _valid_record(record: Any) -> bool:
    if not isinstance(record, dict):
        return False
    for key in ("epoch", "step"):
        if key in record and (not isinstance(record[key], int) or isinstance(record[key], bool)):
            return False
    return all(isinstance(v, (int, float, str)) or v is None for v in record.values())


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
    damaged: str | None = None  # what is wrong with a run folder that cannot be read


def read_result(run_dir: Path) -> dict[str, Any]:
    """result.json of a finished run ({} when absent); a garbled one is a SeqlabError."""
    path = Path(run_dir) / RESULT_FILE
    if not path.is_file():
        return {}
    try:
        result = json.loads(path.read_bytes().decode("utf-8"))
    except PermissionError:
        raise SeqlabError(f"{path} cannot be read (permission denied)") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError):
        raise SeqlabError(f"{path} is not valid JSON; finish the run again with: seqlab train --resume {run_dir}") from None
    if not isinstance(result, dict):
        raise SeqlabError(f"{path} is not a JSON object; finish the run again with: seqlab train --resume {run_dir}")
    best = result.get("best_dev")
    if best is not None and (not isinstance(best, (int, float)) or isinstance(best, bool)):
        raise SeqlabError(f"{path}: best_dev is not a number; finish the run again with: seqlab train --resume {run_dir}")
    return result


def is_finished(run_dir: Path) -> bool:
    """True when the run wrote everything a finished run has: result.json (and predictions.tsv for classifiers,
    the only task whose finish writes one)."""
    run_dir = Path(run_dir)
    try:
        if not read_result(run_dir):  # absent or garbled: resume writes it again
            return False
        task = read_run_info(run_dir).task
    except SeqlabError:
        return False
    return task != "classify" or (run_dir / PREDICTIONS_FILE).is_file()


def _created(run_dir: Path) -> str:
    try:
        return datetime.fromtimestamp((run_dir / CONFIG_FILE).stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "?"


def _summarize(run_dir: Path) -> RunSummary | None:
    """The line of `seqlab runs` for one folder; None for a folder that is not a run at all."""
    if not (run_dir / CONFIG_FILE).exists():
        return None
    try:
        info = read_run_info(run_dir)
        result = read_result(run_dir)
        metric = "perplexity" if info.task == "lm" else "accuracy"
        best = result.get("best_dev")
        if best is None:  # unfinished run: the best dev record so far
            devs = [r[metric] for r in read_metrics(run_dir)
                    if r.get("split") == "dev" and isinstance(r.get(metric), (int, float))]
            if devs:
                best = min(devs) if metric == "perplexity" else max(devs)
    except (SeqlabError, OSError) as exc:
        reason = str(exc) if isinstance(exc, SeqlabError) else os_error_message(exc)
        return RunSummary(run_dir, "?", "?", "?", None, "accuracy", False, _created(run_dir), damaged=reason)
    return RunSummary(run_dir, info.dataset, str(info.spec.get("family", "?")), info.task, best, metric,
                      bool(result) and is_finished(run_dir), _created(run_dir))


def list_runs(root: Path) -> list[RunSummary]:
    """Every run under `root`, oldest first; folders that are not runs are skipped, damaged runs are
    listed with `damaged` saying what is wrong (one bad folder never hides the others)."""
    root = Path(root)
    if not root.is_dir():
        return []
    summaries = []
    for child in sorted(root.iterdir()):
        try:
            if child.is_dir():
                summaries.append(_summarize(child))
        except OSError:  # a folder we may not even look into
            continue
    return sorted((s for s in summaries if s is not None), key=lambda s: (s.created, s.path.name))
