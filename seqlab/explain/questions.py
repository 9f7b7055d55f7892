"""The quiz question type: true/false, multiple choice or numeric, with one right answer and its explanation."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from seqlab.explain.arith import NotArithmetic, evaluate

Kind = Literal["true-false", "choice", "number"]

_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}
LETTERS = "abcdefgh"
# A choice written as "b", "b)", "(b)", "b." or "b:" (what people type after reading "b) ..." on screen).
_LETTER = re.compile(r"\(?([a-h])\s*[).:]?")
# What a wrong number within this share of a known mistake is read as (27.7 for √768 ≈ 27.71), when the
# mistake is not a whole number; whole-number mistakes (3,840 for 3,845) match exactly.
MISTAKE_REL_TOLERANCE = 0.005


class AnswerFormatError(ValueError):
    """A response that cannot be read as an answer to its question (the message says what is expected)."""


@dataclass(frozen=True)
class Question:
    """One quiz question.

    `answer` is a bool (true-false), the index of the one correct option (choice), or a number
    accepted within `tolerance` (number). `see` lists the commands that back the answer.
    """

    id: str
    topic: str
    kind: Kind
    prompt: str
    answer: bool | int | float
    explanation: str
    options: tuple[str, ...] = ()
    tolerance: float = 0.0
    see: tuple[str, ...] = ()
    hint: str = ""  # a nudge towards the answer that does not give it away
    # Common wrong answers and what each one reveals: (response, diagnosis), e.g. (3840, "you forgot the 5
    # biases"); a choice's response is an option index, a true-false question's the wrong bool.
    mistakes: tuple[tuple[bool | int | float, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "true-false" and not isinstance(self.answer, bool):
            raise TypeError(f"{self.id}: a true-false answer must be a bool")
        if self.kind == "choice" and (isinstance(self.answer, bool) or not 0 <= int(self.answer) < len(self.options)):
            raise TypeError(f"{self.id}: a choice answer must index one of its options")
        if self.kind == "number" and (isinstance(self.answer, bool) or not math.isfinite(float(self.answer))):
            raise TypeError(f"{self.id}: a number answer must be a finite number")

    def expected_format(self) -> str:
        """How to write an answer to this question."""
        if self.kind == "true-false":
            return "true or false (t/f, yes/no)"
        if self.kind == "choice":
            return f"one letter, {', '.join(LETTERS[: len(self.options)])}"
        return "a number or arithmetic, e.g. 0.25 or 4*128*(100+128)"

    def parse(self, text: str) -> bool | int | float:
        """Read a response: a bool, an option index or a number; AnswerFormatError when it is none of them."""
        value = text.strip().lower()
        if self.kind == "true-false":
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
        elif self.kind == "choice":
            letters = LETTERS[: len(self.options)]
            match = _LETTER.fullmatch(value)
            if match and match.group(1) in letters:
                return letters.index(match.group(1))
            texts = [option.lower() for option in self.options]
            if value in texts:
                return texts.index(value)
        else:
            try:
                number = evaluate(value)
            except NotArithmetic:
                number = math.nan
            if math.isfinite(number):
                return number
        raise AnswerFormatError(f"{text.strip()!r} is not an answer here; expected {self.expected_format()}")

    def is_correct(self, response: bool | int | float) -> bool:
        """Whether a parsed response is the right answer."""
        if self.kind == "number":
            return abs(float(response) - float(self.answer)) <= self.tolerance
        return response == self.answer

    def diagnose(self, response: bool | int | float) -> str:
        """What a wrong response most likely reveals (empty when it is right or not a known mistake)."""
        if self.is_correct(response):
            return ""
        for wrong, diagnosis in self.mistakes:
            if self.kind == "number":
                if abs(float(response) - float(wrong)) <= self.mistake_window(float(wrong)):
                    return diagnosis
            elif response == wrong:
                return diagnosis
        return ""

    def mistake_window(self, wrong: float) -> float:
        """How far a numeric response may be from the known wrong value `wrong` and still be read as it.

        Never more than half the way to the right answer, so a near miss is not blamed on a mistake it is
        not closer to.
        """
        window = max(self.tolerance, (1e-9 if wrong.is_integer() else MISTAKE_REL_TOLERANCE) * abs(wrong))
        return min(window, abs(wrong - float(self.answer)) / 2)

    def hint_text(self) -> str:
        """A nudge that does not give the answer away: the question's own hint, else where to read up."""
        if self.hint:
            return self.hint
        return f"seqlab explain {self.topic} covers this."

    def format_value(self, response: bool | int | float) -> str:
        """A parsed response written the way the questions write numbers (12,345; 0.25; true; b) ...)."""
        if self.kind == "true-false":
            return "true" if response else "false"
        if self.kind == "choice":
            return f"{LETTERS[int(response)]}) {self.options[int(response)]}"
        return format_number(float(response))

    def answer_key(self) -> str:
        """The right answer in the form `--answers` accepts: a letter, true/false, or a number."""
        if self.kind == "true-false":
            return "true" if self.answer else "false"
        if self.kind == "choice":
            return LETTERS[int(self.answer)]
        value = float(self.answer)
        return str(int(value)) if value.is_integer() else repr(value)

    def answer_text(self) -> str:
        """The right answer as a person would write it."""
        if self.kind == "true-false":
            return "true" if self.answer else "false"
        if self.kind == "choice":
            index = int(self.answer)
            return f"{LETTERS[index]}) {self.options[index]}"
        shown = format_number(float(self.answer))
        return shown + (f" (± {self.tolerance:g})" if self.tolerance >= 1e-3 else "")

    def public_dict(self) -> dict[str, object]:
        """The question without its answer (for listing a quiz before taking it)."""
        return {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "prompt": self.prompt,
            "options": list(self.options),
            "format": self.expected_format(),
        }


