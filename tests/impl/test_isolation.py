"""`seqlab check --impl` runs the learner's code in a child process: an endless loop, a crash of the process, an
exception at import or their prints are one line and exit 1 (never our traceback, never in --json); bad input is
exit 2; `seqlab.check(obj)` on a live object stays in this process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.impl import isolate
from seqlab.impl.check import check
from seqlab.impl.isolate import check_isolated, report_from_dict, report_to_dict, signal_words

runner = CliRunner()


@pytest.fixture(autouse=True)
def in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run the learner's code in the child process, as `seqlab check --impl` does."""
    monkeypatch.setattr(isolate, "IN_PROCESS", False)

GOOD = '''import math
import torch


def attention(q, k, v, mask=None):
    print("debug: scores", {"not": "json"})
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1))
    return weights @ v, weights
'''


def invoke(*args: str) -> tuple[int, str]:
    """Run `seqlab check ARGS` in CliRunner: its exit code and output."""
    result = runner.invoke(app, ["check", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def one_line(output: str) -> str:
    """The only non-empty line of `output` (fails when there are more)."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_an_endless_loop_in_a_call_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    loop = tmp_path / "loop.py"
    loop.write_text("def causal_mask(T):\n    while True:\n        T += 1\n")
    code, output = invoke("--impl", f"{loop}:causal_mask", "--timeout", "1")
    assert code == 1
    line = one_line(output)
    assert "still running after 1 s" in line and "loop.py line" in line and "Traceback" not in output


def test_an_endless_loop_the_alarm_cannot_stop_is_killed(tmp_path: Path) -> None:
    # the learner ignores our alarm (SIGALRM set to nothing): only the parent's kill stops it
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN) if hasattr(signal, 'SIGALRM') "
                        "else None\n\n\ndef causal_mask(T):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                        "    while True:\n        T += 1\n")
    report = check_isolated(f"{stubborn}:causal_mask", timeout=0.5)
    assert report.exit_code == 1
    assert "still running after 0.5 s" in report.problem and "stopped it" in report.problem


@pytest.mark.parametrize(("body", "says"), [
    ("import os\n\n\ndef causal_mask(T):\n    os._exit(3)\n", "exited with code 3"),
    ("import ctypes\n\n\ndef causal_mask(T):\n    ctypes.string_at(0)\n", "SIGSEGV"),
])
def test_a_crash_of_the_whole_process_is_one_line(tmp_path: Path, body: str, says: str) -> None:
    if says == "SIGSEGV" and os.name == "nt":
        pytest.skip("Windows reports an access violation as an exit code, not a signal")
    crash = tmp_path / "crash.py"
    crash.write_text(body)
    code, output = invoke("--impl", f"{crash}:causal_mask")
    assert code == 1
    line = one_line(output)
    assert "your code stopped Python" in line and says in line and "Traceback" not in output


def test_an_exception_at_import_is_exit_1_and_a_missing_file_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\nraise RuntimeError('half done')\n")
    code, output = invoke("--impl", f"{broken}:attention", "--json")
    assert code == 1
    data = json.loads(output)
    assert data["passed"] is False and "broken.py line 3: RuntimeError: half done" in data["problem"]
    code, output = invoke("--impl", f"{tmp_path / 'missing.py'}:attention")
    assert code == 2 and "no file" in one_line(output)
    code, output = invoke("--impl", f"{broken.with_name('ok.py')}:attention")
    assert code == 2


def test_a_missing_name_and_an_unknown_signature_are_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolate, "IN_PROCESS", True)  # what the child decides; it sends it back as in test_prints
    odd = tmp_path / "odd.py"
    odd.write_text("def thing(a, b, c, d, e):\n    return a\n")
    code, output = invoke("--impl", f"{odd}:attention")
    assert code == 2 and "has no 'attention'" in output and "thing" in output
    code, output = invoke("--impl", f"{odd}:thing")
    assert code == 2 and "pass --kind" in output and "Traceback" not in output
    code, output = invoke("--impl", f"{odd}:thing", "--timeout", "0")
    assert code == 2 and "--timeout" in output


def test_the_learners_prints_never_reach_json(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    code, output = invoke("--impl", f"{good}:attention", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["passed"] is True and "debug" not in output


def test_a_report_survives_the_trip_between_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolate, "IN_PROCESS", True)
    good = tmp_path / "good.py"
    good.write_text(GOOD.replace("/ math.sqrt(q.shape[-1])", ""))
    report = check_isolated(f"{good}:attention")
    assert report.exit_code == 1 and report.diagnoses and report.rows
    assert report_from_dict(json.loads(json.dumps(report_to_dict(report)))) == report


def test_signal_words() -> None:
    assert signal_words(-11) == "killed by SIGSEGV (a segmentation fault)"
    assert "code 3" in signal_words(3)


def test_check_of_a_live_object_stays_in_process() -> None:
    calls: list[int] = []

    def causal_mask(T: int):  # noqa: ANN202 - a learner's function
        import torch
        calls.append(T)
        return torch.ones(T, T, dtype=torch.bool).tril()

    report = check(causal_mask, kind="causal-mask")
    assert report.exit_code == 0 and calls  # it ran here: the list it appended to is ours
    with pytest.raises(SeqlabError):
        check_isolated("nofile.py:f")
