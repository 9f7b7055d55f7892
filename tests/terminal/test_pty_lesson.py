"""The tour and the quiz as a learner sees them: a real pseudo-terminal, 80 columns, typed answers.

These drive `python -m seqlab` through pexpect, so what is checked is the exact byte stream a terminal
gets: the opening, one takeaway per step, the question asked (not answered for you), --pause, the
ending, and that every path the tour prints arrives whole (never split by a hard line break).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
# Tour steps that show every part of the lesson's frame without training (train, experiment are slower).
FAST_STEPS = ("data", "tokenize", "explain", "attention", "params", "proofs")


def _spawn(args: list[str], tmp_path: Path):
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "xterm-256color", "PYTHONPATH": str(ROOT),
           "SEQLAB_RUNS": str(tmp_path / "runs"), "MPLBACKEND": "Agg"}
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-m", "seqlab", *args], env=env, dimensions=(40, 80),
                         encoding="utf-8", timeout=90, cwd=str(tmp_path))


def _plain(text: str) -> str:
    return ANSI.sub("", text)


def _path_tokens(text: str) -> set[str]:
    """Every token that looks like a path into the tour folder (relative: runs/..., attention/...)."""
    return set(re.findall(r"(?<![\w/.-])((?:runs|attention|experiment)/[\w./-]+|proofs\.tex)", text))


def test_tour_is_a_lesson_at_80_columns(tmp_path: Path):
    out = tmp_path / "tour"
    args = ["tour", "--out", str(out), "--pause", *[f"--only={step}" for step in FAST_STEPS]]
    child = _spawn(args, tmp_path)
    child.expect("Press Enter after each step")
    child.expect("You will learn")
    seen = child.before + child.after
    child.expect("Enter: start")  # the opening waits too, before the first step scrolls it away
    child.sendline("")
    for step_number in range(1, len(FAST_STEPS) + 1):
        if FAST_STEPS[step_number - 1] == "explain":  # the question is asked, not answered for the learner
            child.expect("your answer")
            child.sendline("?")
            child.expect("hint:")
            seen += child.before + child.after
            child.expect("your answer")
            child.sendline("b")
            child.expect(r"✓ right|✗ wrong")
        if step_number < len(FAST_STEPS):
            child.expect("Enter: next step")
            seen += child.before + child.after
            child.sendline("")
    child.expect(pexpect.EOF)
    seen += child.before
    child.close()
    assert child.exitstatus == 0, _plain(seen)[-3000:]
    text = _plain(seen)

    assert "not at a terminal" not in text and "answers for you" not in text
    assert text.count("➜ ") == len(FAST_STEPS), text  # one takeaway per step
    assert "Quiz: your answer was" in text
    assert "Open these pictures" in text and "Next, try:" in text
    assert "attention-grid.png" in text and "attention-explorer.html" in text

    assert str(out) in text  # the folder, whole, on its own line
    printed = _path_tokens(text)
    assert printed, text
    missing = sorted(p.rstrip(".,:;") for p in printed if not (out / p.rstrip(".,:;")).exists())
    assert not missing, f"paths printed broken or wrong: {missing}"
    long_lines = [line for line in text.split("\n") if len(line) > 80 and "/" not in line]
    assert not long_lines, long_lines


def test_quiz_hint_skip_and_ctrl_c_keeps_the_score(tmp_path: Path):
    child = _spawn(["quiz", "--n", "4", "--seed", "3"], tmp_path)
    child.expect(r"seed 3")
    child.expect("question 1/4")
    child.expect("your answer")
    child.sendline("?")
    child.expect("hint:")
    child.expect("your answer")
    child.sendline("s")
    child.expect("skipped")
    child.expect("question 2/4")
    child.expect("your answer")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    text = _plain(child.before)
    child.close()
    assert child.exitstatus == 0, text
    assert "score 0/1 (1 skipped), stopped early" in text
    assert "seqlab quiz --seed 3" in text
    assert "Traceback" not in text


def test_q_at_a_pause_prints_the_command_for_the_rest(tmp_path: Path):
    out = tmp_path / "tour"
    child = _spawn(["tour", "--out", str(out), "--pause", "--only", "data", "--only", "tokenize"], tmp_path)
    child.expect("Enter: start")
    child.sendline("")
    child.expect("Enter: next step")
    child.sendline("q")
    child.expect(pexpect.EOF)
    text = _plain(child.before)
    child.close()
    assert child.exitstatus == 0, text[-2000:]
    assert "The rest of the tour, when you want it:" in text
    assert f"seqlab tour --only tokenize --out {out}" in " ".join(text.split())
    assert "2/2" not in text  # stopped before the second step

