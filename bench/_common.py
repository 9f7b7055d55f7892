"""What every benchmark shares: the machine description, interleaved timing, the result table and JSON."""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).resolve().parent / "results"
console = Console() if Console().is_terminal else Console(width=140)  # logs get full tables


def machine_info(device: torch.device, threads: int) -> dict[str, Any]:
    """What the numbers were measured on: CPU model and cores, threads used, GPU name, library versions."""
    info: dict[str, Any] = {
        "device": str(device),
        "threads": threads,
        "cpu": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "load_average_at_start": _load_average(),
    }
    try:
        import transformers

        info["transformers"] = transformers.__version__
    except ImportError:
        pass
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so that a wall-clock reading covers it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass
class Timings:
    """Seconds per repetition for each contender, filled round-robin so that machine noise hits all alike."""

    seconds: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        """Median seconds of one contender."""
        return statistics.median(self.seconds[name])

    def spread(self, name: str) -> float:
        """(max - min) / median of one contender: how noisy its repetitions were."""
        values = self.seconds[name]
        return (max(values) - min(values)) / statistics.median(values)


def time_interleaved(
    contenders: dict[str, Callable[[], None]],
    device: torch.device,
    warmup: int,
    repeats: int,
) -> Timings:
    """Run every contender `warmup` times, then `repeats` rounds of one call each, in turn; time each call."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
        synchronize(device)
    timings = Timings({name: [] for name in contenders})
    for _ in range(repeats):
        for name, fn in contenders.items():
            gc.collect()
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            timings.seconds[name].append(time.perf_counter() - start)
    return timings


def print_table(title: str, columns: list[str], rows: list[list[Any]], caption: str | None = None) -> None:
    """Print the result rows as one rich table."""
    table = Table(title=title, caption=caption)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*[_cell(value) for value in row])
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write the benchmark's result as bench/results/<name>.json (atomically) and return the path."""
    from seqlab.io import atomic_write_json

    path = RESULTS_DIR / f"{name}.json"
    atomic_write_json(path, payload)
    console.print(f"[dim]wrote {path}[/]")
    return path


def read_result(name: str) -> dict[str, Any] | None:
    """The last written result of a benchmark, or None."""
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None
