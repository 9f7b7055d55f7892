"""The quiz teaches: a real hint for every question, a diagnosis for each classic wrong answer, "a)" accepted.

A wrong answer is typed the way a learner writes it (the letter with its parenthesis, true/false, a number
with 4 significant digits or thousands commas), parsed and graded as `seqlab quiz` does.
"""

from __future__ import annotations

import math

import pytest

from seqlab.explain.bank import QUESTIONS
from seqlab.explain.questions import LETTERS, Question, format_number
from seqlab.explain.quiz import grade

GENERIC_HINT = "covers this"  # the fallback hint's wording: no bank question may rely on it


def _question(question_id: str) -> Question:
    return next(q for q in QUESTIONS if q.id == question_id)


def typed(question: Question, response: bool | int | float) -> str:
    """`response` as a learner would type it at the prompt."""
    if question.kind == "true-false":
        return "true" if response else "false"
    if question.kind == "choice":
        return f"{LETTERS[int(response)]})"
    return format_number(float(response))


MISTAKES = [(q, wrong, says) for q in QUESTIONS for wrong, says in q.mistakes]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_has_its_own_hint(question):
    hint = question.hint_text()
    assert question.hint and hint == question.hint
    assert GENERIC_HINT not in hint and "`" not in hint, hint
    assert len(hint.split()) >= 6, "a hint says what to think about"


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_no_hint_gives_the_answer_away(question):
    if question.kind == "number" and format_number(float(question.answer)) not in question.prompt:
        assert format_number(float(question.answer)) not in question.hint.replace("·", "")
    elif question.kind == "choice":
        assert question.options[int(question.answer)].lower() not in question.hint.lower()


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_diagnoses_a_common_wrong_answer(question):
    assert question.mistakes, "what does a wrong answer reveal?"
    if question.kind == "true-false":
        assert [wrong for wrong, _ in question.mistakes] == [not question.answer]


@pytest.mark.parametrize(("question", "wrong", "says"), MISTAKES,
                         ids=[f"{q.id}={typed(q, wrong)}" for q, wrong, _ in MISTAKES])
def test_each_diagnosis_fires_on_its_wrong_answer(question, wrong, says):
    text = typed(question, wrong)
    result = grade(question, question.parse(text), text)
    assert not result.correct and result.diagnosis == says


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.kind == "number"], ids=lambda q: q.id)
def test_diagnoses_stay_clear_of_the_answer_and_of_each_other(question):
    """A right answer is never near a known mistake, and two mistakes never claim the same response."""
    windows = [(float(wrong), question.mistake_window(float(wrong))) for wrong, _ in question.mistakes]
    answer = float(question.answer)
    for value, window in windows:
        assert abs(value - answer) > question.tolerance and abs(value - answer) > window, value
    for index, (value, window) in enumerate(windows):
        for other, other_window in windows[index + 1:]:
            assert abs(value - other) > window + other_window, (value, other)


@pytest.mark.parametrize(("question_id", "typed_answer", "says"), [
    ("cls-head-params", "768*5", "you forgot the 5 biases"),
    ("lstm-params", "4*128*228", "left out the biases"),
    ("lstm-params", "3*128*(100+128) + 6*128", "3 gate blocks"),
    ("gru-params", "4*128*(100+128) + 8*128", "a GRU has 3"),
    ("bilstm-feature-size", "128", "one direction"),
    ("bilstm-params", "4*256*(300+256) + 8*256 + 4*256*(256+256) + 8*256", "one direction only"),
    ("bert-base-scale", "64", "its square root"),
    ("bert-base-scale", "27.71", "full width d_model"),
    ("dot-variance", "8", "standard deviation"),
    ("scale-by-dmodel", "true", "d_model with d_k"),
    ("frozen-trainable", "768", "forgot the 2 biases"),
    ("bert-ffn-params", "2*768*3072", "left out the biases"),
    ("causal-allowed", "45", "diagonal"),
])
def test_the_classic_mistakes_are_named(question_id, typed_answer, says):
    question = _question(question_id)
    result = grade(question, question.parse(typed_answer), typed_answer)
    assert not result.correct and says in result.diagnosis


