"""Autograder files from `seqlab check --impl`: JUnit XML parsed back, Gradescope's results.json with a teacher's
points, and one-line exit-2 errors for bad points files and folders given as files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from seqlab.cli import app

from .zoo import GOOD_ATTENTION, ZOO

BROKEN = next(source for kind, _, source, expected in ZOO if kind == "attention" and expected == "no 1/sqrt(d_k)")


def _student(tmp_path: Path, source: str, name: str = "student.py") -> str:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return f"{path}:attention"


def test_junit_has_one_testcase_per_check_and_the_failure_names_the_bug(runner, tmp_path: Path) -> None:
    out = tmp_path / "results.xml"
    result = runner.invoke(app, ["check", "--impl", _student(tmp_path, BROKEN), "--junit", str(out)])
    assert result.exit_code == 1, result.output
    suite = ET.parse(out).getroot().find("testsuite")
    cases = suite.findall("testcase")
    failed = [case for case in cases if case.find("failure") is not None]
    assert len(cases) == int(suite.get("tests")) >= 8 and len(failed) == int(suite.get("failures")) >= 1
    assert all("no 1/sqrt(d_k)" in case.find("failure").get("message") for case in failed)
    assert {case.get("name") for case in cases} >= {"gradcheck", "attention-rows"}


def test_gradescope_scores_each_check_with_the_teachers_points(runner, tmp_path: Path) -> None:
    points = tmp_path / "points.toml"
    points.write_text('[points]\n"attention-scaling" = 5\n"gradcheck" = 2\n', encoding="utf-8")
    out = tmp_path / "results.json"
    args = ["check", "--impl", _student(tmp_path, BROKEN), "--gradescope", str(out), "--points", str(points)]
    assert runner.invoke(app, args).exit_code == 1
    results = json.loads(out.read_text())
    tests = {test["name"]: test for test in results["tests"]}
    assert tests["attention-scaling"]["max_score"] == 5 and tests["attention-scaling"]["score"] == 0
    assert tests["gradcheck"]["max_score"] == 2 and tests["gradcheck"]["score"] == 2
    assert results["score"] == sum(t["score"] for t in results["tests"]) < results["max_score"]
    good = tmp_path / "good.json"
    runner.invoke(app, ["check", "--impl", _student(tmp_path, GOOD_ATTENTION, "good.py"), "--gradescope", str(good)])
    assert json.loads(good.read_text())["score"] == json.loads(good.read_text())["max_score"]


def test_bad_points_and_a_folder_as_output_are_one_line_exit_2(runner, tmp_path: Path) -> None:
    impl = _student(tmp_path, GOOD_ATTENTION)
    typo = tmp_path / "typo.toml"
    typo.write_text('[points]\n"atention-rows" = 1\n', encoding="utf-8")
    cases = [
        ["--gradescope", str(tmp_path / "r.json"), "--points", str(typo)],
        ["--gradescope", str(tmp_path / "r.json"), "--points", str(tmp_path / "missing.toml")],
        ["--points", str(typo)],
        ["--junit", str(tmp_path)],
    ]
    for extra in cases:
        result = runner.invoke(app, ["check", "--impl", impl, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 3, result.output
    assert not (tmp_path / "r.json").exists()
