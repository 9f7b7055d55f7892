"""The quiz: seeded selection, --answers scoring, the interactive flow through stdin, JSON, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.explain.questions import Question
from seqlab.explain.quiz import QuizConfig, grade_answer_list, parse_answer_list, select_questions
from seqlab.explain.render import score_table


def wrong_answer(question: Question) -> str:
    """An answer to `question` that parses but is wrong."""
    if question.kind == "true-false":
        return "false" if question.answer else "true"
    if question.kind == "choice":
        return "abcdefgh"[(int(question.answer) + 1) % len(question.options)]
    return repr(float(question.answer) + 2 * question.tolerance + 1)


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_selection_is_seeded():
    first = [q.id for q in select_questions(QuizConfig(n=8, seed=3))]
    assert first == [q.id for q in select_questions(QuizConfig(n=8, seed=3))]
    assert first != [q.id for q in select_questions(QuizConfig(n=8, seed=4))]
    assert len(set(first)) == 8


def test_topic_filter_and_caps():
    questions = select_questions(QuizConfig(topic="layernorm", n=100, seed=0))  # an alias works too
    assert questions and {q.topic for q in questions} == {"layer-norm"}
    with pytest.raises(SeqlabError, match="did you mean"):
        select_questions(QuizConfig(topic="attentoin"))
    with pytest.raises(SeqlabError, match="at least 1"):
        select_questions(QuizConfig(n=0))


def test_answers_scoring_right_and_wrong():
    questions = select_questions(QuizConfig(n=12, seed=7))
    right = grade_answer_list(questions, ",".join(q.answer_key() for q in questions))
    assert (right.score, right.total) == (12, 12)
    mixed = ",".join(q.answer_key() if i % 2 == 0 else wrong_answer(q) for i, q in enumerate(questions))
    result = grade_answer_list(questions, mixed)
    assert result.score == 6
    assert [r.correct for r in result.results] == [i % 2 == 0 for i in range(12)]


def test_malformed_answers_name_the_problem():
    questions = select_questions(QuizConfig(n=3, seed=1))
    with pytest.raises(SeqlabError, match="2 answer"):
        parse_answer_list("a,b", questions)
    bad = ["x" if q.kind != "choice" else "true" for q in questions]
    with pytest.raises(SeqlabError, match="item 1"):
        parse_answer_list(",".join(bad), questions)


def test_cli_answers_json(runner):
    questions = select_questions(QuizConfig(n=5, seed=2))
    answers = [q.answer_key() for q in questions[:4]] + [wrong_answer(questions[4])]
    result = runner.invoke(app, ["quiz", "--n", "5", "--seed", "2", "--answers", ",".join(answers), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["score"], data["total"], data["seed"]) == (4, 5, 2)
    assert [r["id"] for r in data["results"]] == [q.id for q in questions]
    last = data["results"][-1]
    assert last["correct"] is False and last["explanation"] and last["see"][0].startswith("seqlab explain")


def test_cli_answers_rich(runner):
    questions = select_questions(QuizConfig(n=2, seed=0))
    result = runner.invoke(app, ["quiz", "--n", "2", "--answers", ",".join(q.answer_key() for q in questions)])
    assert result.exit_code == 0
    assert "score 2/2" in result.output and "right" in result.output


def test_cli_list_hides_answers(runner):
    result = runner.invoke(app, ["quiz", "--n", "4", "--seed", "9", "--list", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [q["id"] for q in listed] == [q.id for q in select_questions(QuizConfig(n=4, seed=9))]
    assert all("answer" not in q and "explanation" not in q for q in listed)


def test_interactive_flow_through_stdin(runner):
    questions = select_questions(QuizConfig(n=3, seed=5))
    typed = [questions[0].answer_key(), "not-an-answer", questions[1].answer_key(), wrong_answer(questions[2])]
    result = runner.invoke(app, ["quiz", "--n", "3", "--seed", "5"], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("question 1/3") == 1 and out.count("question 2/3") == 1  # a retry does not repeat the panel
    assert "is not an answer here" in out
    assert out.count("✓ right") == 2 and out.count("✗ wrong") == 1
    assert questions[2].explanation.split()[0] in out
    assert "score 2/3" in out


def test_interactive_json_keeps_stdout_clean(runner):
    questions = select_questions(QuizConfig(n=2, seed=1))
    typed = "\n".join(q.answer_key() for q in questions) + "\n"
    result = runner.invoke(app, ["quiz", "--n", "2", "--seed", "1", "--json"], input=typed)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["score"] == 2


def test_input_ending_early_is_one_line(runner):
    result = runner.invoke(app, ["quiz", "--n", "3"], input="")
    assert result.exit_code == 2
    assert "input ended before question 1 of 3" in result.output.splitlines()[-1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--n", "3", "--answers", "a,b"], "2 answer(s) for 3 question(s)"),
        (["--n", "1", "--answers", "1,234"], "2 answer(s) for 1 question(s)"),
        (["--topic", "nonsense-topic"], "unknown topic"),
        (["--n", "0"], "--n must be at least 1"),
    ],
)
def test_bad_input_exit_2_one_line(runner, args, message):
    result = runner.invoke(app, ["quiz", *args])
    assert result.exit_code == 2
    assert message in one_line_error(result.output)


def test_bad_answer_token_exit_2_one_line(runner):
    question = select_questions(QuizConfig(n=1, seed=0))[0]
    bad = "maybe" if question.kind != "true-false" else "q"
    result = runner.invoke(app, ["quiz", "--n", "1", "--answers", bad])
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert question.id in line and "expected" in line


def test_tour_step_answers_one_question(tmp_path: Path):
    from seqlab.tour import TourContext
    from seqlab.tour.explain import STEP

    console = Console(record=True, width=100)
    summary = STEP.run(TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console))
    assert summary is not None
    assert STEP.name == "explain"
    assert summary["topic"] == "attention" and summary["correct"] is True
    assert summary["answered_by"] == "tour"  # not interactive: the tour answers and says so
    assert summary["waited_seconds"] == 0.0  # nobody was asked: no thinking time to leave out of the step
    text = console.export_text()
    assert "computed live" in text and "question 1/1" in text and "answers for you" in text


def test_tour_runs_the_explain_step(runner, tmp_path: Path):
    result = runner.invoke(app, ["tour", "--only", "explain", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)["steps"]
    assert [s["step"] for s in steps] == ["explain"] and steps[0]["correct"] is True


def test_score_table_keeps_answers_whole_and_shows_option_text_at_80_columns():
    """Short answers ("true", "12") are never folded a letter per line; a choice shows its option's text (wrapped
    between words), so the summary says what b) was; the question column gives way."""
    questions = select_questions(QuizConfig(n=10, seed=3))
    result = grade_answer_list(questions, ",".join(wrong_answer(q) for q in questions))
    console = Console(width=80, record=True, color_system=None)
    console.print(score_table(result))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.startswith("│") and line.split("│")[1].strip()]
    assert len(rows) == 10, "\n".join(lines)  # one numbered row per question
    def column(index: int) -> str:
        return " ".join(line.split("│")[index].strip() for line in lines if line.startswith("│"))

    yours, answers = " ".join(column(3).split()), " ".join(column(4).split())
    for question, item in zip(questions, result.results):
        if question.kind == "choice":
            assert item.given_answer in yours and item.answer in answers
        else:  # true/false and numbers: on the question's own row, whole
            row = rows[result.results.index(item)]
            assert item.answer.split(" (")[0] in row and item.given_answer in row
