"""The quiz at a terminal: asking with hints, skip and quit, immediate feedback, and the score.

Used by `seqlab quiz` and by the tour's explain step; the grading itself lives in seqlab.explain.quiz and
the question panel and score table in seqlab.explain.render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.prompt import Prompt
from rich.text import Text

from seqlab.errors import SeqlabError
from seqlab.explain.catalog import get_topic
from seqlab.explain.quiz import QuestionResult, QuizConfig, QuizResult, replay_command, run_quiz
from seqlab.explain.render import question_panel, review_list, score_table

if TYPE_CHECKING:
    from rich.console import Console

    from seqlab.explain.questions import Question


def feedback(result: QuestionResult, console: Console) -> None:
    """Immediate feedback: right or wrong (and what a known mistake reveals), the answer, why, where to see it."""
    if result.skipped:
        console.print(Text("skipped", style="bold yellow") + Text(f": the answer is {result.answer}"))
    elif result.correct:
        console.print(Text("✓ right", style="bold green"))
    else:
        console.print(Text("✗ wrong", style="bold red") + Text(f": the answer is {result.answer}"))
        if result.diagnosis:
            console.print(Text("Likely mix-up: ", style="yellow") + Text(result.diagnosis))
    console.print(Text(result.explanation))
    one_line = "see: " + "  ·  ".join(result.see)
    if len(one_line) <= console.width:
        console.print(Text("see: ", style="dim") + Text("  ·  ".join(result.see), style="green"), soft_wrap=True)
    else:  # a command is copied whole: one per line rather than one cut across two
        console.print(Text("see:", style="dim"))
        for command in result.see:
            console.print(Text("  $ ") + Text(command, style="green"), soft_wrap=True)


def summary(result: QuizResult, console: Console, config: QuizConfig | None = None) -> None:
    """The score, one row per question (its start, your answer, the answer), the topics to review, and the
    command that replays the same questions (`config`: the quiz as it was selected)."""
    console.print(score_table(result))
    if result.review_topics:
        console.print()
        console.print(review_list([(topic, get_topic(topic).title) for topic in result.review_topics]))
    if config is not None:
        console.print()
        console.print(Text("Replay these questions: ", style="dim") + Text(replay_command(config), style="bold"),
                      soft_wrap=True)


def ask_interactively(questions: Sequence[Question], talk: Console) -> QuizResult:
    """Ask each question on the terminal with hints, skip and quit; Ctrl-C ends it with the score so far."""
    shown: set[int] = set()

    def ask(question: Question, number: int) -> str:
        if number not in shown:  # a retry after an unreadable answer or a hint only asks again
            talk.print(question_panel(question, number, len(questions), interactive=True))
            shown.add(number)
        try:
            return Prompt.ask("your answer", console=talk)
        except EOFError:
            raise SeqlabError(
                f"input ended before question {number} of {len(questions)}; answer every question, "
                'or pass them all with --answers "..."'
            ) from None

    def on_result(item: QuestionResult) -> None:
        feedback(item, talk)
        talk.print()

    def on_hint(question: Question) -> None:
        talk.print(Text("hint: ", style="bold yellow") + Text(question.hint_text()))

    result = run_quiz(
        questions,
        ask,
        on_result,
        on_retry=lambda message: talk.print(message, style="yellow", markup=False),
        on_hint=on_hint,
    )
    if result.stopped:
        talk.print()
        talk.print(Text(f"stopped after {result.total} of {len(questions)} question(s)", style="dim"))
    return result
