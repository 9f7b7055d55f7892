"""Issue 9: a training killed with SIGKILL mid-run, or stopped with Ctrl-C, resumes to exactly the metrics of an
uninterrupted run. The signal is sent while the child waits at a fixed step, so the tests never race a fast
training."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from seqlab.cli import app
from seqlab.training.runs import list_runs, read_metrics

from .helpers import timeless

ARGS = ["train", "--epochs", "3", "--max-train-examples", "800", "--embed-dim", "16", "--hidden", "16",
        "--threads", "1", "--device", "cpu", "--max-length", "24", "--name", "kill", "--quiet"]
PAUSE_AT = (2, 5)  # (epoch, batch): the signal arrives while the run waits after this step, never at random
# `seqlab train` in a child process whose fit loop waits after step PAUSE_AT, prints "paused", and goes on only
# once its Ctrl-C handler has run (or is killed), so the signal lands at the same step however loaded the machine.
PAUSED_TRAIN = f"""
import signal, sys, time
import seqlab.training.trainer as trainer
from seqlab.cli import main

real_fit = trainer.fit

def fit(*args, on_step=None, **kwargs):
    def pause(epoch, epochs, step, steps):
        if (epoch, step) != {PAUSE_AT}:
            return
        print("paused", flush=True)
        stop = signal.getsignal(signal.SIGINT).__self__  # the fit loop's StopRequest
        deadline = time.monotonic() + 120
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(0.01)
    return real_fit(*args, on_step=pause, **kwargs)

trainer.fit = fit
sys.argv = ["seqlab", *sys.argv[1:]]
main()
"""


def _finished_epochs(run_dir: Path) -> int:
    state = run_dir / "state.pt"
    if not state.is_file():
        return 0
    return int(torch.load(state, weights_only=True)["epoch"])


def _without_times(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in {"seconds", "samples_per_second", "epoch_seconds"}}


def _signal_while_paused(root: Path, sig: signal.Signals) -> tuple[Path, subprocess.Popen, str]:
    """Train in a child process, send it `sig` while it waits after step PAUSE_AT, and wait for it to end."""
    env = {**os.environ, "SEQLAB_RUNS": str(root)}
    process = subprocess.Popen([sys.executable, "-c", PAUSED_TRAIN, *ARGS], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watchdog = threading.Timer(300, process.kill)  # a child that never pauses must not hang the suite
    watchdog.start()
    try:
        paused = process.stdout.readline().decode().strip() if process.stdout else ""
        if paused == "paused":
            process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
        process.kill()
    assert paused == "paused", stderr.decode()
    (run_dir,) = root.glob("kill-*")
    return run_dir, process, stderr.decode()


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
    run_dir, process, _ = _signal_while_paused(killed_root, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert _finished_epochs(run_dir) == PAUSE_AT[0] - 1, "killed in epoch 2: the state saved is epoch 1's"
    assert not (run_dir / "result.json").exists()
    (unfinished,) = list_runs(killed_root)
    assert not unfinished.finished and unfinished.best_dev is not None  # `seqlab runs` shows it as unfinished
    _assert_resume_matches_a_clean_run(runner, run_dir, tmp_path / "clean", monkeypatch)


@pytest.mark.slow
def test_ctrl_c_saves_the_step_it_stopped_at_and_resume_matches_an_uninterrupted_run(runner, tmp_path, monkeypatch):
    run_dir, process, stderr = _signal_while_paused(tmp_path / "stopped", signal.SIGINT)
    assert process.returncode == 130, stderr
    epoch, batch = PAUSE_AT
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert f"interrupted; training is saved as of epoch {epoch}, batch {batch} of 25" in stderr  # where it stopped
    assert f"seqlab train --resume {run_dir}" in " ".join(stderr.split())
    state = torch.load(run_dir / "state.pt", weights_only=True)
    assert (state["epoch"], state["batches_done"]) == (epoch - 1, batch)
    assert not (run_dir / "result.json").exists()
    _assert_resume_matches_a_clean_run(runner, run_dir, tmp_path / "clean", monkeypatch)
