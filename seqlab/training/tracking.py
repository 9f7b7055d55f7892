"""`seqlab train --log-to tensorboard`: a run's curves (metrics.jsonl) written as TensorBoard event files.

Off by default and offline: the events go into RUN/tensorboard/ once the run has finished (view them with
`tensorboard --logdir runs`). TensorBoard is an optional extra (`pip install 'seqlab[tracking]'`); without it
the run trains as usual and one line says the tracking was skipped.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Iterable, Sequence

from seqlab.errors import SeqlabError, unknown_choice

TRACKERS: tuple[str, ...] = ("tensorboard",)
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


def tensorboard_installed() -> bool:
    """True when the tensorboard package (what torch.utils.tensorboard writes with) can be imported."""
    return importlib.util.find_spec("tensorboard") is not None


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


def track(run_dir: Path, trackers: Sequence[str], records: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """Log a finished run to each tracker; one line per tracker saying where it went, or why it was skipped."""
    lines = []
    for name in trackers:
        if name == "tensorboard" and not tensorboard_installed():
            lines.append("--log-to tensorboard skipped: tensorboard is not installed (pip install 'seqlab[tracking]')")
            continue
        folder = write_tensorboard(run_dir, records)
        lines.append(f"--log-to tensorboard: {len(scalars(records))} points in {folder} "
                     f"(view: tensorboard --logdir {folder.parent})")
    return tuple(lines)
