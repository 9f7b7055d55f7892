"""Quiz questions on sequence models: selected by topic and seed, listed, graded from a list, or asked."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable

from seqlab.explain.questions import Question
from seqlab.explain.quiz import QuizConfig, QuizResult, grade_answer_list, select_questions
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.lab.display import Display



@dataclass(frozen=True)
class QuizRequest:
    """Which questions (topic, how many, order seed; None: a new random order) and how they are answered:
    only listed, graded from `answers` ("a,false,2048"), or asked."""

    topic: str | None = None
    n: int = 10
    seed: int | None = None
    answers: str | None = None
    list_only: bool = False


@dataclass(frozen=True)
class QuizReport(Display):
    """The questions asked, the seed that ordered them, and the graded result (None for a listing)."""

    request: QuizRequest
    seed: int
    questions: list[Question]
    result: QuizResult | None

    def to_json(self) -> Any:
        """What `seqlab quiz --json` prints."""
        if self.result is None:
            return to_jsonable([q.public_dict() for q in self.questions])
        return to_jsonable({"seed": self.seed, "topic": self.request.topic, **self.result.as_dict()})


def run(request: QuizRequest, ask: Callable[[list[Question], int], QuizResult] | None = None) -> QuizReport:
    """Select the questions; list them, grade the request's answers, or hand them to `ask(questions, seed)`."""
    seed = request.seed
    if seed is None:  # scripts (--list, --answers) get a fixed order so the two calls agree
        seed = 0 if (request.list_only or request.answers is not None) else secrets.randbelow(10_000)
    questions = select_questions(QuizConfig(topic=request.topic, n=request.n, seed=seed))
    if request.list_only:
        return QuizReport(request, seed, questions, None)
    if request.answers is not None:
        result = grade_answer_list(questions, request.answers)
    elif ask is not None:
        result = ask(questions, seed)
    else:
        raise SeqlabError("nothing answers the questions: give answers (e.g. \"a,false,2048\"), list_only, or ask")
    return QuizReport(request, seed, questions, result)
