"""Tour step "explain": one topic explained with its live example, then one quiz question for the learner."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from rich.text import Text

from seqlab import paths
from seqlab.explain.render import print_topic, question_panel
from seqlab.explain.session import ask_interactively, feedback
from seqlab.lab import explain, quiz
from seqlab.tour import TourContext, TourStep, print_more

TOPIC = "attention"
SENTENCE = "the acting was not good , but the story was great ."  # the attention step's sentence


def run(ctx: TourContext) -> dict[str, Any]:
    """Explain attention (short form), then one attention question: asked at a terminal, else answered for you."""
    # with the pretrained MiniLM: a real model on a real sentence, rather than random Q, K, V
    explained = explain.run(explain.ExplainRequest(TOPIC, seed=ctx.seed,
                                                   text=SENTENCE if paths.has_pretrained() else None))
    topic = explained.topic
    print_topic(topic, explained.demo, ctx.console, short=True)

    asked = quiz.QuizRequest(topic=TOPIC, n=1, seed=ctx.seed)
    question = quiz.run(replace(asked, list_only=True)).questions[0]
    ctx.console.print()
    if ctx.interactive:
        ctx.console.print(Text("Your turn: one question (type the answer and press Enter).", style="bold"))
        asking = time.perf_counter()
        result = quiz.run(asked, lambda questions, _seed: ask_interactively(questions, ctx.console)).result
        waited = time.perf_counter() - asking  # the learner's thinking time is not the tour's
        answered_by = "you"
        item = result.results[0] if result.results else None
    else:
        waited = 0.0
        answer = question.answer_key()
        item = quiz.run(replace(asked, answers=answer)).result.results[0]
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
        "waited_seconds": round(waited, 2),
    }


STEP = TourStep("explain", "explain a concept with a live example, then one quiz question", run)
