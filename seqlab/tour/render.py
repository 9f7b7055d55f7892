"""Rich renderables that frame the tour (the steps print their own package's tables)."""

from __future__ import annotations

from typing import Sequence

from rich.panel import Panel
from rich.text import Text


def opening_panel(learn: Sequence[str], about: str, pause: bool) -> Panel:
    """The tour's opening: what it is, about how long it takes, what each step teaches, where it writes."""
    body = Text()
    body.append("You will run small sequence models on your own CPU and see how they work.\n", style="bold")
    body.append("Offline; ")
    body.append(about)
    body.append(" on a laptop CPU.")
    if pause:
        body.append("\nPress Enter after each step to go on.")
    body.append("\n\nYou will learn:\n")
    for index, line in enumerate(learn, 1):
        body.append(f"{index:>2}. ", style="cyan")
        body.append(line)
        body.append("\n")
    body.append("\nRuns and figures go to this folder (cd into it to paste the commands):")
    return Panel(body, title="seqlab tour", title_align="left", border_style="cyan", expand=False)
