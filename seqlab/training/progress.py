"""Training progress: a live bar on a terminal, plain lines in a log; labelled time left for the epoch and the run.

On a terminal: a rich bar with the running-mean loss of the epoch, samples per second, "epoch left" and
"run left" (the rest of this epoch plus the epochs still to come, each estimated from this epoch's pace
and the last dev pass), and a spinner while the dev split is evaluated. Not on a terminal (piped to a
file, a batch job): one plain line every ~30 s, or at each 10% of the epoch once the epoch has run a few
seconds, so a long epoch is never silent and a short one adds no noise.
"""

from __future__ import annotations

import contextlib
import time
from types import TracebackType
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

PLAIN_EVERY_SECONDS = 30.0
PLAIN_EVERY_FRACTION = 0.10
PLAIN_MIN_SECONDS = 5.0  # 10% marks are printed only once this long has passed since the last line


def format_duration(seconds: float) -> str:
    """12 s, 3 min 05 s, 1 h 02 min: short, labelled, for time-left estimates."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class EpochProgress:
    """Progress of the batches of each epoch; silent when quiet; a bar on a terminal, plain lines elsewhere."""

    def __init__(self, console: Console | None, *, quiet: bool = False,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._console = console
        self._live = console is not None and not quiet and console.is_terminal
        self._plain = console is not None and not quiet and not console.is_terminal
        self._clock = clock
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("{task.fields[left]}"),
            console=console,
            disable=not self._live,
            transient=True,
        )
        self._task = None
        self._epoch = self._epochs = self._batches = self._done = 0
        self._samples = 0
        self._mean_loss = float("nan")
        self._started = self._last_line = 0.0
        self._last_fraction = 0.0
        self._eval_seconds = 0.0

    def __enter__(self) -> "EpochProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, exc, tb)

    def start_epoch(self, epoch: int, epochs: int, batches: int, done: int = 0) -> None:
        """Begin a new bar for `epoch` of `epochs` with `batches` steps, `done` of them already trained."""
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._epoch, self._epochs, self._batches, self._done, self._first = epoch, epochs, batches, done, done
        self._task = self._progress.add_task(
            f"epoch {epoch}/{epochs}", total=batches, completed=done, loss="-", rate="-", left="")
        self._samples, self._mean_loss = 0, float("nan")
        self._started = self._last_line = self._clock()
        self._last_fraction = done / max(batches, 1)

    def advance(self, samples: int, mean_loss: float | None) -> None:
        """One step done on `samples` examples; `mean_loss` is the epoch's running mean training loss so far
        (None when the loss was not read this step: on a GPU it is read every few steps, not every step)."""
        self._samples += samples
        if mean_loss is not None:
            self._mean_loss = mean_loss
        self._done += 1
        now = self._clock()
        if self._task is not None and self._live:
            self._progress.update(self._task, advance=1, loss=self._loss_text(),
                                  rate=f"{self.samples_per_second:,.0f}", left=self.time_left_text())
        if self._plain and self._due(now):
            self._last_line, self._last_fraction = now, self._done / max(self._batches, 1)
            self._console.print(self.plain_line(), soft_wrap=True, highlight=False, markup=False)

    def _due(self, now: float) -> bool:
        since = now - self._last_line
        fraction = self._done / max(self._batches, 1)
        if self._done >= self._batches:
            return False  # the epoch's own summary line follows
        return since >= PLAIN_EVERY_SECONDS or (
            since >= PLAIN_MIN_SECONDS and fraction - self._last_fraction >= PLAIN_EVERY_FRACTION)

    @property
    def mean_loss(self) -> float:
        """Mean training loss of this epoch so far (over examples, as last read), steadier than one batch's."""
        return self._mean_loss

    def _loss_text(self) -> str:
        return "-" if self._mean_loss != self._mean_loss else f"{self._mean_loss:.4f}"  # NaN: not read yet

    @property
    def samples_per_second(self) -> float:
        """Training throughput of the current epoch so far: examples through forward and backward per second."""
        return self._samples / max(self._clock() - self._started, 1e-9)

    def seconds_left(self) -> tuple[float, float] | None:
        """(this epoch, the whole run) in seconds, from this epoch's pace; None before the first step."""
        trained = self._done - self._first
        if trained <= 0:
            return None
        per_batch = (self._clock() - self._started) / trained
        epoch_left = per_batch * (self._batches - self._done)
        later_epochs = self._epochs - self._epoch
        run_left = epoch_left + self._eval_seconds + later_epochs * (per_batch * self._batches + self._eval_seconds)
        return epoch_left, run_left

    def time_left_text(self) -> str:
        """'epoch left 12 s · run left 3 min 05 s' (the run part only when more epochs follow)."""
        left = self.seconds_left()
        if left is None:
            return ""
        text = f"epoch left {format_duration(left[0])}"
        if self._epochs > self._epoch:
            text += f" · run left {format_duration(left[1])}"
        return text

    def plain_line(self) -> str:
        """One log line: where the epoch is, the running loss, the rate and the time left."""
        percent = 100 * self._done / max(self._batches, 1)
        line = (f"epoch {self._epoch}/{self._epochs} {percent:3.0f}% ({self._done}/{self._batches})  "
                f"loss {self._loss_text()}  {self.samples_per_second:,.0f} ex/s")
        left = self.time_left_text()
        return line + (f"  {left}" if left else "")

    @contextlib.contextmanager
    def evaluating(self, what: str = "evaluating on the dev split") -> Iterator[None]:
        """A spinner while the dev pass runs (on a terminal); its duration feeds the run's time left."""
        started = self._clock()
        if self._live and self._task is not None:  # the bar's spinner keeps turning; the text says what runs
            self._progress.update(self._task, description=f"epoch {self._epoch}/{self._epochs}: {what}",
                                  left="")
        try:
            yield
        finally:
            self._eval_seconds = self._clock() - started