def format_number(value: float) -> str:
    """A number as the questions write it: 117,760 for integers, 4 significant digits otherwise."""
    if value.is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:.4g}"


def true_false(
    id: str,
    topic: str,
    prompt: str,
    answer: bool,
    explanation: str,
    see: tuple[str, ...] = (),
    hint: str = "",
    slip: str = "",
) -> Question:
    """A true/false question; `see` adds commands to `seqlab explain TOPIC`.

    `slip` says what answering the other way reveals (the misconception behind it).
    """
    return Question(
        id, topic, "true-false", prompt, answer, explanation, see=(f"seqlab explain {topic}", *see), hint=hint,
        mistakes=((not answer, slip),) if slip else (),
    )


def choice(
    id: str,
    topic: str,
    prompt: str,
    options: tuple[str, ...],
    correct: int,
    explanation: str,
    see: tuple[str, ...] = (),
    hint: str = "",
    mistakes: tuple[tuple[int, str], ...] = (),
) -> Question:
    """A multiple-choice question whose option `correct` (0-based) is the one right answer.

    `mistakes` pairs wrong options (0-based) with what choosing each one reveals.
    """
    return Question(
        id, topic, "choice", prompt, correct, explanation, options=options, see=(f"seqlab explain {topic}", *see),
        hint=hint, mistakes=mistakes,
    )


def number(
    id: str,
    topic: str,
    prompt: str,
    value: float,
    explanation: str,
    tolerance: float = 0.0,
    see: tuple[str, ...] = (),
    hint: str = "",
    mistakes: tuple[tuple[float, str], ...] = (),
) -> Question:
    """A numeric question accepting answers within `tolerance` of `value` (computed, never typed in).

    `mistakes` pairs common wrong values (computed too) with what each reveals, e.g. a forgotten bias.
    """
    return Question(
        id, topic, "number", prompt, value, explanation, tolerance=tolerance, see=(f"seqlab explain {topic}", *see),
        hint=hint, mistakes=mistakes,
    )
