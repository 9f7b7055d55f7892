"""Issue 33: `seqlab train --log-to tensorboard|trackio`: off by default, offline, the run's curves as TensorBoard events
or a local Trackio run; without the optional package the run trains and one line says the tracking was skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.training import tracking
from seqlab.training.tracking import check_trackers, scalars, write_tensorboard

RECORDS = [
    {"event": "step", "epoch": 1, "step": 20, "split": "train", "loss": 0.7},
    {"event": "epoch", "epoch": 1, "step": 25, "split": "train", "loss": 0.65, "seconds": 1.5, "items": 800,
     "unit": "examples"},
    {"event": "epoch", "epoch": 1, "step": 25, "split": "dev", "loss": 0.6, "accuracy": 0.7, "macro_f1": 0.69},
]
TINY = ["train", "--epochs", "1", "--max-train-examples", "40", "--embed-dim", "8", "--hidden", "8",
        "--max-length", "16", "--threads", "1", "--device", "cpu", "--quiet", "--json"]


def test_scalars_are_the_numbers_of_each_record_by_split() -> None:
    assert scalars(RECORDS) == [("train/step_loss", 0.7, 20), ("train/loss", 0.65, 25), ("dev/loss", 0.6, 25),
                                ("dev/accuracy", 0.7, 25), ("dev/macro_f1", 0.69, 25)]


def test_an_unknown_tracker_is_one_error_naming_the_choices() -> None:
    assert check_trackers(["TensorBoard", "tensorboard"]) == ("tensorboard",)
    with pytest.raises(SeqlabError, match="unknown log-to 'tensorbord'; did you mean tensorboard"):
        check_trackers(["tensorbord"])


def test_without_tensorboard_the_run_trains_and_one_line_says_skipped(runner, monkeypatch) -> None:
    monkeypatch.setattr(tracking, "installed", lambda name: False)
    result = runner.invoke(app, [*TINY, "--log-to", "tensorboard"])
    assert result.exit_code == 0, result.output
    run_dir = Path(json.loads(result.stdout)["run_dir"])  # stdout is still one JSON document
    assert "--log-to tensorboard skipped: tensorboard is not installed" in result.stderr
    assert not (run_dir / "tensorboard").exists()


def test_tensorboard_events_hold_the_curves(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard", reason="the optional tracking extra (pip install 'seqlab[tracking]')")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    folder = write_tensorboard(tmp_path, RECORDS)
    events = EventAccumulator(str(folder))
    events.Reload()
    assert sorted(events.Tags()["scalars"]) == ["dev/accuracy", "dev/loss", "dev/macro_f1", "train/loss",
                                                "train/step_loss"]
    [accuracy] = events.Scalars("dev/accuracy")
    assert (accuracy.step, round(accuracy.value, 4)) == (25, 0.7)
    write_tensorboard(tmp_path, RECORDS)  # again: replaces, never doubles the points
    assert len(list(folder.glob("events.out.tfevents.*"))) == 1


def test_trackio_gets_the_curves_in_a_local_store_and_json_stays_clean(runner, tmp_path: Path) -> None:
    pytest.importorskip("trackio", reason="the optional tracking extra (pip install 'seqlab[tracking]')")
    import sqlite3
    import subprocess
    import sys

    store = tmp_path / "trackio"  # TRACKIO_DIR is read when trackio is imported: a child process of its own
    env = {**os.environ, "TRACKIO_DIR": str(store), "SEQLAB_RUNS": str(tmp_path / "runs")}
    done = subprocess.run([sys.executable, "-m", "seqlab", *TINY, "--log-to", "trackio"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    run_dir = Path(json.loads(done.stdout)["run_dir"])  # stdout is one JSON document: trackio's prints kept off it
    assert "--log-to trackio: " in done.stderr and "trackio show --project seqlab" in done.stderr
    with sqlite3.connect(store / "seqlab.db") as db:
        tables = {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
        dumped = " ".join(str(row) for table in tables for row in db.execute(f"select * from {table}"))
    assert run_dir.name in dumped and "dev/accuracy" in dumped

