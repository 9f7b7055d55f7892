"""Trials: one training (or one measurement) of a recipe, named by a hash of its config, stored once.

A trial is done when its folder holds trial.json, written atomically as the very last step; so a
run killed half-way leaves no trial counted as done, and a rerun into the same folder skips exactly
the trials that finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from seqlab.experiments.config import OWN_FILE_FIELDS
from seqlab.io import atomic_write_json, slugify
from seqlab.training.config import TrainConfig

TRIALS_DIR = "trials"
TRIAL_FILE = "trial.json"
KEY_LENGTH = 12
# Settings that change where or how fast a trial runs, not what it computes.
_NOT_HASHED = ("name", "threads", "log_every")
# TrainConfig fields added after experiments were first kept (your own files, issue 21; sentence objectives
# and dev caps, issue 20): hashed only when set, so trials planned before they existed keep their keys and
# finished trials are still found. A new TrainConfig field belongs here too (tests/experiments/
# test_trial_keys.py replans the kept reports and fails when a key moves).
_HASHED_WHEN_SET = (*OWN_FILE_FIELDS, "sentence_objective", "max_dev_examples")
_HASHED_UNLESS_NONE = ("split_seed",)  # None (the training seed carves the split) keeps the keys made before it


@dataclass(frozen=True)
class Trial:
    """One unit of work: a training `config`, or a `measure` function over `payload`.

    `tags` are the table columns that tell trials apart (optimizer, layers, seed, ...). `after` names a
    trial whose run this one starts from (`--init-from`), or whose model it measures.
    """

    name: str
    tags: dict[str, Any]
    config: TrainConfig | None = None
    measure: Callable[[dict[str, Any], "TrialContext"], dict[str, Any]] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    after: str | None = None

    @property
    def kind(self) -> str:
        """"train" or "measure"."""
        return "train" if self.config is not None else "measure"


@dataclass(frozen=True)
class TrialContext:
    """What a measuring trial gets: its own folder and the run folder of the trial it comes after."""

    folder: Path
    after_run: Path | None


def hashed_description(trial: Trial, after_key: str | None) -> dict[str, Any]:
    """What identifies a trial: its kind, its config (or measure + payload), and its dependency's key."""
    if trial.config is not None:
        settings = {k: v for k, v in trial.config.to_dict().items()
                    if k not in _NOT_HASHED and not (k in _HASHED_WHEN_SET and not v)
                    and not (k in _HASHED_UNLESS_NONE and v is None)}
        settings["init_from"] = after_key  # a path would change when the folder moves; the key does not
        return {"kind": "train", "config": settings}
    measure = trial.measure
    return {
        "kind": "measure",
        "measure": f"{getattr(measure, '__module__', '?')}.{getattr(measure, '__qualname__', '?')}",
        "payload": trial.payload,
        "after": after_key,
    }


def trial_key(trial: Trial, after_key: str | None = None) -> str:
    """A short, stable hash of what the trial computes (same config -> same key, on any machine)."""
    text = json.dumps(hashed_description(trial, after_key), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


@contextlib.contextmanager
def runs_written_under(folder: Path) -> Iterator[None]:
    """Make seqlab.training.trainer.train create its run folder inside `folder` (it writes under $SEQLAB_RUNS)."""
    before = os.environ.get("SEQLAB_RUNS")
    os.environ["SEQLAB_RUNS"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SEQLAB_RUNS", None)
        else:
            os.environ["SEQLAB_RUNS"] = before


class TrialStore:
    """The trials/ folder of an experiment: one sub-folder per trial, trial.json marking it done."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / TRIALS_DIR

    def folder(self, trial: Trial, key: str) -> Path:
        """trials/<name>-<key>/"""
        return self.root / f"{slugify(trial.name)}-{key}"

    def finished(self, trial: Trial, key: str) -> dict[str, Any] | None:
        """The stored record of a finished trial, or None (missing, torn or from another config)."""
        path = self.folder(trial, key) / TRIAL_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return record if isinstance(record, dict) and record.get("key") == key else None

    def fresh_folder(self, trial: Trial, key: str) -> Path:
        """The trial's folder, emptied of whatever an interrupted earlier attempt left there."""
        folder = self.folder(trial, key)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder

    def save(self, trial: Trial, key: str, record: dict[str, Any]) -> Path:
        """Write trial.json atomically: from this moment the trial counts as done."""
        return atomic_write_json(self.folder(trial, key) / TRIAL_FILE, record)

    def adopt(self, trial: Trial, key: str, source: Path, record: dict[str, Any]) -> dict[str, Any]:
        """Copy another report's finished trial of the same key in as `trial` (its name and tags, its record
        pointing at the copy), and mark it done; return the new record."""
        folder = self.fresh_folder(trial, key)
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns(TRIAL_FILE),  # done only once saved below
                        dirs_exist_ok=True)
        adopted = {**record, "name": trial.name, "tags": trial.tags, "reused_from": str(Path(source).resolve())}
        if record.get("run_dir"):
            inside = Path(record["run_dir"]).parts[2:]  # trials/<name>-<key>/<run folder>
            adopted["run_dir"] = str(Path(TRIALS_DIR, folder.name, *inside))
        self.save(trial, key, adopted)
        return adopted


def find_finished(roots: tuple[str, ...] | list[str], key: str) -> tuple[Path, dict[str, Any]] | None:
    """The folder and record of a finished training trial with this key in any of the report folders `roots`."""
    for root in roots:
        for folder in sorted((Path(root) / TRIALS_DIR).glob(f"*-{key}")):
            try:
                record = json.loads((folder / TRIAL_FILE).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(record, dict) and record.get("key") == key and record.get("kind") == "train":
                return folder, record
    return None
