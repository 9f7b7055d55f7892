"""The quiz asked in a notebook: with buttons when ipywidgets is installed, else one input() prompt a question.

Without widgets the questions go to `seqlab.lab.quiz.run`'s `ask` callback, the same loop as `seqlab quiz`
(hints, skip, quit, immediate feedback), whose prompts are input() calls a notebook answers in the cell. With
widgets a cell cannot wait for a click, so the widget is shown and the listing report returned at once; each
answer is graded as it is given, and the graded report appears under the widget (and in `QuizWidget.report`).
"""

from __future__ import annotations

import importlib.util
import secrets
from dataclasses import replace
from typing import Any, Callable

from seqlab.console import console
from seqlab.explain.questions import AnswerFormatError, Question
from seqlab.explain.quiz import QuestionResult, QuizResult, grade, skip
from seqlab.explain.render import question_panel
from seqlab.explain.session import ask_interactively, feedback
from seqlab.lab import quiz as lab_quiz
from seqlab.notebook.html import fragment, renderable_html
from seqlab.notebook.render import collected

Ask = Callable[[list[Question], int], QuizResult]


def has_widgets() -> bool:
    """True when ipywidgets can be imported."""
    return importlib.util.find_spec("ipywidgets") is not None


def input_ask(questions: list[Question], seed: int) -> QuizResult:
    """Ask on the console as `seqlab quiz` does (a notebook's input() box takes the answers)."""
    console.print(f"{len(questions)} questions, seed {seed}. At the prompt: ? hint, s skip, q quit.",
                  style="dim", markup=False, highlight=False)
    return ask_interactively(questions, console)


class QuizWidget:
    """One question at a time with an answer box and Answer / Hint / Skip buttons; feedback at once."""

    def __init__(self, request: lab_quiz.QuizRequest, listing: lab_quiz.QuizReport, widgets: Any) -> None:
        self.request, self.questions, self.seed = request, listing.questions, listing.seed
        self.results: list[QuestionResult] = []
        self.report: lab_quiz.QuizReport | None = None
        self._widgets = widgets
        self.question = widgets.HTML()
        self.answer = widgets.Text(placeholder="your answer")
        self.feedback = widgets.HTML()
        buttons = [widgets.Button(description=label) for label in ("Answer", "Hint", "Skip")]
        for button, action in zip(buttons, (self.submit, self.hint, self.skip)):
            button.on_click(lambda _button, act=action: act())
        self.view = widgets.VBox([self.question, widgets.HBox([self.answer, *buttons]), self.feedback])
        self._displayed = False
        self._show_question()

    def _ipython_display_(self) -> None:
        """Show the widget in the cell's output, once: the quiz is displayed when asked for and again as the cell's
        value, and a second copy of every question would be one too many."""
        if self._displayed:
            return
        from IPython.display import display

        self._displayed = True
        display(self.view)

    @property
    def number(self) -> int:
        """The question now asked (1-based)."""
        return len(self.results) + 1

    def _show_question(self) -> None:
        if self.number > len(self.questions):
            self._finish()
            return
        panel = question_panel(self.questions[self.number - 1], self.number, len(self.questions), interactive=True)
        self.question.value = fragment([renderable_html(panel)])
        self.answer.value = ""

    def _record(self, result: QuestionResult) -> None:
        self.results.append(result)
        self.feedback.value = fragment([renderable_html(part) for part in
                                        collected(lambda talk: feedback(result, talk))])
        self._show_question()

    def submit(self) -> None:
        """Grade the answer in the box (a malformed one says how to write it)."""
        question = self.questions[self.number - 1]
        try:
            response = question.parse(self.answer.value)
        except AnswerFormatError as exc:
            self.feedback.value = fragment([renderable_html(str(exc))])
            return
        self._record(grade(question, response, self.answer.value))

    def hint(self) -> None:
        """Show the question's hint."""
        self.feedback.value = fragment([renderable_html("hint: " + self.questions[self.number - 1].hint_text())])

    def skip(self) -> None:
        """Skip the question (its answer is shown)."""
        self._record(skip(self.questions[self.number - 1]))

    def _finish(self) -> None:
        result = QuizResult(tuple(self.results))
        self.report = lab_quiz.run(replace(self.request, seed=self.seed), lambda _questions, _seed: result)
        self.question.value = self.report._repr_html_()
        self.answer.disabled = True


def widget_quiz(request: lab_quiz.QuizRequest, widgets: Any = None) -> tuple[lab_quiz.QuizReport, QuizWidget]:
    """The listing report and the widget that asks its questions (`widgets`: the ipywidgets module); a seed
    left out is drawn at random, as the interactive `seqlab quiz` does."""
    if widgets is None:
        import ipywidgets as widgets
    if request.seed is None:
        request = replace(request, seed=secrets.randbelow(10_000))
    listing = lab_quiz.run(replace(request, list_only=True))
    return listing, QuizWidget(request, listing, widgets)


def show_widget_quiz(request: lab_quiz.QuizRequest) -> QuizWidget:
    """Show the quiz widget in the cell's output and return it (its `report` holds the score once every question
    is answered); as the cell's value it shows nothing more."""
    from IPython.display import display

    _listing, quiz = widget_quiz(request)
    display(quiz)
    return quiz
