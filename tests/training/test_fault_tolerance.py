"""Issue 9: a training killed with SIGKILL mid-run resumes to exactly the metrics of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from seqlab.cli import app
from seqlab.training.runs import list_runs, read_metrics

from .helpers import timeless

ARGS = ["train", "--epochs", "6", "--max-train-examples", "800", "--embed-dim", "16", "--hidden", "16",
        "--threads", "1", "--device", "cpu", "--max-length", "24", "--name", "kill", "--quiet"]


def _finished_epochs(run_dir: Path) -> int:
    state = run_dir / "state.pt"
    if not state.is_file():
        return 0
    try:
        return int(torch.load(state, weights_only=True)["epoch"])
    except Exception:  # caught between the write and the rename: look again
        return 0


def _without_times(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in {"seconds", "samples_per_second", "epoch_seconds"}}


def _signal_after_first_epoch(root: Path, sig: signal.Signals) -> tuple[Path, subprocess.Popen]:
    """Start a training in a subprocess, send it `sig` once an epoch has finished, and wait for it to end."""
    env = {**os.environ, "SEQLAB_RUNS": str(root)}
    process = subprocess.Popen([sys.executable, "-m", "seqlab", *ARGS], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        run_dir = None
        while time.monotonic() < deadline and process.poll() is None:
            found = list(root.glob("kill-*"))
            if found and _finished_epochs(found[0]) >= 1:
                run_dir = found[0]
                break
            time.sleep(0.02)
        process.send_signal(sig)
    finally:
        process.wait(timeout=30)
    assert run_dir is not None, process.stderr.read().decode() if process.stderr else "no run directory"
    return run_dir, process


def _assert_resume_matches_a_clean_run(runner, run_dir: Path, clean_root: Path, monkeypatch) -> None:
    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--quiet"])
    assert resumed.exit_code == 0, resumed.output

    monkeypatch.setenv("SEQLAB_RUNS", str(clean_root))
    clean = runner.invoke(app, ARGS)
    assert clean.exit_code == 0, clean.output
    (clean_dir,) = clean_root.glob("kill-*")

    assert timeless(read_metrics(run_dir)) == timeless(read_metrics(clean_dir))  # exact, but for wall times
    killed_result = json.loads((run_dir / "result.json").read_text())
    clean_result = json.loads((clean_dir / "result.json").read_text())
    assert _without_times(killed_result)["dev"] == _without_times(clean_result)["dev"]
    assert killed_result["best_epoch"] == clean_result["best_epoch"]


@pytest.mark.slow
def test_sigkill_then_resume_matches_an_uninterrupted_run(runner, tmp_path, monkeypatch):
    killed_root = tmp_path / "killed"
    run_dir, process = _signal_after_first_epoch(killed_root, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    done = _finished_epochs(run_dir)
    assert 1 <= done < 6, "the run must be killed mid-training"
    assert not (run_dir / "result.json").exists()
    (unfinished,) = list_runs(killed_root)
    assert not unfinished.finished and unfinished.best_dev is not None  # `seqlab runs` shows it as unfinished
    _assert_resume_matches_a_clean_run(runner, run_dir, tmp_path / "clean", monkeypatch)


@pytest.mark.slow
def test_ctrl_c_saves_the_step_it_stopped_at_and_resume_matches_an_uninterrupted_run(runner, tmp_path, monkeypatch):
    run_dir, process = _signal_after_first_epoch(tmp_path / "stopped", signal.SIGINT)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert process.returncode == 130, stderr
    assert len(stderr.strip().splitlines()) == 1 and "interrupted; training is saved as of epoch" in stderr
    assert f"seqlab train --resume {run_dir}" in " ".join(stderr.split())
    assert not (run_dir / "result.json").exists()
    _assert_resume_matches_a_clean_run(runner, run_dir, tmp_path / "clean", monkeypatch)
