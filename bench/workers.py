"""Trials in parallel on one machine: `seqlab experiment run RECIPE --budget quick` with `--workers 1` against
`--workers 2`, each into a fresh report folder, in one run on the same machine (issue 33 item 4).

Each contender is the whole command in a fresh interpreter (start-up, data, every trial, the report). The dev and
test accuracy of every trial must be the same in both reports (the script fails otherwise). The record also says
what a full-budget RNN study costs with N workers: the summed trial seconds of a kept full-budget report
(bench/results/experiments/rnn-bidirectional-imdb-full.json, trained one trial at a time) divided by N times the
parallel efficiency measured here.

    python bench/workers.py                      # rnn-width, quick budget: writes bench/results/workers.json
    python bench/workers.py --budget tiny        # quicker, noisier
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, print_table, write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FULL_REPORT = REPO / "bench" / "results" / "experiments" / "rnn-bidirectional-imdb-full.json"


def scores(out: Path) -> list[list[Any]]:
    """(trial, dev accuracy, test accuracy) of every trial of a report, in plan order."""
    report = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return [[t["name"], t["result"]["dev"]["accuracy"], (t["result"].get("test") or {}).get("accuracy")]
            for t in report["trials"]]


def run_study(recipe: str, budget: str, workers: int, out: Path, env: dict[str, str]) -> float:
    """Wall seconds of one `seqlab experiment run` into `out`."""
    argv = [sys.executable, "-m", "seqlab", "experiment", "run", recipe, "--budget", budget, "--workers",
            str(workers), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def full_study_cost(efficiency: float) -> dict[str, Any]:
    """The kept full-budget RNN report's summed trial seconds, and what N workers would take at `efficiency`."""
    report = json.loads(FULL_REPORT.read_text(encoding="utf-8"))
    summed = sum(float(trial.get("wall_seconds") or 0) for trial in report["trials"])
    return {"report": FULL_REPORT.relative_to(REPO).as_posix(), "command": report["command"],
            "trials": len(report["trials"]), "summed_trial_seconds": round(summed, 1),
            "projected_seconds_with_n_workers_on_n_cores": {str(n): round(summed / (n * efficiency), 1) if n > 1
                                                           else round(summed, 1) for n in (1, 2, 4, 8)},
            "projection": "summed trial seconds / (N x the parallel efficiency measured here at N = 2)"}


def main() -> None:
    """Run the study with 1 and then 2 workers, compare the reports, print and record the times."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="rnn-width")
    parser.add_argument("--budget", default="quick")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as root:
        seconds = {n: run_study(args.recipe, args.budget, n, Path(root) / f"workers-{n}", env) for n in (1, 2)}
        one, two = (scores(Path(root) / f"workers-{n}") for n in (1, 2))
    identical = one == two
    speedup = seconds[1] / seconds[2]
    efficiency = speedup / 2
    print_table(f"{args.recipe} --budget {args.budget}: wall seconds of the whole command",
                ["workers", "seconds", "speed-up"],
                [[1, seconds[1], "1.00x"], [2, seconds[2], f"{speedup:.2f}x"]],
                caption=f"identical dev/test accuracy in both reports: {identical}; load before {load_before[0]:.1f}")
    write_result("workers", {
        "machine": machine_info(torch.device("cpu"), torch.get_num_threads()),
        "command": f"seqlab experiment run {args.recipe} --budget {args.budget} --workers N",
        "trials": len(one), "seconds": {str(n): round(s, 1) for n, s in seconds.items()},
        "speedup": round(speedup, 3), "identical_results": identical,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "full_budget_rnn_study": full_study_cost(efficiency),
    })
    if not identical:
        raise SystemExit("the two reports differ: --workers must not change any number")


if __name__ == "__main__":
    main()
