"""`seqlab check --impl` and `--template` through the CLI: exit codes, --json, starters that round-trip, one-line
errors for bad input and for the learner's own exceptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqlab.cli import app
from seqlab.impl.check import check
from seqlab.impl.kinds import KINDS
from seqlab.impl.student import load_object
from seqlab.impl.templates import ENTRY_NAMES
from .zoos import first

runner = CliRunner()


@pytest.mark.parametrize("kind", list(KINDS))
def test_correct_exits_0_and_buggy_exits_1_naming_its_bug(tmp_path: Path, kind: str) -> None:
    name, source, _ = first(kind, True)
    good = tmp_path / "good.py"
    good.write_text(source)
    result = runner.invoke(app, ["check", "--impl", f"{good}:{name}"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "checks held on your code" in result.output
    name, source, expected = first(kind, False)
    bad = tmp_path / "bad.py"
    bad.write_text(source)
    result = runner.invoke(app, ["check", "--impl", f"{bad}:{name}"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert f"bug: {expected}" in result.output
    assert "Traceback" not in result.output


def test_json(tmp_path: Path) -> None:
    name, source, expected = first("attention", False)
    bad = tmp_path / "bad.py"
    bad.write_text(source)
    result = runner.invoke(app, ["check", "--impl", f"{bad}:{name}", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["kind"] == "attention" and data["passed"] is False
    assert expected in [d["name"] for d in data["diagnoses"]]
    assert all(row["measured_on"] == "model" for row in data["checks"])


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_round_trip(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "starter.py"
    result = runner.invoke(app, ["check", "--template", kind, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "raise NotImplementedError" in text
    assert f"seqlab check --impl {out}:{ENTRY_NAMES[kind]}" in result.output.replace("\n", " ")
    result = runner.invoke(app, ["check", "--impl", f"{out}:{ENTRY_NAMES[kind]}"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "not implemented yet" in lines[0], result.output


def test_template_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "mine.py"
    out.write_text("my work\n")
    result = runner.invoke(app, ["check", "--template", "attention", "--out", str(out)])
    assert result.exit_code == 2
    assert "exists" in result.output and "never overwrites" in result.output
    assert out.read_text() == "my work\n"


@pytest.mark.parametrize(("args", "says"), [
    (["--impl", "nofile.py:attention"], "no file"),
    (["--impl", "just_a_name"], "FILE.py:NAME"),
    (["--template", "rnn"], "unknown kind"),
    (["--impl", "x.py:f", "--fresh"], "go alone"),
    (["--impl", "x.py:f", "--template", "attention"], "one of --impl"),
    (["--impl", "x.py:f", "--out", "y.py"], "--out goes with --template"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], says: str) -> None:
    (tmp_path / "x.py").write_text("def f(x):\n    return x\n")
    result = runner.invoke(app, ["check", *[a.replace("x.py", str(tmp_path / "x.py")) for a in args]],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_learner_errors_name_their_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\n\ndef attention(q, k, v, mask=None):\n    return q @ k.transpose(0, 5), None\n")
    result = runner.invoke(app, ["check", "--impl", f"{broken}:attention"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "broken.py line 5: IndexError" in result.output and "Traceback" not in result.output
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def attention(q, k, v, mask=None):\n    return q\n")
    result = runner.invoke(app, ["check", "--impl", f"{wrong}:attention"], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "does not follow the signature" in result.output and "(out, weights)" in result.output
    crash = tmp_path / "crash.py"
    crash.write_text("import torch\n\n1 / 0\n")
    result = runner.invoke(app, ["check", "--impl", f"{crash}:attention"], env={"COLUMNS": "200"})
    assert result.exit_code == 1  # their file is wrong (exit 1), not the input (exit 2)
    assert "crash.py line 3: ZeroDivisionError" in result.output
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def attention(q, k, v, mask=None)\n    pass\n")
    result = runner.invoke(app, ["check", "--impl", f"{syntax}:attention"], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "syntax.py line 1: SyntaxError" in result.output


def test_unknown_kind_names_the_signatures(tmp_path: Path) -> None:
    odd = tmp_path / "odd.py"
    odd.write_text("def thing(a, b, c, d, e):\n    return a\n")
    result = runner.invoke(app, ["check", "--impl", f"{odd}:thing"], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "pass --kind" in result.output and "attention(q" in result.output


def test_an_endless_loop_is_stopped_in_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.py"
    loop.write_text("def causal_mask(T):\n    while True:\n        T += 1\n")
    loaded = load_object(f"{loop}:causal_mask")
    report = check(loaded.obj, where=loaded.path, seconds=0.5)
    assert report.exit_code == 1
    assert "still running after 0.5 s" in report.problem and "loop.py line" in report.problem
    forever = tmp_path / "forever.py"
    forever.write_text("while True:\n    pass\n")
    result = runner.invoke(app, ["check", "--impl", f"{forever}:f", "--timeout", "0.5"], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "forever.py line" in result.output and "still running" in result.output


def test_several_impl_in_one_call_give_one_verdict(tmp_path: Path) -> None:
    files = []
    for kind, correct in (("encoder-block", True), ("classifier-head", False), ("layernorm", True)):
        name, source, _ = first(kind, correct)
        path = tmp_path / f"{kind.replace('-', '_')}.py"
        path.write_text(source)
        files += ["--impl", f"{path}:{name}"]
    result = runner.invoke(app, ["check", *files], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert result.output.count("checks held on your code") == 2 and "bug: softmax applied in the head" in result.output
    data = json.loads(runner.invoke(app, ["check", *files, "--json"]).output)
    assert data["passed"] is False and [r["kind"] for r in data["reports"]] == ["encoder-block", "classifier-head",
                                                                                 "layernorm"]
    two_good = [files[0], files[1], files[4], files[5]]
    assert runner.invoke(app, ["check", *two_good]).exit_code == 0
    result = runner.invoke(app, ["check", *files, "--kind", "layernorm"])
    assert result.exit_code == 2 and "--kind names one kind" in result.output


def test_kind_help_names_every_kind() -> None:
    import typing

    from seqlab.commands.check import check as command

    option = typing.get_type_hints(command, include_extras=True)["kind"].__metadata__[0]
    assert all(kind in option.help for kind in KINDS), [kind for kind in KINDS if kind not in option.help]
