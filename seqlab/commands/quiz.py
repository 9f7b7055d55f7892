"""`seqlab quiz`: test yourself on sequence models, with immediate feedback and the command that backs each answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from seqlab.commands._common import JsonOption, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from seqlab.explain.questions import Question
    from seqlab.explain.quiz import QuizResult


def _show_graded(questions: list[Question], result: QuizResult, console: Console) -> None:
    """Each question of a graded --answers run with the given answer and the feedback."""
    from seqlab.explain.render import question_panel
    from seqlab.explain.session import feedback

    for number, (question, item) in enumerate(zip(questions, result.results), 1):
        console.print(question_panel(question, number, len(questions)))
        console.print(f"your answer: {item.given_value or item.given}", markup=False, highlight=False)
        feedback(item, console)


@user_errors
def quiz(
    topic: Annotated[
        Optional[str],
        typer.Option("--topic", metavar="TOPIC", help="Only questions on this topic (see `seqlab explain` for ids)."),
    ] = None,
    n: Annotated[int, typer.Option("--n", metavar="N", help="How many questions (all of them if fewer exist).")] = 10,
    seed: Annotated[
        Optional[int],
        typer.Option("--seed", metavar="N",
                     help="Seed of the question order; the same seed asks the same questions "
                          "(default: a new random order each time, its seed printed to replay it; 0 with --list or --answers)."),
    ] = None,
    answers: Annotated[
        Optional[str],
        typer.Option(
            "--answers",
            metavar="LIST",
            help="Answer without prompts: one answer per question, in order, comma-separated, "
            'e.g. "a,false,2048" (letters for choices, true/false, numbers or arithmetic such as 512*768).',
        ),
    ] = None,
    list_only: Annotated[
        bool,
        typer.Option("--list", help="Print the selected questions (without answers) and exit; use with --answers."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Quiz yourself on sequence models: true/false, multiple choice, and numbers such as parameter counts.

    Each answer is graded at once, with the explanation, what a common wrong answer reveals, and the command
    that backs it (seqlab explain, prove). At the prompt: ? for a hint, s to skip, q to quit; Ctrl-C also
    stops and shows the score so far.

    Numbers may be typed as arithmetic: nn.LSTM(100, 128) has 4*128*(100+128) + 8*128 parameters.

    For scripts: --list --json shows the questions, then --answers "..." --json grades them.
    """
    from seqlab.console import console, emit_json, err_console
    from seqlab.explain.quiz import QuizConfig
    from seqlab.explain.render import question_panel
    from seqlab.explain.session import ask_interactively, summary
    from seqlab.lab import quiz as lab_quiz

    def too_few(questions: list[Question]) -> None:
        if len(questions) < n and not json_output:
            console.print(f"(only {len(questions)} questions match; using all of them)", style="dim", markup=False)

    def ask(questions: list[Question], chosen_seed: int) -> QuizResult:
        too_few(questions)
        talk = err_console if json_output else console  # stdout stays pure JSON
        talk.print(f"{len(questions)} questions, seed {chosen_seed}. At the prompt: ? hint, s skip, q quit.",
                   style="dim", markup=False, highlight=False)
        return ask_interactively(questions, talk)

    report = lab_quiz.run(lab_quiz.QuizRequest(topic=topic, n=n, seed=seed, answers=answers, list_only=list_only),
                          ask)
    questions, result = report.questions, report.result
    if answers is not None or list_only:
        too_few(questions)
    if json_output:
        emit_json(report.to_json())
        return
    if result is None:
        for number, question in enumerate(questions, 1):
            console.print(question_panel(question, number, len(questions)))
        return
    if answers is not None:
        _show_graded(questions, result, console)
    console.print()
    summary(result, console, QuizConfig(topic=topic, n=n, seed=report.seed))  # its replay keeps --n and --topic


def register(app: typer.Typer) -> None:
    """Add `seqlab quiz` to the app."""
    app.command("quiz")(quiz)
