"""`seqlab quiz`: test yourself on sequence models, with immediate feedback and the command that backs each answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from seqlab.commands._common import JsonOption, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from seqlab.explain.questions import Question
    from seqlab.explain.quiz import QuestionResult, QuizResult


def _question_panel(question: Question, number: int, total: int):
    """The question as a rich panel: prompt, lettered options, and how to answer."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from seqlab.explain.questions import LETTERS
    from seqlab.explain.render import bullets

    parts: list[Any] = [Text(question.prompt)]
    for index, option in enumerate(question.options):
        parts.append(bullets([option], f"  {LETTERS[index]})"))
    parts.append(Text(f"answer with {question.expected_format()}", style="dim"))
    return Panel(
        Group(*parts),
        title=Text(f"question {number}/{total} · {question.topic}"),
        title_align="left",
        border_style="cyan",
    )


def _feedback(result: QuestionResult, console: Console) -> None:
    """Immediate feedback: right or wrong, the right answer, why, and where to see it."""
    from rich.text import Text

    if result.correct:
        console.print(Text("✓ right", style="bold green"))
    else:
        console.print(Text("✗ wrong", style="bold red") + Text(f" — the answer is {result.answer}"))
    console.print(Text(result.explanation))
    console.print(Text("see: ", style="dim") + Text("  ·  ".join(result.see), style="green"))


def _summary(result: QuizResult, console: Console) -> None:
    """The per-question table and the score."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"score {result.score}/{result.total}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("question")
    table.add_column("your answer")
    table.add_column("right answer")
    table.add_column("", justify="center")
    for index, item in enumerate(result.results, 1):
        mark = Text("✓", style="green") if item.correct else Text("✗", style="red")
        table.add_row(str(index), Text(item.id), Text(item.given or "-"), Text(item.answer_key), mark)
    console.print(table)


def _show_graded(questions: list[Question], result: QuizResult, console: Console) -> None:
    """Each question of a graded --answers run with the given answer and the feedback."""
    for number, (question, item) in enumerate(zip(questions, result.results), 1):
        console.print(_question_panel(question, number, len(questions)))
        console.print(f"your answer: {item.given}", markup=False, highlight=False)
        _feedback(item, console)


def _ask_interactively(questions: list[Question], talk: Console) -> QuizResult:
    """Ask each question with a rich prompt on stdin, re-asking unreadable answers, with feedback after each."""
    from rich.prompt import Prompt

    from seqlab.errors import SeqlabError
    from seqlab.explain.quiz import run_quiz

    shown: set[int] = set()

    def ask(question: Question, number: int) -> str:
        if number not in shown:  # a retry after an unreadable answer only asks again
            talk.print(_question_panel(question, number, len(questions)))
            shown.add(number)
        try:
            return Prompt.ask("your answer", console=talk)
        except EOFError:
            raise SeqlabError(
                f"input ended before question {number} of {len(questions)}; answer every question, "
                'or pass them all with --answers "..."'
            ) from None

    def on_result(item: QuestionResult) -> None:
        _feedback(item, talk)
        talk.print()

    return run_quiz(
        questions, ask, on_result, on_retry=lambda message: talk.print(message, style="yellow", markup=False)
    )


@user_errors
def quiz(
    topic: Annotated[
        Optional[str], typer.Option("--topic", help="Only questions on this topic (see `seqlab explain` for ids).")
    ] = None,
    n: Annotated[int, typer.Option("--n", help="How many questions (all of them if fewer exist).")] = 10,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the question order; the same seed asks the same questions.")
    ] = 0,
    answers: Annotated[
        Optional[str],
        typer.Option(
            "--answers",
            help="Answer without prompts: one answer per question, in order, comma-separated, "
            'e.g. "a,false,2048" (letters for choices, true/false, plain numbers).',
        ),
    ] = None,
    list_only: Annotated[
        bool,
        typer.Option("--list", help="Print the selected questions (without answers) and exit; use with --answers."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Quiz yourself on sequence models: true/false, multiple choice, and numbers such as parameter counts.

    Each answer is graded at once, with the explanation and the command that backs it (seqlab explain, prove).

    Numeric answers are computed from the formulas, e.g. nn.LSTM(100, 128) has 4·128·(100+128) + 8·128.

    For scripts: --list --json shows the questions, then --answers "..." --json grades them.
    """
    from seqlab.console import console, emit_json, err_console
    from seqlab.explain.quiz import QuizConfig, grade_answer_list, select_questions

    questions = select_questions(QuizConfig(topic=topic, n=n, seed=seed))
    if len(questions) < n and not json_output:
        console.print(f"(only {len(questions)} questions match; using all of them)", style="dim", markup=False)
    if list_only:
        if json_output:
            emit_json([q.public_dict() for q in questions])
            return
        for number, question in enumerate(questions, 1):
            console.print(_question_panel(question, number, len(questions)))
        return

    if answers is not None:
        result = grade_answer_list(questions, answers)
        if not json_output:
            _show_graded(questions, result, console)
    else:
        result = _ask_interactively(questions, err_console if json_output else console)  # stdout stays pure JSON
    if json_output:
        emit_json({"seed": seed, "topic": topic, **result.as_dict()})
        return
    console.print()
    _summary(result, console)


def register(app: typer.Typer) -> None:
    """Add `seqlab quiz` to the app."""
    app.command("quiz")(quiz)
