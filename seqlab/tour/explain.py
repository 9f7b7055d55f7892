"""Tour step "explain": one topic explained with its live example, then one quiz question answered for you."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from seqlab.tour import TourContext, TourStep

TOPIC = "attention"


def run(ctx: TourContext) -> dict[str, Any]:
    """Explain attention (short form) and grade one attention question answered non-interactively."""
    from seqlab.explain.catalog import ExplainConfig, explain
    from seqlab.explain.quiz import QuizConfig, grade_answer_list, select_questions
    from seqlab.explain.render import print_topic

    topic, demo = explain(ExplainConfig(topic=TOPIC, seed=ctx.seed))
    print_topic(topic, demo, ctx.console, short=True)

    question = select_questions(QuizConfig(topic=TOPIC, n=1, seed=ctx.seed))[0]
    answer = question.answer_key()
    result = grade_answer_list([question], answer).results[0]
    ctx.console.print()
    ctx.console.print(Text("quiz: ", style="bold") + Text(question.prompt))
    for index, option in enumerate(question.options):
        ctx.console.print(Text(f"  {'abcdefgh'[index]}) {option}"))
    ctx.console.print(
        Text(f"answered with --answers {answer!r}: ")
        + (Text("right", style="green") if result.correct else Text("wrong", style="red"))
    )
    ctx.console.print(Text(result.explanation))
    ctx.console.print(
        Text(
            f"More: seqlab explain (all topics), seqlab quiz --topic {TOPIC}, "
            f'seqlab quiz --n 10 --answers "..." --json',
            style="dim",
        )
    )
    return {"topic": topic.id, "question": question.id, "answer": answer, "correct": result.correct}


STEP = TourStep("explain", "explain a concept with a live example, then one quiz question", run)
