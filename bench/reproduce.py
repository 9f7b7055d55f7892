"""Re-run a cheap subset of the recorded accuracy runs and compare them with their records.

    python bench/reproduce.py                      # the built-in LM trio: seconds to minutes, no data needed
    python bench/reproduce.py mlm-builtin          # the MLM pretraining run and the 3-seed transfer/scratch pairs
                                                   # behind RESULTS.md's "does the MLM body help?" (~80 s of CPU)
    python bench/reproduce.py --data-dir ../shared/data lm-scratch-sst --tolerance 0.01

Each named run is trained again with exactly its recorded command (in a temporary runs folder; a run that
starts from another, like `lm-transfer-builtin` from `lm-pretrain-builtin`, starts from the fresh one) and
its best dev score and test accuracy are compared with the latest record of that name. Tolerance: 0 by
default, because the same code, torch build, thread count and seed give the same numbers on one machine
(`lm-scratch-sst` and the built-in LM runs did in session 3); across machines or torch builds, float
reduction order differs, so pass e.g. --tolerance 0.02 and expect differences of that size. Exit 1 when a
number is outside the tolerance. Nothing is written to bench/results.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import accuracy_report  # noqa: E402
import accuracy_runs  # noqa: E402

DEFAULT = ("lm-pretrain-builtin", "lm-transfer-builtin", "lm-scratch-builtin")
# named groups of runs; mlm-builtin is not in DEFAULT: with it the default would take well over 2 minutes of CPU
GROUPS = {"mlm-builtin": ("mlm-pretrain-builtin",
                          *(f"mlm-{start}-500-s{seed}" for seed in (0, 1, 2) for start in ("transfer", "scratch")))}


def scores(record: dict) -> dict[str, float | None]:
    """best dev (accuracy, or perplexity for an LM) and test accuracy of a record."""
    test = accuracy_report._test(record)
    return {"best dev": record.get("result", {}).get("best_dev"), "test": test["accuracy"] if test else None}


def differences(fresh: dict, recorded: dict, tolerance: float) -> list[str]:
    """'name: best dev 0.887 vs recorded 0.975' for every score outside the tolerance."""
    problems = []
    for key, value in scores(fresh).items():
        expected = scores(recorded)[key]
        if value is None and expected is None:
            continue
        if value is None or expected is None or abs(value - expected) > tolerance:
            problems.append(f"{fresh['name']}: {key} {value} vs recorded {expected}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(DEFAULT),
                        help=f"recorded runs to repeat, in order, or a group: {', '.join(GROUPS)}")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--tolerance", type=float, default=0.0, help="largest accepted |fresh - recorded|")
    args = parser.parse_args(argv)
    args.names = [n for name in args.names for n in GROUPS.get(name, (name,))]
    latest = {r["name"]: r for r in accuracy_report.read_records()}
    unknown = [n for n in args.names if n not in accuracy_runs.RUNS or n not in latest]
    if unknown:
        raise SystemExit(f"no recorded run called {', '.join(unknown)}; see python bench/accuracy_runs.py --list")
    data_dir = args.data_dir.resolve()
    fresh_dirs: dict[str, str] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="seqlab-reproduce-") as scratch:
        os.chdir(scratch)  # accuracy_runs writes runs under ./runs/accuracy
        for name in args.names:
            run = accuracy_runs.RUNS[name]
            run = dataclasses.replace(run, args=[fresh_dirs.get(a[5:-1], a) if a.startswith("{RUN:") else a
                                                 for a in run.args])
            record = accuracy_runs.execute(run, data_dir, Path(scratch))
            if record["exit_code"] != 0:
                problems.append(f"{name}: exit {record['exit_code']} (log {record['log']})")
                break
            fresh_dirs[name] = record["run_dir"] = str(Path(scratch) / record["run_dir"])
            found = differences(record, latest[name], args.tolerance)
            problems += found
            print(f"{name}: {scores(record)} vs recorded {scores(latest[name])}: "
                  f"{'DIFFERENT' if found else 'same within ' + str(args.tolerance)}", flush=True)
    for line in problems:
        print(line)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
