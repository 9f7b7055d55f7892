"""The notebook side: the live training bar, the quiz widget, and what a report with no renderer shows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

import seqlab
from seqlab.lab import quiz as lab_quiz
from seqlab.lab.display import Display, plain_html
from seqlab.notebook.progress import NotebookProgress, in_notebook
from seqlab.notebook.quiz import QuizWidget, widget_quiz

from .htmlcheck import check_html


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_is_shown_once_then_updated_in_place_at_most_every_quarter_second() -> None:
    shown: list[str] = []
    updates: list[str] = []
    clock = Clock()
    bar = NotebookProgress(show=lambda markup: shown.append(markup) or "handle",
                           update=lambda handle, markup: updates.append(markup), clock=clock)
    bar(1, 2, 0, 10)
    for step in range(1, 11):
        clock.now += 0.1
        bar(1, 2, step, 10)
    assert len(shown) == 1 and 'value="0" max="10"' in shown[0] and "run left" not in shown[0]
    assert 3 <= len(updates) <= 5  # 1 s of steps at 0.1 s: every 0.25 s, plus the epoch's last step
    assert 'value="10"' in updates[-1] and "epoch 1/2 · step 10/10 · run left 1 s" in updates[-1]
    check_html(updates[-1])


def test_not_in_a_notebook_here() -> None:
    assert in_notebook() is False


class Widget:
    """The few ipywidgets features the quiz uses: a value, a click handler, children."""

    def __init__(self, children: Any = None, description: str = "", placeholder: str = "") -> None:
        self.value, self.children, self.description, self.disabled = "", children, description, False
        self.handlers: list[Any] = []

    def on_click(self, handler: Any) -> None:
        self.handlers.append(handler)

    def click(self) -> None:
        for handler in self.handlers:
            handler(self)


WIDGETS = SimpleNamespace(HTML=Widget, Text=Widget, Button=Widget, VBox=Widget, HBox=Widget)


def _buttons(quiz: QuizWidget) -> dict[str, Widget]:
    return {button.description: button for button in quiz.view.children[1].children[1:]}


def test_the_quiz_widget_grades_each_answer_and_ends_with_the_graded_report() -> None:
    listing, quiz = widget_quiz(lab_quiz.QuizRequest(topic="attention", n=3, seed=4), widgets=WIDGETS)
    assert listing.result is None and len(listing.questions) == len(quiz.questions) >= 2
    buttons = _buttons(quiz)
    assert "1/" in quiz.question.value or "1 of" in quiz.question.value
    buttons["Hint"].click()
    assert "hint:" in quiz.feedback.value and quiz.number == 1
    quiz.answer.value = "not an answer at all"
    buttons["Answer"].click()
    assert quiz.number == 1  # asked again, with how to write an answer
    quiz.answer.value = quiz.questions[0].answer_key()
    buttons["Answer"].click()
    assert quiz.number == 2 and "right" in quiz.feedback.value
    for _ in quiz.questions[1:]:
        buttons["Skip"].click()
    assert quiz.report is not None and quiz.report.result.score == 1 and quiz.answer.disabled
    same = lab_quiz.run(lab_quiz.QuizRequest(topic="attention", n=3, seed=4, list_only=True))
    assert [q.id for q in quiz.report.questions] == [q.id for q in same.questions]
    check_html(quiz.question.value)


def test_an_unseeded_widget_quiz_draws_its_seed() -> None:
    listing, quiz = widget_quiz(lab_quiz.QuizRequest(n=2), widgets=WIDGETS)
    assert quiz.seed == listing.seed and quiz.request.seed == listing.seed


@dataclass(frozen=True)
class Unregistered(Display):
    value: str

    def to_json(self) -> dict:
        return {"value": self.value}


def test_a_report_with_no_renderer_shows_its_json_escaped() -> None:
    report = Unregistered("<script>alert(1)</script>")
    assert report._repr_html_() == plain_html(report)
    assert "<script>" not in report._repr_html_() and "&lt;script&gt;" in report._repr_html_()
    console = Console(file=io.StringIO(), width=80, record=True)
    console.print(report)
    assert "'value': '<script>alert(1)</script>'" in console.export_text()
    seqlab.explain  # the API registers its renderers; this type stays unregistered
    assert report._repr_html_() == plain_html(report)


KERNEL_CELLS = [
    "import sys, seqlab\nprint('torch' in sys.modules)",
    "r = seqlab.train(model='transformer', width=16, heads=2, layers=1, ffn=32, epochs=2, max_train_examples=32, "
    "batch_size=8, max_length=16, threads=1, device='cpu', runs_dir='runs')\nr",
    "seqlab.prove('softmax-shift')",
    "seqlab.explain('attention')",
]


def test_in_a_jupyter_kernel_the_bar_is_one_output_updated_in_place_then_the_report(tmp_path) -> None:
    nbformat = pytest.importorskip("nbformat", reason="pip install 'seqlab[notebook]' (nbclient, ipykernel)")
    nbclient = pytest.importorskip("nbclient", reason="pip install 'seqlab[notebook]' (nbclient, ipykernel)")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in KERNEL_CELLS])
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert notebook.cells[0].outputs[0]["text"].strip() == "False"  # import seqlab: no torch yet
    bar, report = notebook.cells[1].outputs
    assert bar["output_type"] == "display_data" and 'value="4" max="4"' in bar["data"]["text/html"]
    assert "epoch 2/2 · step 4/4" in bar["data"]["text/html"]
    assert report["output_type"] == "execute_result" and "training result" in report["data"]["text/html"]
    check_html(report["data"]["text/html"])
    assert "training result" in report["data"]["text/plain"]  # IPython's text view: the table, not the fields
    for cell in notebook.cells[2:]:  # drawing a report in the kernel displays nothing on the side
        assert [output["output_type"] for output in cell.outputs] == ["execute_result"]


def test_the_rich_view_is_laid_out_for_the_console_that_prints_it(tmp_path) -> None:
    report = seqlab.attention("fresh", "the acting was not good but the story was fun and the music great today",
                              out=tmp_path / "att")
    widths = {}
    for columns in (60, 120):
        console = Console(file=io.StringIO(), width=columns, record=True)
        console.print(report)
        lines = [line for line in console.export_text().splitlines() if str(tmp_path) not in line]
        widths[columns] = max(len(line) for line in lines)
    assert widths[60] <= 60 < widths[120] <= 120


def test_ipython_shows_the_rich_view_as_text_not_the_field_dump() -> None:
    pretty = pytest.importorskip("IPython.lib.pretty", reason="IPython is there only with a notebook or IPython")
    text = pretty.pretty(seqlab.prove("softmax-shift"))
    assert "1/1 proofs verified by sympy." in text and "ProveReport(" not in text and "\x1b[" not in text


def test_a_page_goes_into_srcdoc_whole_and_nothing_breaks_out_of_the_frame() -> None:
    from html.parser import HTMLParser

    from seqlab.notebook.html import iframe_html

    page = '<!DOCTYPE html><p title="a &amp; &quot;b&quot;">it\'s</p><script>if (1 < 2) {}</script>'
    fragment = iframe_html(page, 'x"><script>window.pwned=1</script>')
    seen: list[tuple[str, dict]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            seen.append((tag, dict(attrs)))

    Tags().feed(fragment)
    assert [tag for tag, _ in seen] == ["iframe", "script"]  # the frame, then the script that sizes it
    assert seen[0][1]["srcdoc"].startswith(page) and seen[0][1]["title"] == 'x"><script>window.pwned=1</script>'
    assert seen[0][1]["sandbox"] == "allow-scripts"


def test_text_from_data_is_escaped_in_tables_and_paragraphs() -> None:
    from rich.table import Table  # a test may build a table: the render rule reads seqlab/ only
    from rich.text import Text

    from seqlab.notebook.html import renderable_html

    table = Table(title="<i>runs</i>")
    table.add_column("name")
    table.add_row(Text("<img src=x onerror=alert(1)>"))
    table.add_row("[bold]<b>markup</b>[/]")
    shown = renderable_html(table) + renderable_html(Text("a < b & c"))
    assert "<img" not in shown and "<b>markup" not in shown and "<i>runs" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and "a &lt; b &amp; c" in shown
    check_html(shown)


def test_the_widget_quiz_shows_its_questions_once_in_the_cell(monkeypatch) -> None:
    """seqlab.quiz() in a notebook displays the widget and is then the cell's value: the questions once, not the
    widget followed by a listing of every question."""
    import IPython.display

    from seqlab.notebook import quiz as notebook_quiz

    shown: list[object] = []

    def display(obj) -> None:  # as IPython does: an object that displays itself is asked to
        if hasattr(obj, "_ipython_display_"):
            obj._ipython_display_()
        else:
            shown.append(obj)

    monkeypatch.setattr(IPython.display, "display", display)
    real = notebook_quiz.widget_quiz
    monkeypatch.setattr(notebook_quiz, "widget_quiz", lambda request: real(request, widgets=WIDGETS))
    quiz = notebook_quiz.show_widget_quiz(lab_quiz.QuizRequest(topic="attention", n=2, seed=1))
    display(quiz)  # the cell's value
    assert shown == [quiz.view] and isinstance(quiz, QuizWidget) and quiz.report is None
