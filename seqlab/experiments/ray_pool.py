"""Trials past one machine: every trial a Ray task (`--executor ray`, the optional `[cluster]` extra), asking the
cluster for its CPUs (and one GPU when it trains on cuda); what the task made comes back into the report folder.

A task trains its trial in a temporary report folder of its own on whichever node Ray picks (nodes share no
disk), then returns the trial's record and its folder packed as a tar archive. The driver, here, unpacks the
folder into the trial store (trials/<name>-<key>/, the folder the local path trains into) and writes trial.json
last, so a trial counts as done only once it is back. A trial that starts from another (`Trial.after`) gets that
trial's run folder shipped with it, and paths into the task's folder are rewritten to this report's, so the
records are those of a sequential run: same keys, same seeds, same numbers.

Ray is imported by `load_ray` alone, when an experiment asks for it: `seqlab --help` and every other command
never pay for it, and without it installed `--executor ray` is one error line.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch

from seqlab.errors import SeqlabError
from seqlab.experiments.execute import run_trial
from seqlab.experiments.trials import Trial, TrialStore

INSTALL_HINT = 'pip install -e ".[cluster]"'
REACH_SECONDS = 5.0  # how long --ray-address HOST:PORT may take to answer before it is called unreachable
_REWRITTEN_FILES = ("config.json",)  # the run folder files that name paths (init_from)

Started = Callable[[Trial], None]
Finished = Callable[[Trial, dict[str, Any]], None]


def load_ray() -> Any:
    """The `ray` module; without it one SeqlabError saying how to install the [cluster] extra."""
    try:
        import ray
    except ImportError:
        raise SeqlabError(f"--executor ray needs Ray, which is not installed; install it with: {INSTALL_HINT} "
                          "(or run the trials here with --executor local)") from None
    return ray


def trial_resources(trial: Trial, threads: int, cluster_gpus: float) -> dict[str, float]:
    """What a trial asks the cluster for: `threads` CPUs, and one GPU when it trains on cuda (--device cuda, or
    auto on a cluster that has GPUs). Measuring trials run on CPUs."""
    device = (trial.config.device if trial.config is not None else "cpu").strip().lower()
    if device.startswith("cuda:"):
        raise SeqlabError(f"--device {device}: on a Ray cluster give --device cuda; Ray picks the GPU of each trial")
    if device == "cuda" and not cluster_gpus:
        raise SeqlabError("--device cuda was asked for but the Ray cluster has no GPU; use --device cpu or auto, "
                          "or start the Ray nodes on GPU machines")
    wants_gpu = device == "cuda" or (device == "auto" and cluster_gpus > 0)
    return {"num_cpus": threads, "num_gpus": 1 if wants_gpu else 0}


def pack(folder: Path, arcname: str = ".") -> bytes:
    """`folder` (and everything under it) as an uncompressed tar archive, its members under `arcname`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(folder, arcname=arcname)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """Extract an archive made by `pack` into `folder`; members that would land outside it are refused."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as archive:
        archive.extractall(folder, filter="data")


def rehome(value: Any, worker_root: str, driver_root: str) -> Any:
    """`value` with every string that starts with the task's report folder starting with this report's instead."""
    if isinstance(value, dict):
        return {k: rehome(v, worker_root, driver_root) for k, v in value.items()}
    if isinstance(value, list):
        return [rehome(v, worker_root, driver_root) for v in value]
    if isinstance(value, str) and (value == worker_root or value.startswith(worker_root + os.sep)):
        return driver_root + value[len(worker_root):]
    return value


def _rehome_files(folder: Path, worker_roots: list[str], driver_root: str) -> None:
    """Rewrite the task's report folder to this report's in the run folder files that name paths."""
    for path in folder.rglob("*"):
        if path.name not in _REWRITTEN_FILES or not path.is_file():
            continue
        text = original = path.read_text(encoding="utf-8")
        for root in worker_roots:
            text = text.replace(root + os.sep, driver_root + os.sep)
        if text != original:
            path.write_text(text, encoding="utf-8")


def train_remote(trial: Trial, key: str, after_bundle: bytes | None, after_rel: str | None, driver_root: str,
                 threads: int) -> tuple[dict[str, Any], bytes]:
    """In a Ray task: run `trial` in a temporary report folder (with the run it comes after unpacked at
    `after_rel`), and return its record, paths as in `driver_root`, and its trial folder packed."""
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory(prefix="seqlab-trial-") as temporary:
        root = Path(temporary)
        folder = TrialStore(root).folder(trial, key)
        folder.mkdir(parents=True)
        after_run = None
        if after_bundle is not None and after_rel is not None:
            unpack(after_bundle, root)
            after_run = root / after_rel
        record = run_trial(trial, key, folder, after_run, root)
        roots = sorted({str(root), str(root.resolve())}, key=len, reverse=True)
        for worker_root in roots:
            record = rehome(record, worker_root, driver_root)
        _rehome_files(folder, roots, driver_root)
        return record, pack(folder)


def check_reachable(address: str | None) -> None:
    """One SeqlabError when nothing answers at --ray-address HOST:PORT (Ray itself retries for minutes);
    `auto`, `local`, `ray://...` and no address are left to Ray."""
    if not address or address in ("auto", "local") or "://" in address or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise SeqlabError(f"--ray-address {address}: give HOST:PORT (the head node's address, as `ray start --head` "
                          "prints it, port 6379 by default) or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_SECONDS).close()
    except OSError as error:
        raise SeqlabError(f"nothing answers at --ray-address {address} ({error.strerror or error}); start the head "
                          "node there with `ray start --head --port " + port + "`, or check the address") from None


def connect(ray: Any, address: str | None) -> bool:
    """Join the Ray cluster at `address` (None: $RAY_ADDRESS, a cluster started on this machine with `ray start`,
    else a new local instance) unless this process already has; True when this call started the connection."""
    if ray.is_initialized():
        return False
    try:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError, ... for a bad address
        where = f"at {address}" if address else "(none given: $RAY_ADDRESS or a local instance)"
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        token = ("; if it uses token authentication (newer Ray turns it on for `ray start`), set RAY_AUTH_MODE=token "
                 "and RAY_AUTH_TOKEN to what `ray get-auth-token` prints on the head node"
                 if address and "RAY_AUTH_MODE" not in os.environ else "")
        raise SeqlabError(f"could not connect to the Ray cluster {where}: {reason}; start one with `ray start "
                          f"--head` and pass its address with --ray-address HOST:6379{token}") from None
    return True


def run_on_ray(trials: list[Trial], keys: dict[str, str], store: TrialStore, out_dir: Path,
               run_dirs: dict[str, Path | None], address: str | None, threads: int,
               on_start: Started, on_finish: Finished) -> dict[str, dict[str, Any]]:
    """Train `trials` as Ray tasks (each sent once its `after` trial is back), save each one's folder and
    trial.json into `store` as it comes back; return their records by trial name. `run_dirs` holds the run
    folder of every trial already done (filled in as trials finish). On Ctrl-C or a failing trial the tasks
    still running are cancelled and leave no trial.json."""
    ray = load_ray()
    started_here = connect(ray, address)
    try:
        return _send_and_collect(ray, trials, keys, store, out_dir, run_dirs, threads, on_start, on_finish)
    finally:
        if started_here:
            ray.shutdown()


def _send_and_collect(ray: Any, trials: list[Trial], keys: dict[str, str], store: TrialStore, out_dir: Path,
                      run_dirs: dict[str, Path | None], threads: int, on_start: Started,
                      on_finish: Finished) -> dict[str, dict[str, Any]]:
    """The loop of `run_on_ray`, on a connected Ray."""
    gpus = float(ray.cluster_resources().get("GPU", 0))
    task = ray.remote(train_remote)
    waiting = list(trials)
    running: dict[Any, Trial] = {}
    shipped: dict[str, Any] = {}  # the run folder of an `after` trial, put into the object store once
    records: dict[str, dict[str, Any]] = {}
    try:
        while waiting or running:
            for trial in [t for t in waiting if t.after is None or t.after in run_dirs]:
                waiting.remove(trial)
                store.fresh_folder(trial, keys[trial.name])  # as the local path: emptied of an interrupted attempt
                after_run = run_dirs.get(trial.after) if trial.after else None
                after_rel = str(after_run.relative_to(out_dir)) if after_run is not None else None
                bundle = None
                if trial.after and after_run is not None and after_rel is not None:
                    if trial.after not in shipped:
                        shipped[trial.after] = ray.put(pack(after_run, after_rel))
                    bundle = shipped[trial.after]
                reference = task.options(**trial_resources(trial, threads, gpus), name=f"seqlab {trial.name}").remote(
                    trial, keys[trial.name], bundle, after_rel, str(out_dir), threads)
                running[reference] = trial
                on_start(trial)
            if not running:
                raise AssertionError(f"trials wait on trials never planned: {[t.name for t in waiting]}")
            done, _ = ray.wait(list(running), num_returns=1, timeout=0.2)  # short slices: Ctrl-C is seen at once
            for reference in done:
                trial = running.pop(reference)
                record, folder = _outcome(ray, reference, trial)
                unpack(folder, store.folder(trial, keys[trial.name]))
                store.save(trial, keys[trial.name], record)
                records[trial.name] = record
                run_dirs[trial.name] = out_dir / record["run_dir"] if record.get("run_dir") else None
                on_finish(trial, record)
    except BaseException:
        for reference in running:
            ray.cancel(reference, force=True)
        raise
    return records


def _outcome(ray: Any, reference: Any, trial: Trial) -> tuple[dict[str, Any], bytes]:
    """A finished task's (record, packed folder); the trial's own error as it was raised in the task, a lost task
    (its node or worker died) as one SeqlabError."""
    try:
        return ray.get(reference)
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, BaseException):
            raise cause from None
        raise
    except ray.exceptions.RayError as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SeqlabError(f"trial {trial.name} was lost on the Ray cluster: {reason}; rerun the same command to "
                          "train the missing trials") from None
