"""Trials in parallel on one machine: N worker processes (spawned), each training one trial at a time with its
own torch thread count, each saving its trial.json into the shared trial store the moment the trial finishes.

The store is safe with concurrent writers: every trial has a folder of its own (trials/<name>-<key>/), created
empty by the parent before the trial is sent, and its trial.json is written atomically (a fresh temporary file
renamed over it). A trial that runs after another (`Trial.after`) is sent only once that one is done, so the
numbers are those of a sequential run: every trial seeds itself from its own config.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any, Callable

import torch

from seqlab.experiments.execute import run_trial
from seqlab.experiments.trials import Trial, TrialStore

def threads_per_worker(workers: int, threads: int | None = None) -> int:
    """Torch threads each worker process uses: `threads` (--threads) when given, else cores // workers, at
    least 1."""
    return threads if threads else max(1, (os.cpu_count() or 1) // workers)


def _start_worker(threads: int) -> None:
    """In each worker: leave Ctrl-C to the parent (which stops the pool) and use `threads` torch threads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)


def _train_and_save(trial: Trial, key: str, folder: str, after_run: str | None, out_dir: str) -> dict[str, Any]:
    """In a worker: run `trial` in `folder`, save its trial.json (done from now on), return its record."""
    root = Path(out_dir)
    record = run_trial(trial, key, Path(folder), Path(after_run) if after_run else None, root)
    TrialStore(root).save(trial, key, record)
    return record


Started = Callable[[Trial], None]
Finished = Callable[[Trial, dict[str, Any]], None]


def run_in_pool(trials: list[Trial], keys: dict[str, str], store: TrialStore, out_dir: Path,
                run_dirs: dict[str, Path | None], workers: int, threads: int,
                on_start: Started, on_finish: Finished) -> dict[str, dict[str, Any]]:
    """Train `trials` (in plan order, each after its `after` trial is done) in `workers` spawned processes; return
    their records by trial name. `run_dirs` holds the run folder of every trial already done (filled in as
    trials finish). On Ctrl-C or a failing trial the pool is terminated: trials still running leave no
    trial.json, so only finished trials count as done."""
    waiting = list(trials)
    records: dict[str, dict[str, Any]] = {}
    finished: queue.Queue[tuple[str, Any, bool]] = queue.Queue()
    running = 0
    context = multiprocessing.get_context("spawn")
    pool: Pool = context.Pool(processes=min(workers, len(trials)), initializer=_start_worker, initargs=(threads,))
    try:
        while waiting or running:
            for trial in [t for t in waiting if t.after is None or t.after in run_dirs]:
                waiting.remove(trial)
                folder = store.fresh_folder(trial, keys[trial.name])
                after_run = run_dirs.get(trial.after) if trial.after else None
                name = trial.name
                pool.apply_async(
                    _train_and_save, (trial, keys[name], str(folder), str(after_run) if after_run else None,
                                      str(out_dir)),
                    callback=lambda record, name=name: finished.put((name, record, True)),
                    error_callback=lambda error, name=name: finished.put((name, error, False)))
                running += 1
                on_start(trial)
            if not running:
                raise AssertionError(f"trials wait on trials never planned: {[t.name for t in waiting]}")
            name, outcome, ok = _next(finished)
            running -= 1
            if not ok:
                raise outcome
            trial = next(t for t in trials if t.name == name)
            records[name] = outcome
            run_dirs[name] = out_dir / outcome["run_dir"] if outcome.get("run_dir") else None
            on_finish(trial, outcome)
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
    return records


def _next(finished: queue.Queue[tuple[str, Any, bool]]) -> tuple[str, Any, bool]:
    """The next finished trial, waiting in short slices so that Ctrl-C is seen at once."""
    while True:
        try:
            return finished.get(timeout=0.2)
        except queue.Empty:
            continue
