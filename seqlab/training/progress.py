"""The live progress bar of a training epoch: loss, samples per second and time left."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class EpochProgress:
    """A rich Progress for the batches of one epoch; silent when quiet or when the console is not a TTY."""

    def __init__(self, console: Console | None, *, quiet: bool = False) -> None:
        enabled = console is not None and not quiet and console.is_terminal
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[rate]} samples/s"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=True,
        )
        self._task = None
        self._samples = 0
        self._started = 0.0

    def __enter__(self) -> "EpochProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, exc, tb)

    def start_epoch(self, epoch: int, epochs: int, batches: int, done: int = 0) -> None:
        """Begin a new bar for `epoch` of `epochs` with `batches` steps, `done` of them already trained."""
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(
            f"epoch {epoch}/{epochs}", total=batches, completed=done, loss="-", rate="-")
        self._samples = 0
        self._started = time.perf_counter()

    def advance(self, samples: int, loss: float | None) -> None:
        """One step done on `samples` examples; `loss` is the running training loss (None: not read this step)."""
        self._samples += samples
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        if self._task is not None:
            shown = {} if loss is None else {"loss": f"{loss:.4f}"}
            self._progress.update(self._task, advance=1, rate=f"{self._samples / elapsed:,.0f}", **shown)

    @property
    def samples_per_second(self) -> float:
        """Throughput of the current epoch so far."""
        return self._samples / max(time.perf_counter() - self._started, 1e-9)
