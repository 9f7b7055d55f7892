"""Rich renderables for topics: the topic list and one topic with its live example.

All topic text goes through rich `Text` objects, never markup, so brackets like [CLS] print as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from seqlab.explain.questions import LETTERS
from seqlab.explain.topic import DemoResult, Topic

if TYPE_CHECKING:
    from seqlab.explain.questions import Question
    from seqlab.explain.quiz import QuizResult

KEYS_HELP = "?: hint · s: skip · q: quit"


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
        console.print(bullets(topic.misconceptions, " •"))  # neutral: a green ✓ would read as "right"
    console.print(Text("See it run", style="bold"))
    for command in topic.commands:
        console.print(Text("  $ ") + Text(command, style="green"))


def question_panel(question: Question, number: int, total: int, interactive: bool = False) -> Panel:
    """The question as a rich panel: prompt, lettered options, and how to answer."""
    parts: list[Any] = [Text(question.prompt)]
    for index, option in enumerate(question.options):
        parts.append(bullets([option], f"  {LETTERS[index]})"))
    how = f"answer with {question.expected_format()}"
    parts.append(Text(how + (f"  ({KEYS_HELP})" if interactive else ""), style="dim"))
    return Panel(
        Group(*parts),
        title=Text(f"question {number}/{total}"),
        title_align="left",
        border_style="cyan",
    )


def _short(prompt: str, width: int) -> str:
    """`prompt` cut to `width` characters with an ellipsis."""
    return prompt if len(prompt) <= width else prompt[: width - 1].rstrip() + "…"


def _answer_width(values: Sequence[str]) -> int:
    """The widest single word among `values` (at least 6, at most 12): a cell folds between words, not inside."""
    return min(12, max([len(word) for value in values for word in value.split()] + [6]))


def score_table(result: QuizResult) -> Table:
    """The score as the title, one row per question: its start, your answer, the answer (options with their
    text), and a mark (✓ right, ✗ wrong, · skipped)."""
    title = f"score {result.score}/{result.total}"
    if result.skipped:
        title += f" ({result.skipped} skipped)"
    if result.stopped:
        title += ", stopped early"
    # A right choice shows its letter only: the answer column beside it already reads "b) the update gate z".
    yours = [f"{item.answer_key})" if item.correct and item.kind == "choice" else
             item.given_answer or item.given_value or "-" for item in result.results]
    answers = [item.answer for item in result.results]
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("question", ratio=1)
    # Answers wrap between words ("b) the update gate z" over two lines); the question gives way to an ellipsis.
    table.add_column("yours", overflow="fold", ratio=1, min_width=_answer_width(yours))
    table.add_column("answer", overflow="fold", ratio=1, min_width=_answer_width(answers))
    table.add_column("", justify="center", no_wrap=True)
    for index, (item, given, answer) in enumerate(zip(result.results, yours, answers), 1):
        mark = Text("✓", style="green") if item.correct else Text("·" if item.skipped else "✗", style="red")
        question = Text(_short(item.prompt, 60), no_wrap=True, overflow="ellipsis")
        table.add_row(str(index), question, Text(given), Text(answer), mark)
    return table


def review_list(topics: Sequence[tuple[str, str]]) -> Group:
    """The topics to read again, (id, title) each, as the `seqlab explain` commands that teach them."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(style="dim")
    for topic_id, title in topics:
        grid.add_row(Text("  $ ") + Text(f"seqlab explain {topic_id}", style="green"), Text(title))
    return Group(Text("To review (the topics of the questions you missed):", style="bold"), grid)
