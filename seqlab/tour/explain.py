"""Tour step "explain": one topic explained with its live example, then one quiz question for the learner."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from seqlab import paths
from seqlab.explain.catalog import ExplainConfig, explain
from seqlab.explain.quiz import QuizConfig, grade_answer_list, select_questions
from seqlab.explain.render import print_topic, question_panel
from seqlab.explain.sentence import sentence_attention_demo
from seqlab.explain.session import ask_interactively, feedback
from seqlab.tour import TourContext, TourStep, print_more

TOPIC = "attention"
SENTENCE = "the acting was not good , but the story was great ."  # the attention step's sentence


def run(ctx: TourContext) -> dict[str, Any]:
    """Explain attention (short form), then one attention question: asked at a terminal, else answered for you."""
    topic, demo = explain(ExplainConfig(topic=TOPIC, seed=ctx.seed))
    if paths.has_pretrained():  # a real model on a real sentence, rather than random Q, K, V
        demo = sentence_attention_demo(SENTENCE, seed=ctx.seed)
    print_topic(topic, demo, ctx.console, short=True)

    question = select_questions(QuizConfig(topic=TOPIC, n=1, seed=ctx.seed))[0]
    ctx.console.print()
    if ctx.interactive:
        ctx.console.print(Text("Your turn: one question (type the answer and press Enter).", style="bold"))
        result = ask_interactively([question], ctx.console)
        answered_by = "you"
        item = result.results[0] if result.results else None
    else:
        answer = question.answer_key()
        item = grade_answer_list([question], answer).results[0]
        answered_by = "tour"
        ctx.console.print(question_panel(question, 1, 1))
        ctx.console.print(Text(f"(not at a terminal, so the tour answers for you: {answer})", style="dim"))
        feedback(item, ctx.console)
    print_more(ctx, ["seqlab explain            # all topics", f"seqlab quiz --topic {TOPIC}"])
    return {
        "topic": topic.id,
        "question": question.id,
        "answered_by": answered_by,
        "correct": bool(item and item.correct),
        "skipped": item is None or item.skipped,
    }


STEP = TourStep("explain", "explain a concept with a live example, then one quiz question", run)
