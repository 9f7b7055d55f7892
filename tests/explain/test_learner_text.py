"""What a learner reads in `seqlab explain`, the quiz and the tour (issue 30 item 11), at 80 columns: special tokens
in one spelling (BERT's [MASK], said once that the word vocabulary writes <mask>), misconceptions marked
neutrally (a green ✓ reads as "right"), formulas as plain text (no LaTeX braces), and the scaling demo's columns
naming T, the number of keys."""

from __future__ import annotations

import re

import pytest

from seqlab.cli import app
from seqlab.data.encoded import SPECIAL_SPELLINGS, SPELLING_NOTE
from seqlab.explain.bank import QUESTIONS
from seqlab.explain.catalog import all_topics

WORD_SPELLINGS = tuple(word for _, word in SPECIAL_SPELLINGS)
LATEX = re.compile(r"[_^]\{|\\[a-zA-Z]+")  # x_{t-1}, 10000^{2i/d}, \frac, \sqrt ...


def _invoke(runner, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


def _flat(text: str) -> str:
    """The output as one line of words (wrapping and panel borders removed)."""
    return " ".join(text.replace("│", " ").split())


def test_the_spellings_are_the_encoders_own():
    from seqlab.data.vocab import MASK, SPECIALS
    from seqlab.data.wordpiece import SPECIAL_TOKENS

    assert tuple(bert for bert, _ in SPECIAL_SPELLINGS) == SPECIAL_TOKENS
    assert WORD_SPELLINGS == (*SPECIALS, MASK)


def _topic_texts():
    for topic in all_topics():
        for text in (topic.summary, topic.idea.replace(SPELLING_NOTE, ""), topic.formula, *topic.misconceptions):
            yield topic.id, text


def _question_texts():
    for question in QUESTIONS:
        for text in (question.prompt, question.explanation, question.hint, *question.options,
                     *(diagnosis for _, diagnosis in question.mistakes)):
            yield question.id, text


@pytest.mark.parametrize("where", ["topics", "quiz"])
def test_concept_text_uses_one_spelling_of_the_special_tokens(where):
    texts = _topic_texts() if where == "topics" else _question_texts()
    found = [(name, word) for name, text in texts for word in WORD_SPELLINGS if word in text]
    assert not found, found


def test_explain_tokenization_says_once_how_the_word_vocabulary_spells_them(runner):
    text = _flat(_invoke(runner, "explain", "tokenization"))
    assert text.count(" ".join(SPELLING_NOTE.split())) == 1
    assert "<mask> where WordPiece writes [MASK]" in text
    before_the_note = text.split(SPELLING_NOTE.split()[0])[0]
    assert not any(word in before_the_note for word in WORD_SPELLINGS)


def test_the_tour_says_it_once_in_the_tokenize_step(runner, tmp_path):
    output = _invoke(runner, "tour", "--only", "tokenize", "--out", str(tmp_path / "tour"))
    text = _flat(output)
    assert text.count("<mask> where WordPiece writes [MASK]") == 1
    assert "to [UNK]" in text and "to <unk>" not in text  # the takeaway counts the word vocabulary's [UNK]


def test_misconceptions_carry_a_neutral_mark(runner):
    output = _invoke(runner, "explain", "scaling")
    wrong = output.split("Often gotten wrong")[1].split("See it run")[0]
    marks = [line.split()[0] for line in wrong.splitlines()[1:] if line.strip() and not line.startswith("   ")]
    assert marks and set(marks) == {"•"}, marks
    assert "✓" not in output and "✗" not in output


def test_explain_positions_prints_formulas_as_plain_text(runner):
    output = _invoke(runner, "explain", "positions")
    assert "10000^(2i/d)" in output
    assert not LATEX.search(output), LATEX.search(output)


@pytest.mark.parametrize("where", ["topics", "quiz"])
def test_no_latex_braces_in_any_topic_or_question(where):
    texts = _topic_texts() if where == "topics" else _question_texts()
    found = [(name, LATEX.search(text).group()) for name, text in texts if LATEX.search(text)]
    assert not found, found


def test_explain_scaling_columns_name_t(runner):
    from seqlab.explain.demos.attention import SCALING_KEYS

    output = _invoke(runner, "explain", "scaling")
    assert max(len(line) for line in output.splitlines()) <= 80
    lines = output.splitlines()
    header = next(index for index, line in enumerate(lines) if "Var(q·k/√d_k)" in line and "weights" in line)
    above = lines[header - 1]
    assert above.count(f"T={SCALING_KEYS}") == 2, above  # both mean-max columns: the max of T weights
    text = _flat(output)
    assert f"over T = {SCALING_KEYS} keys" in text and f"1/T = {1 / SCALING_KEYS:.3f}" in text


def test_layers_and_positions_are_counted_from_0_and_the_text_says_so():
    from rich.console import Console

    from seqlab.training.fill_mask import Filler, FillMaskResult, MaskSlot
    from seqlab.training.render import fill_mask_view

    result = FillMaskResult("i did not [MASK] this movie .", ("i", "did", "not", "[MASK]", "this", "movie", "."),
                            (MaskSlot(3, (Filler("like", 0.5),)),), "i did not like this movie .")
    console = Console(record=True, width=80, color_system=None)
    console.print(fill_mask_view(result))
    assert "[MASK] 1 (position #3 of #0-#6)" in console.export_text()


def test_the_live_attention_example_names_its_layer_as_the_code_does(runner):
    output = _invoke(runner, "explain", "attention", "--text", "the acting was not good")
    assert re.search(r"layer L\d \(of L0-L\d: counted from 0", " ".join(output.split())), output[:600]
    assert " of 6," not in output


def test_the_tour_params_step_says_what_each_symbol_stands_for(runner, tmp_path):
    output = " ".join(_invoke(runner, "tour", "--only", "params", "--out", str(tmp_path / "t")).split())
    for symbol, meaning in (("V", "vocabulary"), ("P", "positions"), ("S", "segment types"), ("d", "width"),
                            ("f", "feed-forward width"), ("L", "layers")):
        assert re.search(rf"\b{symbol}=[\d,]+ {meaning}", output), symbol
    assert "L6 H384" not in output.replace("MiniLM-L6-H384", "")
