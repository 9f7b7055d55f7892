"""What an autograder reads from a check of a learner's code: JUnit XML (one testcase per check), Gradescope's
results.json (per-check points from a teacher's TOML), and the atomic writes of both."""

from __future__ import annotations

import math
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.impl.report import ImplReport, ImplRow
from seqlab.io import atomic_write_json, atomic_write_text

# characters XML 1.0 cannot hold at all (escaping cannot save them): dropped from the learner's text
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PROBLEM_CHECK = "runs"  # the one testcase of a report whose code could not be checked at all


def xml_text(text: str) -> str:
    """`text` with the characters XML 1.0 forbids removed (ElementTree escapes the rest: <, &, quotes)."""
    return XML_ILLEGAL.sub("", text)


def load_points(path: Path) -> dict[str, float]:
    """The teacher's per-check points: a TOML file with a [points] table, "check name" = points (>= 0).

    A check it does not name is worth 1 point. A missing or unreadable file, a file without [points], or a value
    that is not a number >= 0 is a SeqlabError (exit 2)."""
    path = Path(path)
    if not path.is_file():
        raise SeqlabError(f"--points {path}: no such file; write a TOML file with a [points] table")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SeqlabError(f"--points {path.name} is not valid TOML: {exc}") from None
    table = data.get("points")
    if not isinstance(table, dict) or not table:
        raise SeqlabError(f'--points {path.name} has no [points] table; e.g. [points] then "rows sum to 1" = 2')
    points: dict[str, float] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise SeqlabError(f"--points {path.name}: {name!r} = {value!r}; points are numbers >= 0")
        points[name] = float(value)
    return points


def check_points(points: dict[str, float], reports: list[ImplReport], source: str = "--points") -> None:
    """SeqlabError when `points` names a check that none of the reports' kinds has (a typo would grade silently
    wrong); reports that could not run (no rows) cannot tell, so when none ran it passes."""
    ran = [report for report in reports if report.rows]
    if not ran:
        return
    names = {row.name for report in ran for row in report.rows}
    unknown = sorted(set(points) - names)
    if unknown:
        kinds = " or ".join(dict.fromkeys(report.kind for report in ran))
        raise SeqlabError(f"{source} names checks that {kinds} does not have: {', '.join(map(repr, unknown))}; "
                          f"its checks are: {', '.join(map(repr, sorted(names)))}")


def failure_message(row: ImplRow, report: ImplReport) -> str:
    """What a failed check says to the grader: the named bugs, then what was measured."""
    named = "; ".join(f"{d.name}: {d.advice}" + (f" ({d.evidence})" if d.evidence else "") for d in report.diagnoses)
    measured = f"{row.detail} (measured {row.measured:.3g}, tolerance {row.tolerance:.0e})"
    if row.measured_on != "model":
        measured = f"not measured on your code: {row.detail}"
    return f"{named} | {measured}" if named else measured


def junit_xml(reports: list[ImplReport]) -> str:
    """JUnit XML: one testsuite per checked object, one testcase per check (a failure's message is the diagnosis);
    an object that could not be checked is one testcase with an <error> saying why."""
    suites = ET.Element("testsuites", name="seqlab check --impl")
    for report in reports:
        failures = sum(1 for row in report.rows if not row.passed or row.measured_on != "model")
        suite = ET.SubElement(suites, "testsuite", name=xml_text(report.target),
                              tests=str(len(report.rows) or 1), failures=str(failures),
                              errors="1" if report.problem else "0", skipped="0")
        classname = xml_text(f"{report.target} ({report.kind})" if report.kind else report.target)
        if report.problem:
            case = ET.SubElement(suite, "testcase", classname=classname, name=PROBLEM_CHECK)
            ET.SubElement(case, "error", message=xml_text(report.problem), type="problem").text = xml_text(report.problem)
        for row in report.rows:
            case = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(row.name))
            if not row.passed or row.measured_on != "model":
                message = xml_text(failure_message(row, report))
                ET.SubElement(case, "failure", message=message, type=row.source).text = message
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def gradescope_results(reports: list[ImplReport], points: dict[str, float] | None = None) -> dict[str, Any]:
    """Gradescope's results.json: one test per check (name, score, max_score, status, output) and the total score.

    A check scores its points (from `points`, else 1) when it held on the learner's code, else 0; code that could
    not be checked is one test worth every point `points` gives (at least 1) scoring 0, its output the problem."""
    points = points or {}
    tests: list[dict[str, Any]] = []
    for report in reports:
        prefix = f"{report.target}: " if len(reports) > 1 else ""
        if report.problem:
            worth = sum(points.values()) or 1.0
            tests.append({"name": f"{prefix}{PROBLEM_CHECK}", "score": 0.0, "max_score": worth, "status": "failed",
                          "output": report.problem})
        for row in report.rows:
            worth = points.get(row.name, 1.0)
            held = row.passed and row.measured_on == "model"
            tests.append({"name": f"{prefix}{row.name}", "score": worth if held else 0.0, "max_score": worth,
                          "status": "passed" if held else "failed",
                          "output": row.detail if held else failure_message(row, report)})
    score = sum(test["score"] for test in tests)
    total = sum(test["max_score"] for test in tests)
    passed = all(report.passed for report in reports)
    return {"score": score, "max_score": total,
            "output": f"{score:g} of {total:g} points; " + ("every check held" if passed else "some checks failed"),
            "tests": tests}


def output_file(path: Path, option: str) -> Path:
    """`path` as a file to write for `option`: SeqlabError when it is a folder (never replaced by a file)."""
    path = Path(path)
    if path.is_dir():
        raise SeqlabError(f"{option} {path} is a folder; give a file name (e.g. {path / 'results'}"
                          f"{'.xml' if option == '--junit' else '.json'})")
    return path


def write_grading(reports: list[ImplReport], junit: Path | None = None, gradescope: Path | None = None,
                  points: dict[str, float] | None = None) -> list[Path]:
    """Write the JUnit XML and/or Gradescope results asked for, each atomically (a grader never reads half)."""
    written: list[Path] = []
    if junit is not None:
        written.append(atomic_write_text(output_file(junit, "--junit"), junit_xml(reports)))
    if gradescope is not None:
        written.append(atomic_write_json(output_file(gradescope, "--gradescope"), gradescope_results(reports, points)))
    return written
