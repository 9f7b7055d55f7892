"""`seqlab tour`: run every capability end to end on the built-in corpus, offline."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import FOLDER_OUT_HELP, DeviceOption, JsonOption, SeedOption, user_errors
from seqlab.console import console, emit_json
from seqlab.errors import SeqlabError

NEXT_COMMANDS: tuple[str, ...] = (
    "seqlab quiz                  # ten questions, with hints",
    "seqlab explain attention     # one concept, with a live example",
    "seqlab train --help          # train on real data (SST, IMDB)",
)


def _next_commands(results: list[dict], out_dir: Path) -> list[str]:
    """The commands to try next; the first uses the tour's own transformer run when the train step ran."""
    from seqlab.tour import relative_to

    commands = list(NEXT_COMMANDS)
    for row in results:
        run = (row.get("transformer") or {}).get("run") if row.get("step") == "train" else None
        if run:
            commands.insert(0, f'seqlab predict {relative_to(run, out_dir)} "your own sentence"')
    return commands


def _wait_for_enter(console, prompt: str) -> bool:
    """Wait for Enter; False when the learner typed q (or input ended)."""
    try:
        from rich.text import Text

        reply = console.input(Text(prompt, style="dim"))
    except EOFError:
        return False
    return reply.strip().lower() not in {"q", "quit"}


def _rest_command(steps: list, out_dir: Path) -> str:
    """The command that runs the steps the learner stopped before, into the same folder."""
    only = " ".join(f"--only {step.name}" for step in steps)
    return f"seqlab tour {only} --out {out_dir}"


@user_errors
def tour(
    out: Annotated[
        Optional[Path],
        typer.Option("--out", metavar="DIR",
                     help=f"{FOLDER_OUT_HELP}: the tour's runs and figures (default: a new temporary folder)."),
    ] = None,
    only: Annotated[
        Optional[list[str]],
        typer.Option("--only", metavar="STEP", help="Run just these steps (repeat the option); see --list."),
    ] = None,
    list_steps: Annotated[bool, typer.Option("--list", help="List the steps and exit.")] = False,
    pause: Annotated[
        bool, typer.Option("--pause", help="Start each step at the top of the screen and wait for Enter after it, to "
                           "read at your pace (q stops and prints the command for the rest). Only at a terminal: "
                           "ignored when piped or when printing JSON.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also show how each measurement was made (tolerances, details).")
    ] = False,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    json_output: JsonOption = False,
) -> None:
    """A guided lesson: run small sequence models end to end on the built-in corpus, offline, in about a minute.

    It opens with what you will learn, ends each step with its takeaway (computed from what ran), asks you
    one quiz question when you are at a terminal, and closes with the pictures to open and the commands to
    try next. Runs and figures land in --out.
    """
    import sys

    from seqlab.tour import TourContext, tour_steps
    from seqlab.tour.lesson import LESSONS, print_ending, print_opening, print_takeaway, takeaway

    steps = tour_steps()
    if list_steps:
        for step in steps:
            lesson = LESSONS.get(step.name)
            console.print(f"[bold]{step.name:<11}[/]{lesson.learn if lesson else step.title}", highlight=False)
        return
    if only:
        known = {s.name for s in steps}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise SeqlabError(f"unknown tour step(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        steps = [s for s in steps if s.name in only]
    from seqlab.device import resolve_device

    resolve_device(device)  # a device that is not here fails before any step starts
    if out is not None:
        from seqlab.outputs import check_folder_option

        check_folder_option(out)  # an existing file, or x.png: one line, never a folder named x.png
    out_dir = (out or Path(tempfile.mkdtemp(prefix="seqlab-tour-"))).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    talk = console if not json_output else console.__class__(quiet=True)
    at_terminal = not json_output and sys.stdin.isatty() and console.is_terminal
    context = TourContext(out_dir=out_dir, seed=seed, device=device, console=talk, verbose=verbose,
                          interactive=at_terminal)
    print_opening(talk, steps, out_dir, pause and at_terminal)
    paging = pause and at_terminal
    if paging and not _wait_for_enter(talk, "Enter: start, q: stop here "):
        talk.print("To take the tour later:")
        talk.print(f"  {_rest_command(steps, out_dir)}", soft_wrap=True, highlight=False)
        return

    results: list[dict] = []
    started = time.perf_counter()
    waited = 0.0
    for index, step in enumerate(steps, 1):
        if paging:
            talk.clear()  # each step starts at the top of the screen, not scrolled away at 24 rows
        talk.print()
        talk.rule(f"[bold cyan]{index}/{len(steps)}  {step.title}")
        t0 = time.perf_counter()
        summary = step.run(context) or {}
        answering = float(summary.get("waited_seconds", 0.0))  # time the learner spent on the quiz question
        waited += answering
        seconds = round(time.perf_counter() - t0 - answering, 2)
        line = takeaway(step.name, summary, context)
        if line:
            talk.print()
            print_takeaway(talk, line)
        results.append({"step": step.name, "title": step.title, "seconds": seconds, "takeaway": line, **summary})
        if paging and index < len(steps):
            asked = time.perf_counter()
            going_on = _wait_for_enter(talk, f"step {index}/{len(steps)} done. Enter: next step, q: stop here ")
            waited += time.perf_counter() - asked
            if not going_on:
                talk.print("The rest of the tour, when you want it:")
                talk.print(f"  {_rest_command(steps[index:], out_dir)}", soft_wrap=True, highlight=False)
                break
    total = time.perf_counter() - started - waited  # the time the tour ran, not the time it waited for you

    if json_output:
        emit_json({"out_dir": str(out_dir), "seconds": round(total, 2), "steps": results})
        return
    print_ending(console, out_dir, results, total, _next_commands(results, out_dir))


def register(app: typer.Typer) -> None:
    """Add `seqlab tour` to the app."""
    app.command("tour")(tour)
