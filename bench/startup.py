"""Start-up time of the light commands: each one's wall time in a fresh interpreter against `python -c pass`.

The commands of `seqlab.cli.LIGHT_COMMANDS` (plus `seqlab --help`, `seqlab train --help` and `seqlab check --help`)
run as `python -m seqlab ...` with $SEQLAB_RUNS an empty folder, interleaved round by round with
`python -c pass` (the floor: the interpreter alone) and `python -c "import torch"` (what a command would pay if
it loaded torch), median of --repeats. Output goes to /dev/null; the exit code must be 0.

    python bench/startup.py               # writes bench/results/startup.json
    python bench/startup.py --repeats 3   # quicker, noisier
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402

from seqlab.cli import LIGHT_COMMANDS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FLOOR = "python -c pass"
TORCH = "python -c 'import torch'"
EXTRA_COMMANDS: tuple[tuple[str, ...], ...] = (("--help",), ("train", "--help"), ("check", "--help"))


def command_lines() -> dict[str, list[str]]:
    """Every timed command line by its display name: the floor, torch alone, then the seqlab commands."""
    lines = {FLOOR: [sys.executable, "-c", "pass"], TORCH: [sys.executable, "-c", "import torch"]}
    for command in (*LIGHT_COMMANDS, *EXTRA_COMMANDS):
        lines["seqlab " + " ".join(command)] = [sys.executable, "-m", "seqlab", *command]
    return lines


def runner(argv: list[str], env: dict[str, str], cwd: Path):
    """A function that runs `argv` once and fails on a non-zero exit code."""
    def run() -> None:
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=True)
    return run


def main() -> None:
    """Time every command line, print the table and write bench/results/startup.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "SEQLAB_RUNS": empty, "PYTHONPATH": str(REPO)}
        lines = command_lines()
        timings = time_interleaved({name: runner(argv, env, Path(empty)) for name, argv in lines.items()},
                                   torch.device("cpu"), warmup=1, repeats=args.repeats)
    floor = timings.median(FLOOR)
    rows, records = [], []
    for name in lines:
        median = timings.median(name)
        rows.append([name, median, median - floor, f"{median / floor:.1f}x", f"{timings.spread(name):.0%}"])
        records.append({"command": name, "median_s": round(median, 4), "over_floor_s": round(median - floor, 4),
                        "ratio_to_floor": round(median / floor, 2), "spread": round(timings.spread(name), 3),
                        "seconds": [round(s, 4) for s in timings.seconds[name]]})
    print_table(f"start-up, median of {args.repeats} (interleaved)",
                ["command", "seconds", "over python -c pass", "ratio", "spread"], rows,
                caption="spread: (max - min) / median of the repetitions")
    write_result("startup", {"machine": machine_info(torch.device("cpu"), torch.get_num_threads()),
                             "repeats": args.repeats, "commands": records})


if __name__ == "__main__":
    main()