@pytest.mark.parametrize("written", ["b", "b)", "(b)", "b.", "B)", " b) ", "the update gate z"])
def test_a_choice_may_be_written_as_it_is_shown(written):
    question = _question("gru-update-gate")
    assert question.parse(written) == 1 and question.is_correct(question.parse(written))


def test_a_choice_letter_out_of_range_is_still_refused():
    from seqlab.explain.questions import AnswerFormatError

    with pytest.raises(AnswerFormatError):
        _question("gru-update-gate").parse("e)")


def test_arithmetic_answers_match_mistakes_that_are_not_whole_numbers():
    question = _question("uniform-ce")
    assert "bits" in question.diagnose(question.parse("2.32")) and math.isclose(question.mistakes[0][0], math.log2(5))


def _run(runner, *args: str, typed: str | None = None) -> str:
    from seqlab.cli import app

    result = runner.invoke(app, ["quiz", *args], input=typed, env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


def _squeezed(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def _column(output: str, index: int) -> str:
    """Column `index` of the score table, its wrapped lines joined: what the learner reads in that column."""
    return " ".join(" ".join(line.split("│")[index].strip() for line in output.splitlines()
                             if line.startswith("│")).split())


def test_the_replay_command_keeps_seed_n_and_topic(runner):
    from seqlab.explain.quiz import QuizConfig, replay_command, select_questions

    output = _run(runner, "--topic", "layernorm", "--n", "3", "--seed", "42", typed="s\ns\ns\n")
    replay = "seqlab quiz --seed 42 --n 3 --topic layer-norm"  # the alias is written as the topic's id
    assert replay in output
    config = QuizConfig(topic="layer-norm", n=3, seed=42)
    assert replay_command(config) == replay
    assert [q.id for q in select_questions(config)] == [q.id for q in select_questions(
        QuizConfig(topic="layernorm", n=3, seed=42))]


def test_the_summary_shows_option_text_and_the_topics_to_review(runner):
    from seqlab.explain.quiz import QuizConfig, select_questions

    questions = select_questions(QuizConfig(n=10, seed=5))
    choice = next(q for q in questions if q.kind == "choice")
    wrong = (int(choice.answer) + 1) % len(choice.options)
    answers = [f"{LETTERS[wrong]})" if q is choice else typed(q, q.answer) for q in questions]
    output = _run(runner, "--n", "10", "--seed", "5", typed="\n".join(answers) + "\n")
    table = output.split("score 9/10", 1)[1]
    assert f"{LETTERS[wrong]}) {choice.options[wrong]}" in _column(table, 3)  # yours, with its text
    assert choice.answer_text() in _column(table, 4)  # the answer, with its text
    summary = _squeezed(table)
    assert f"To review (the topics of the questions you missed): $ seqlab explain {choice.topic} " in summary
    assert max(len(line) for line in output.splitlines()) <= 80


def test_a_parenthesised_letter_is_accepted_at_the_prompt_and_in_answers(runner):
    from seqlab.explain.quiz import QuizConfig, select_questions

    questions = select_questions(QuizConfig(n=10, seed=5))
    answers = [f"{LETTERS[int(q.answer)]})" if q.kind == "choice" else q.answer_key() for q in questions]
    assert "score 10/10" in _run(runner, "--n", "10", "--seed", "5", typed="\n".join(answers) + "\n")
    assert "score 10/10" in _run(runner, "--n", "10", "--seed", "5", "--answers", ",".join(answers))


def test_a_diagnosis_is_shown_to_the_learner(runner):
    from seqlab.explain.quiz import QuizConfig, select_questions

    question = _question("cls-head-params")
    seed = next(s for s in range(500) if select_questions(QuizConfig(topic="cls-pooling", n=1, seed=s))[0] is question)
    output = _run(runner, "--topic", "cls-pooling", "--n", "1", "--seed", str(seed), typed="768*5\n")
    assert "Likely mix-up: you forgot the 5 biases" in _squeezed(output)
