"""`seqlab experiment run --workers N`: trials in N processes give the report one process gives; Ctrl-C keeps only
finished trials; bad N is one error line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from seqlab.cli import app
from seqlab.experiments.pool import threads_per_worker

TIME_FIELDS = {"wall_seconds", "seconds", "samples_per_second", "finished", "wall time", "estimated before starting"}
STAMP = re.compile(r"-\d{8}-\d{6}(-\d+)?$")  # a run folder's creation time


def _masked(value: Any, key: str = "") -> Any:
    """`value` with its time fields (and the time in run folder names) replaced, and the --out folder named OUT."""
    if isinstance(value, dict):
        return {k: "TIME" if k in TIME_FIELDS else _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    if key == "run_dir" and isinstance(value, str):
        return STAMP.sub("-TIME", value)
    return value


def _report(runner, out: Path, workers: int) -> dict[str, Any]:
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--seeds", "1", "--out", str(out),
                                 "--workers", str(workers), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["trained"] == 2
    report = json.loads((out / "results.json").read_text(encoding="utf-8"))
    seconds = report["tables"][0]["columns"].index("s/trial")
    for row in report["tables"][0]["rows"]:
        row[seconds] = "TIME"
    for field in ("out",):
        report["config"][field] = "OUT"
    report["command"] = report["command"].replace(str(out), "OUT")
    return _masked(report)


def test_two_workers_write_the_report_one_worker_writes(runner, tmp_path):
    one = _report(runner, tmp_path / "one", 1)
    two = _report(runner, tmp_path / "two", 2)
    assert [t["result"]["dev"]["accuracy"] for t in two["trials"]] == [t["result"]["dev"]["accuracy"]
                                                                        for t in one["trials"]]
    assert two == one
    assert "workers" not in one["config"]  # how fast, not what: the report does not depend on it


def test_a_trial_after_another_waits_for_it(runner, tmp_path):
    """lm-transfer fine-tunes from a pretraining trial (`after`): with 2 workers it is sent only once that run
    exists, and the numbers match one worker's."""
    args = ["experiment", "run", "lm-transfer", "--tiny", "--seeds", "1", "--max-train", "40", "--json"]
    one = runner.invoke(app, [*args, "--out", str(tmp_path / "one")])
    two = runner.invoke(app, [*args, "--out", str(tmp_path / "two"), "--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    scores = [[t.get("result", {}).get("dev") for t in json.loads((tmp_path / f / "results.json").read_text())["trials"]]
              for f in ("one", "two")]
    assert scores[0] == scores[1] and any(scores[0])


@pytest.mark.parametrize("workers", ["0", "65", "-3"])
def test_bad_worker_count_is_one_error_line(runner, workers):
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--workers", workers])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "--workers must be between 1 and 64" in lines[0]


def test_threads_per_worker_shares_the_cores():
    cores = os.cpu_count() or 1
    assert threads_per_worker(1) == cores
    assert threads_per_worker(cores * 4) == 1  # never 0
    assert threads_per_worker(2, threads=3) == 3  # --threads wins


def test_ctrl_c_keeps_only_finished_trials(tmp_path):
    out = tmp_path / "study"
    env = {**os.environ, "SEQLAB_RUNS": str(tmp_path / "runs")}
    process = subprocess.Popen(
        [sys.executable, "-m", "seqlab", "experiment", "run", "rnn-compound-scaling", "--tiny", "--seeds", "2",
         "--workers", "2", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not list((out / "trials").glob("*/")) and time.monotonic() < deadline:  # the first trials were sent
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode != 0, stdout
    assert "Traceback" not in stderr + stdout
    assert "interrupted" in stderr + stdout and "finished trial(s) are kept" in stderr + stdout
    planned = 8  # 4 configurations x 2 seeds
    folders = list((out / "trials").iterdir())
    done = [f for f in folders if (f / "trial.json").is_file()]
    assert len(done) < planned
    for folder in done:  # every trial.json is a whole record of its own trial
        record = json.loads((folder / "trial.json").read_text(encoding="utf-8"))
        assert folder.name.endswith(record["key"]) and record["result"]["dev"]["accuracy"] >= 0
    assert not (out / "results.json").exists()
