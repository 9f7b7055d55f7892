"""`seqlab tour`: run every capability end to end on the built-in corpus, offline."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.panel import Panel
from rich.table import Table

from seqlab.commands._common import DeviceOption, JsonOption, SeedOption, user_errors
from seqlab.console import console, emit_json
from seqlab.errors import SeqlabError


@user_errors
def tour(
    out: Annotated[
        Optional[Path],
        typer.Option("--out", help="Folder for the tour's runs and figures (default: a new temporary folder)."),
    ] = None,
    only: Annotated[
        Optional[list[str]], typer.Option("--only", help="Run just these steps (repeat the option); see --list.")
    ] = None,
    list_steps: Annotated[bool, typer.Option("--list", help="List the steps and exit.")] = False,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    json_output: JsonOption = False,
) -> None:
    """Run every seqlab capability end to end on the built-in corpus: offline, a few minutes on a laptop CPU.

    Each step prints what it shows and the command that shows more; the summary at the end lists
    every step with its time. Figures and runs land in --out.
    """
    from seqlab.tour import TourContext, tour_steps

    steps = tour_steps()
    if list_steps:
        for step in steps:
            console.print(f"[bold]{step.name}[/]  {step.title}")
        return
    if only:
        known = {s.name for s in steps}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise SeqlabError(f"unknown tour step(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        steps = [s for s in steps if s.name in only]
    from seqlab.device import resolve_device

    resolve_device(device)  # a device that is not here fails before any step starts
    if out is not None and out.exists() and not out.is_dir():
        raise SeqlabError(f"--out {out} is a file; give a folder for the tour's runs and figures")
    out_dir = out or Path(tempfile.mkdtemp(prefix="seqlab-tour-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    quiet_console = console if not json_output else console.__class__(quiet=True)
    context = TourContext(out_dir=out_dir, seed=seed, device=device, console=quiet_console)

    results: list[dict] = []
    started = time.perf_counter()
    for index, step in enumerate(steps, 1):
        quiet_console.print()
        quiet_console.rule(f"[bold cyan]{index}/{len(steps)}  {step.title}")
        t0 = time.perf_counter()
        summary = step.run(context) or {}
        results.append({"step": step.name, "title": step.title, "seconds": round(time.perf_counter() - t0, 2), **summary})
    total = time.perf_counter() - started

    if json_output:
        emit_json({"out_dir": str(out_dir), "seconds": round(total, 2), "steps": results})
        return
    table = Table(title="tour summary", show_lines=False)
    table.add_column("step")
    table.add_column("what it showed")
    table.add_column("seconds", justify="right")
    for row in results:
        table.add_row(row["step"], row["title"], f"{row['seconds']:.1f}")
    console.print()
    console.print(table)
    console.print(Panel(f"Done in {total:.0f} s. Runs and figures are in [bold]{out_dir}[/].", expand=False))


def register(app: typer.Typer) -> None:
    """Add `seqlab tour` to the app."""
    app.command("tour")(tour)
