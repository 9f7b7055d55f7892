"""Taking a quiz: pick questions in a seeded order, read answers (typed or given up front), grade them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from seqlab.errors import SeqlabError
from seqlab.explain.arith import is_expression
from seqlab.explain.bank import QUESTIONS
from seqlab.explain.catalog import get_topic
from seqlab.explain.questions import AnswerFormatError, Question


@dataclass(frozen=True)
class QuizConfig:
    """Which questions to ask: optionally one topic, how many, and the seed of their order."""

    topic: str | None = None
    n: int = 10
    seed: int = 0


@dataclass(frozen=True)
class QuestionResult:
    """How one question went: what was given, whether it was right, and why."""

    id: str
    topic: str
    prompt: str
    given: str
    correct: bool
    answer: str
    answer_key: str
    explanation: str
    see: tuple[str, ...]
    diagnosis: str = ""  # what a known wrong answer reveals, e.g. "you left out the biases"
    skipped: bool = False
    given_value: str = ""  # the response as the questions write numbers (an expression shows its value)
    kind: str = ""  # the question's kind: true-false, choice or number
    given_answer: str = ""  # the response alone as the questions write answers: "b) the update gate z", "116,736"


@dataclass(frozen=True)
class QuizResult:
    """All answered questions and the score."""

    results: tuple[QuestionResult, ...]
    stopped: bool = False  # the learner quit (or pressed Ctrl-C) before the last question

    @property
    def score(self) -> int:
        """Number of right answers."""
        return sum(result.correct for result in self.results)

    @property
    def total(self) -> int:
        """Number of questions asked."""
        return len(self.results)

    @property
    def skipped(self) -> int:
        """Number of questions skipped."""
        return sum(result.skipped for result in self.results)

    @property
    def review_topics(self) -> tuple[str, ...]:
        """The topics of the questions answered wrong or skipped, in the order they came up, each once."""
        return tuple(dict.fromkeys(result.topic for result in self.results if not result.correct))

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-able data: per-question results, score, total, topics to review."""
        return {
            "score": self.score,
            "total": self.total,
            "skipped": self.skipped,
            "stopped": self.stopped,
            "review_topics": list(self.review_topics),
            "results": [{**result.__dict__, "see": list(result.see)} for result in self.results],
        }


def select_questions(config: QuizConfig, bank: Sequence[Question] = QUESTIONS) -> list[Question]:
    """`config.n` questions (all when fewer exist) from the bank or one topic, in an order fixed by the seed."""
    if config.n < 1:
        raise SeqlabError(f"--n must be at least 1 (got {config.n}); it is how many questions to ask")
    pool = list(bank)
    if config.topic is not None:
        topic_id = get_topic(config.topic).id
        pool = [q for q in pool if q.topic == topic_id]
        if not pool:
            raise SeqlabError(f"no quiz questions for topic {topic_id!r} yet; run seqlab quiz without --topic")
    return random.Random(config.seed).sample(pool, min(config.n, len(pool)))


def replay_command(config: QuizConfig) -> str:
    """The `seqlab quiz` command that asks the same questions in the same order: seed, --n and --topic kept."""
    command = f"seqlab quiz --seed {config.seed} --n {config.n}"
    return command + (f" --topic {get_topic(config.topic).id}" if config.topic is not None else "")


def parse_answer_list(text: str, questions: Sequence[Question]) -> list[bool | int | float]:
    """Read `--answers "a,true,384"`: one answer per question in order; SeqlabError naming the first bad one."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != len(questions):
        raise SeqlabError(
            f"--answers has {len(parts)} answer(s) for {len(questions)} question(s); give one per question, "
            "comma-separated, numbers without thousands commas (12345 or 12_345); see the order with --list"
        )
    parsed = []
    for position, (part, question) in enumerate(zip(parts, questions), 1):
        try:
            parsed.append(question.parse(part))
        except AnswerFormatError as exc:
            raise SeqlabError(f"--answers item {position} (question {question.id}): {exc}") from None
    return parsed


def grade(question: Question, response: bool | int | float, given: str) -> QuestionResult:
    """Grade one parsed response against the question's answer, with the diagnosis of a known mistake."""
    shown = question.format_value(response)
    if question.kind == "number" and is_expression(given):
        shown = f"{given.strip()} = {shown}"
    return QuestionResult(
        id=question.id,
        topic=question.topic,
        prompt=question.prompt,
        given=given.strip(),
        correct=question.is_correct(response),
        answer=question.answer_text(),
        answer_key=question.answer_key(),
        explanation=question.explanation,
        see=question.see,
        diagnosis=question.diagnose(response),
        given_value=shown,
        kind=question.kind,
        given_answer=question.format_value(response),
    )


def skip(question: Question) -> QuestionResult:
    """The result of a skipped question: not right, with the answer and explanation to read."""
    return QuestionResult(
        id=question.id,
        topic=question.topic,
        prompt=question.prompt,
        given="",
        correct=False,
        answer=question.answer_text(),
        answer_key=question.answer_key(),
        explanation=question.explanation,
        see=question.see,
        skipped=True,
        given_value="skipped",
        kind=question.kind,
    )


HINT_WORDS = frozenset({"?", "hint"})
SKIP_WORDS = frozenset({"s", "skip"})
QUIT_WORDS = frozenset({"q", "quit", "exit"})


def run_quiz(
    questions: Sequence[Question],
    ask: Callable[[Question, int], str],
    on_result: Callable[[QuestionResult], None] = lambda result: None,
    on_retry: Callable[[str], None] = lambda message: None,
    on_hint: Callable[[Question], None] = lambda question: None,
) -> QuizResult:
    """Ask each question with `ask(question, number)` until the response parses, grade it, report it.

    Besides answers, `ask` may return "?"/"hint" (`on_hint` shows the hint, the question is asked again),
    "s"/"skip" (recorded as skipped) or "q"/"quit" (stop; the result so far comes back with `stopped`).
    Ctrl-C inside `ask` stops the same way. `on_retry` receives the message for a response that is not a
    valid answer; `on_result` sees each grade as soon as it is known (immediate feedback).
    """
    results: list[QuestionResult] = []
    try:
        for number, question in enumerate(questions, 1):
            while True:
                text = ask(question, number)
                word = text.strip().lower()
                if word in HINT_WORDS:
                    on_hint(question)
                    continue
                if word in QUIT_WORDS:
                    return QuizResult(tuple(results), stopped=True)
                if word in SKIP_WORDS:
                    result = skip(question)
                    break
                try:
                    result = grade(question, question.parse(text), text)
                    break
                except AnswerFormatError as exc:
                    on_retry(str(exc))
            on_result(result)
            results.append(result)
    except KeyboardInterrupt:
        return QuizResult(tuple(results), stopped=True)
    return QuizResult(tuple(results))


def grade_answer_list(questions: Sequence[Question], answers: str) -> QuizResult:
    """Grade a whole `--answers` string against the questions, in order."""
    responses = parse_answer_list(answers, questions)
    texts = [part.strip() for part in answers.split(",")]
    return QuizResult(tuple(grade(q, r, t) for q, r, t in zip(questions, responses, texts)))
