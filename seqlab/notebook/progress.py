"""Where output goes: a live progress bar in a notebook cell (Jupyter, Colab, VS Code), or nothing.

A notebook gets an HTML bar that IPython updates in place (`display(..., display_id=True)` then `update`:
every notebook front end supports it, no ipywidgets needed). A terminal keeps the command's rich bar, and
output that is neither (a script piped to a file, a CI log) gets no progress lines at all.
"""

from __future__ import annotations

import html
import sys
import time
from typing import Any, Callable

from seqlab.training.progress import format_duration

UPDATE_SECONDS = 0.25  # the bar is redrawn at most this often (and at each epoch's end)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, Colab, VS Code): an IPython shell that has a kernel."""
    ipython = sys.modules.get("IPython")  # never imported here: a notebook has already loaded it
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _html_display() -> tuple[Callable[[str], Any], Callable[[Any, str], None]]:
    """(show, update): show HTML in the cell's output and get a handle, update that output in place."""
    from IPython.display import HTML, display

    def show(markup: str) -> Any:
        return display(HTML(markup), display_id=True)

    def update(handle: Any, markup: str) -> None:
        handle.update(HTML(markup))

    return show, update


class NotebookProgress:
    """`on_step(epoch, epochs, step, steps)` for training: an HTML bar in the cell with the time left."""

    def __init__(self, show: Callable[[str], Any] | None = None, update: Callable[[Any, str], None] | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if show is None or update is None:
            show, update = _html_display()
        self._show, self._update, self._clock = show, update, clock
        self._handle: Any = None
        self._started = self._drawn = 0.0
        self._first: int | None = None  # overall step at the first call (a resumed run starts part-way)

    def __call__(self, epoch: int, epochs: int, step: int, steps: int) -> None:
        now = self._clock()
        done, total = (epoch - 1) * steps + step, max(epochs * steps, 1)
        if self._first is None:
            self._first, self._started = done, now
        if self._handle is not None and step not in (0, steps) and now - self._drawn < UPDATE_SECONDS:
            return
        markup = self.markup(epoch, epochs, step, steps, self._left(now, done, total))
        if self._handle is None:
            self._handle = self._show(markup)
        else:
            self._update(self._handle, markup)
        self._drawn = now

    def _left(self, now: float, done: int, total: int) -> float | None:
        trained = done - (self._first or 0)
        if trained <= 0:
            return None
        return (now - self._started) / trained * (total - done)

    @staticmethod
    def markup(epoch: int, epochs: int, step: int, steps: int, left: float | None) -> str:
        """The bar: epoch e/E, a <progress> element over the epoch's steps, step s/S and the run's time left."""
        when = "" if left is None else f" · run left {format_duration(left)}"
        label = html.escape(f"epoch {epoch}/{epochs} · step {step}/{steps}{when}")
        return (f'<div class="seqlab-progress" style="font:13px system-ui,sans-serif">'
                f'<progress value="{int(step)}" max="{max(int(steps), 1)}" style="width:16em;vertical-align:middle">'
                f"</progress> {label}</div>")
