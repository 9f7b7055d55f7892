"""Checking a learner's `path.py:NAME` in a child Python process with a time limit, so that their endless loop,
crash (a segfault, `os._exit`), exception at import or prints cannot take seqlab (or its --json output) down.

The child is `python -m seqlab.impl.isolate REQUEST.json` (plain `subprocess` with `sys.executable`: the same on
Linux, macOS and Windows). It writes `started` next to the request once seqlab and torch are imported, then the
report (or a bad-input error) as JSON; the learner's stdout and stderr go to a file, never to ours. The parent gives
their code `timeout` seconds from `started` and kills the child after that (the child's own alarm, where POSIX has
one, stops it first with the line it was on).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.impl import student
from seqlab.impl.kinds import get_kind
from seqlab.impl.report import Diagnosis, ImplReport, ImplRow
from seqlab.impl.student import parse_spec

DEFAULT_TIMEOUT_S = 60.0  # what `--timeout` is when left out: every kind checks in a few seconds
STARTUP_LIMIT_S = 120.0  # the most the child may take to import seqlab and torch before the learner's code runs
GRACE_S = 2.0  # past the learner's time: the child's own alarm reports first, with their line
# False: every check of a file runs in a child process. The test suite sets it True for its many CLI tests of the
# checks' verdicts (a child costs seconds of torch import each); tests/impl/test_isolation.py runs the child.
IN_PROCESS = False


def report_to_dict(report: ImplReport) -> dict[str, Any]:
    """An ImplReport as plain JSON data (the inverse of `report_from_dict`)."""
    return asdict(report)


def report_from_dict(data: dict[str, Any]) -> ImplReport:
    """The ImplReport `report_to_dict` wrote."""
    return ImplReport(
        target=data["target"], kind=data["kind"],
        rows=tuple(ImplRow(**row) for row in data["rows"]),
        diagnoses=tuple(Diagnosis(**d) for d in data["diagnoses"]),
        problem=data["problem"], notes=tuple(data["notes"]),
    )


def label_of(spec: str) -> str:
    """'file.py:NAME' for a spec 'path/to/file.py:NAME' (what a report calls the learner's object)."""
    path_text, _, name = spec.rpartition(":")
    return f"{Path(path_text).name}:{name}"


def signal_words(code: int) -> str:
    """What a child's return code means: 'killed by SIGSEGV (a segmentation fault)', 'exited with code 3'."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        extra = " (a segmentation fault)" if name == "SIGSEGV" else ""
        return f"killed by {name}{extra}"
    return f"exited with code {code} (os._exit or sys.exit in your code?)"


def check_isolated(spec: str, kind: str | None = None, seed: int = 0,
                   timeout: float = DEFAULT_TIMEOUT_S) -> ImplReport:
    """Check the learner's `path.py:NAME` as `kind` in a child process that may run their code `timeout` seconds.

    Bad input (no such file, no NAME in it, a kind that cannot be told) is a SeqlabError (exit 2), decided in the
    child where it needs their file; anything their code does wrong (an exception at import or in a call, an endless
    loop, a crash of the whole process) is a report whose `problem` is one line (exit 1).
    """
    if timeout <= 0:
        raise SeqlabError(f"--timeout wants a number of seconds above 0, not {timeout:g}")
    if kind:
        get_kind(kind)
    parse_spec(spec)
    label = label_of(spec)
    path_text, _, name = spec.rpartition(":")
    request_data = {"spec": f"{Path(path_text).resolve()}:{name}", "kind": kind, "seed": seed, "timeout": timeout,
                    "label": label}
    if IN_PROCESS:
        return from_payload(run_request(request_data))
    with tempfile.TemporaryDirectory(prefix="seqlab-impl-") as folder:
        work = Path(folder)
        request = work / "request.json"
        request.write_text(json.dumps(request_data), encoding="utf-8")
        started, result = work / "started", work / "result.json"
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])]),
                   PYTHONIOENCODING="utf-8")
        with open(work / "output.txt", "wb") as output:
            child = subprocess.Popen([sys.executable, "-m", "seqlab.impl.isolate", str(request)],
                                     stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env,
                                     cwd=os.getcwd())
            code = wait_for(child, started, timeout)
        if code is None:
            return ImplReport(label, kind or "",
                              problem=f"still running after {timeout:g} s (an endless loop?); the check stopped it")
        if not result.is_file():
            return ImplReport(label, kind or "", problem=f"your code stopped Python: the check's process {signal_words(code)}")
        return from_payload(json.loads(result.read_text(encoding="utf-8")))


def from_payload(payload: dict[str, Any]) -> ImplReport:
    """The report `run_request` gave back, or its bad-input error raised as a SeqlabError."""
    if "error" in payload:
        raise SeqlabError(payload["error"])
    return report_from_dict(payload["report"])


def wait_for(child: subprocess.Popen[bytes], started: Path, timeout: float) -> int | None:
    """The child's return code, or None after killing it: `timeout` + GRACE_S after it wrote `started`, or
    STARTUP_LIMIT_S before that."""
    begun = time.monotonic()
    learner_since: float | None = None
    while True:
        code = child.poll()
        if code is not None:
            return code
        now = time.monotonic()
        if learner_since is None and started.exists():
            learner_since = now
        limit = (learner_since + timeout + GRACE_S) if learner_since is not None else begun + STARTUP_LIMIT_S
        if now > limit:
            child.kill()
            child.wait()
            return None
        time.sleep(0.02)


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    """Load and check the learner's object as `request` says: {"report": ...} (their code's verdict, a problem at
    import included) or {"error": ...} (bad input). What the child runs, and `check_isolated` when IN_PROCESS."""
    from seqlab.impl.check import check  # torch: only where the learner's code is checked

    timeout = float(request["timeout"])
    try:
        student.TIME_LIMIT_S = timeout
        try:
            loaded = student.load_object(request["spec"])
        except student.ImportFailed as exc:
            kind = get_kind(request["kind"]).name if request["kind"] else ""
            return {"report": report_to_dict(ImplReport(request["label"], kind, problem=str(exc)))}
        # the parent's kill (timeout + GRACE_S after `started`) bounds the import and the check together
        report = check(loaded.obj, request["kind"], request["seed"], name=request["label"], where=loaded.path,
                       seconds=timeout)
        return {"report": report_to_dict(report)}
    except SeqlabError as exc:
        return {"error": str(exc)}
    finally:
        student.TIME_LIMIT_S = DEFAULT_TIMEOUT_S


def child_main(request_path: Path) -> int:
    """In the child: import seqlab and torch, say `started`, load and check the learner's object, write the result."""
    import seqlab.impl.check  # noqa: F401 - imported (torch with it) before `started`: the learner's time is theirs

    request = json.loads(request_path.read_text(encoding="utf-8"))
    folder = request_path.parent
    (folder / "started").write_text("", encoding="utf-8")
    payload = run_request(request)
    (folder / "result.json").write_text(json.dumps(payload), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(child_main(Path(sys.argv[1])))
