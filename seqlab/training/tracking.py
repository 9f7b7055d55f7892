"""`seqlab train --log-to tensorboard|trackio`: a run's curves (metrics.jsonl) logged to a tracker once it finishes.

Off by default and offline. TensorBoard: event files in RUN/tensorboard/ (view them with `tensorboard --logdir
runs`). Trackio: a run named after the run folder in the local project "seqlab" (its SQLite store under
$TRACKIO_DIR, by default ~/.cache/huggingface/trackio; nothing is sent anywhere; view with `trackio show --project
seqlab`). Both are optional (`pip install 'seqlab[tracking]'`); without one the run trains as usual and one line
says that tracking was skipped.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

from seqlab.errors import SeqlabError, unknown_choice

TRACKERS: tuple[str, ...] = ("tensorboard", "trackio")
TRACKIO_PROJECT = "seqlab"
TENSORBOARD_DIR = "tensorboard"
NOT_SCALARS = frozenset({"event", "epoch", "step", "split", "seconds", "items", "unit"})


def check_trackers(names: Iterable[str]) -> tuple[str, ...]:
    """The --log-to names, lower-cased and without repeats; an unknown one is a SeqlabError naming the choices."""
    chosen: list[str] = []
    for name in names:
        name = name.strip().lower()
        if name not in TRACKERS:
            raise SeqlabError(unknown_choice("log-to", name, TRACKERS))
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def installed(tracker: str) -> bool:
    """True when the tracker's package can be imported (tensorboard: what torch.utils.tensorboard writes with)."""
    return importlib.util.find_spec(tracker) is not None


def scalars(records: Sequence[dict[str, Any]]) -> list[tuple[str, float, int]]:
    """(tag, value, step) for every number of the metrics records: "train/loss", "dev/accuracy", ...; the
    per-step training loss (event "step") is "train/step_loss", so it does not mix with the epoch means."""
    found = []
    for record in records:
        split = str(record.get("split", "train"))
        step = record.get("step")
        if not isinstance(step, int):
            continue
        for key, value in record.items():
            if key in NOT_SCALARS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            name = f"step_{key}" if record.get("event") == "step" else key
            found.append((f"{split}/{name}", float(value), step))
    return found


def write_tensorboard(run_dir: Path, records: Sequence[dict[str, Any]]) -> Path:
    """Write the records' scalars as TensorBoard events under RUN/tensorboard/ (replacing earlier ones); the folder."""
    from torch.utils.tensorboard import SummaryWriter  # needs the optional tensorboard package

    folder = Path(run_dir) / TENSORBOARD_DIR
    if folder.is_dir():
        for old in folder.glob("events.out.tfevents.*"):
            old.unlink()
    writer = SummaryWriter(log_dir=str(folder))
    try:
        for tag, value, step in scalars(records):
            writer.add_scalar(tag, value, step)
    finally:
        writer.close()
    return folder


def write_trackio(run_dir: Path, records: Sequence[dict[str, Any]], config: dict[str, Any] | None = None) -> str:
    """Log the records' scalars to a local Trackio run named after the run folder; where they went (one line).
    Trackio's own prints are kept off stdout, so --json stays one JSON document."""
    import trackio  # the optional tracking extra

    by_step: dict[int, dict[str, float]] = defaultdict(dict)
    for tag, value, step in scalars(records):
        by_step[step][tag] = value
    with contextlib.redirect_stdout(io.StringIO()):
        trackio.init(project=TRACKIO_PROJECT, name=Path(run_dir).name, config=config or {}, embed=False,
                     auto_log_cpu=False, auto_log_gpu=False, capture_console=False)
        try:
            for step in sorted(by_step):
                trackio.log(by_step[step], step=step)
        finally:
            trackio.finish()
    return f"project {TRACKIO_PROJECT!r}, run {Path(run_dir).name!r}"


def track(run_dir: Path, trackers: Sequence[str], records: Sequence[dict[str, Any]],
          config: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Log a finished run to each tracker; one line per tracker saying where it went, or why it was skipped."""
    lines = []
    for name in trackers:
        if not installed(name):
            lines.append(f"--log-to {name} skipped: {name} is not installed (pip install 'seqlab[tracking]')")
        elif name == "tensorboard":
            folder = write_tensorboard(run_dir, records)
            lines.append(f"--log-to tensorboard: {len(scalars(records))} points in {folder} "
                         f"(view: tensorboard --logdir {folder.parent})")
        else:
            where = write_trackio(run_dir, records, config)
            lines.append(f"--log-to trackio: {len(scalars(records))} points in {where} "
                         f"(view: trackio show --project {TRACKIO_PROJECT})")
    return tuple(lines)
