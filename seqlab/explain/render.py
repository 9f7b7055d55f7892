"""Rich renderables for topics: the topic list and one topic with its live example.

All topic text goes through rich `Text` objects, never markup, so brackets like [CLS] print as written.
"""

from __future__ import annotations

import re
from typing import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from seqlab.explain.topic import DemoResult, Topic


def topics_table(topics: Sequence[Topic]) -> Table:
    """A table of topic id, title and one-line summary."""
    table = Table(title="seqlab explain TOPIC", title_justify="left", expand=True)
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("title", ratio=2)
    table.add_column("in one line", style="dim", ratio=3)
    for topic in topics:
        table.add_row(Text(topic.id), Text(topic.title), Text(topic.summary))
    return table


def bullets(items: Sequence[str], mark: str, style: str = "") -> Table:
    """Items as a hanging-indent list: wrapped lines stay aligned after the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style=style, no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row(mark, Text(item))
    return grid


def _looks_numeric(cell: str) -> bool:
    """True for cells such as '0.123', '-4', '1,234', '3.2e-05', '1.7x', '12%' (right-aligned in tables)."""
    return re.fullmatch(r"[-+]?[\d,]*\.?\d+(e[-+]?\d+)?[x%]?|-", cell.strip()) is not None


def is_agreement_check(note: str) -> bool:
    """Notes such as 'max |by hand - torch| = 0.0e+00': checks for tests and --json, noise for a learner."""
    return note.lstrip().startswith("max |")


def paragraphs(text: str, sentences_per_paragraph: int = 2) -> str:
    """Prose as short paragraphs of a few sentences each (a blank line between), easier to read than one block."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", " ".join(text.split()))
    groups = [sentences[i:i + sentences_per_paragraph] for i in range(0, len(sentences), sentences_per_paragraph)]
    return "\n\n".join(" ".join(group) for group in groups)


def demo_renderable(demo: DemoResult) -> RenderableType:
    """The live example: what it computes, its table (if any), then its notes."""
    parts: list[RenderableType] = [Text(demo.title, style="bold")]
    if demo.columns:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for index, column in enumerate(demo.columns):
            numeric = index > 0 and all(_looks_numeric(row[index]) for row in demo.rows if index < len(row))
            table.add_column(Text(column), justify="right" if numeric else "left")
        for row in demo.rows:
            table.add_row(*(Text(cell) for cell in row))
        parts.append(table)
    notes = [note for note in demo.notes if not is_agreement_check(note)]
    if notes:
        parts.append(bullets(notes, "•"))
    return Panel(Group(*parts), title="computed live", title_align="left", border_style="green")


def formula_lines(formula: str) -> list[str]:
    """The formula as display lines: statements separated by three or more spaces go on lines of their own."""
    parts = (part.strip().rstrip(",;") for line in formula.splitlines() for part in re.split(r" {3,}", line.strip()))
    return [part for part in parts if part]


def print_topic(topic: Topic, demo: DemoResult, console: Console, short: bool = False) -> None:
    """Print a topic: idea, formula, live example, misconceptions and commands (`short`: no misconceptions/idea)."""
    console.print(Text(topic.title, style="bold cyan") + Text(f"  ({topic.id})", style="dim"))
    console.print(Text(topic.summary, style="italic"))
    if not short:
        console.print()
        console.print(Text(paragraphs(topic.idea)))
    console.print(
        Panel(
            Text("\n".join(formula_lines(topic.formula))),
            title="formula",
            title_align="left",
            border_style="magenta",
            expand=False,
        )
    )
    console.print(demo_renderable(demo))
    if not short:
        console.print()
        console.print(Text("Often gotten wrong (each line is the fact)", style="bold yellow"))
        console.print(bullets(topic.misconceptions, " ✓", style="green"))
    console.print(Text("See it run", style="bold"))
    for command in topic.commands:
        console.print(Text("  $ ") + Text(command, style="green"))
