"""`seqlab tokenize` through the CLI: both tokenizers side by side, pairs, truncation, --json, bad input."""

from __future__ import annotations

import json

from seqlab.cli import app


def test_tokenize_shows_both_tokenizers(runner):
    result = runner.invoke(app, ["tokenize", "The unlikeable plot was not clever"])
    assert result.exit_code == 0, result.output
    assert "word vocabulary" in result.output and "WordPiece" in result.output and "decoded" in result.output


def test_tokenize_json_pair_segments_and_unknowns(runner):
    result = runner.invoke(app, ["tokenize", "the plot was clever", "--pair", "zyxwv film", "--json"])
    payload = json.loads(result.output)
    word, pieces = payload["word"], payload["wordpiece"]
    assert word["tokens"] == ["the", "plot", "was", "clever", "<sep>", "zyxwv", "film"]
    assert word["unknown"] == [False] * 5 + [True, False] and word["unknown_count"] == 1
    assert set(word["segment_ids"]) == {0}
    assert pieces["tokens"][0] == "[CLS]" and pieces["tokens"].count("[SEP]") == 2
    first_sep = pieces["tokens"].index("[SEP]")
    assert pieces["segment_ids"] == [0] * (first_sep + 1) + [1] * (len(pieces["tokens"]) - first_sep - 1)
    assert len(pieces["ids"]) == len(pieces["tokens"]) == len(pieces["continuation"])


def test_tokenize_max_length_and_stop_words(runner):
    payload = json.loads(runner.invoke(app, ["tokenize", "the plot was very clever film", "--max-length", "4",
                                             "--stop-words", "--json"]).output)
    assert payload["word"]["tokens"] == ["plot", "clever", "film"]
    assert len(payload["wordpiece"]["ids"]) == 4


def test_tokenize_bad_input_is_one_line(runner):
    for args, message in ((["tokenize", "   "], "the text to tokenize is empty"),
                          (["tokenize", "hi", "--max-length", "2"], "--max-length must be from 3 to"),
                          (["tokenize", "hi", "--pair", "yo", "--max-length", "3"], "--max-length must be from 4 to"),
                          (["tokenize", "hi", "--vocab-from", "nope"], "unknown dataset 'nope'")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0]


def test_tokenize_help_teaches(runner):
    result = runner.invoke(app, ["tokenize", "--help"])
    assert result.exit_code == 0 and "WordPiece" in result.output and "--pair" in result.output
