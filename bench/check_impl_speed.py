"""How long `seqlab check --impl` takes for each kind: a correct and a broken student file from the test suite's
zoo, each checked through the CLI (child process, one torch thread, as a learner runs it), against
`python -c "import torch"` (the floor any check pays) in the same run.

    python bench/check_impl_speed.py              # writes bench/results/check_impl_speed.json
    python bench/check_impl_speed.py --repeats 1  # quicker, noisier
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402

from seqlab.impl.kinds import KINDS  # noqa: E402
from tests.impl.zoos import first  # noqa: E402

TORCH = "python -c 'import torch'"


def runner(argv: list[str], env: dict[str, str], want: int):
    """A function that runs `argv` once and fails unless it exits `want`."""
    def run() -> None:
        code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).returncode
        if code != want:
            raise SystemExit(f"{' '.join(argv)} exited {code}, not {want}")
    return run


def main() -> None:
    """Time each kind's correct and broken check, print the table and write the record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as folder:
        jobs = {TORCH: runner([sys.executable, "-c", "import torch"], env, 0)}
        for kind in KINDS:
            for correct in (True, False):
                name, source, _ = first(kind, correct)
                path = Path(folder) / f"{kind.replace('-', '_')}_{'good' if correct else 'bad'}.py"
                path.write_text(source, encoding="utf-8")
                jobs[f"{kind} ({'correct' if correct else 'broken'})"] = runner(
                    [sys.executable, "-m", "seqlab", "check", "--impl", f"{path}:{name}", "--kind", kind], env,
                    0 if correct else 1)
        timings = time_interleaved(jobs, torch.device("cpu"), warmup=1, repeats=args.repeats)
    floor = timings.median(TORCH)
    rows, records = [], []
    for name in jobs:
        median = timings.median(name)
        rows.append([name, median, median - floor, f"{timings.spread(name):.0%}"])
        records.append({"check": name, "median_s": round(median, 3), "over_import_torch_s": round(median - floor, 3),
                        "spread": round(timings.spread(name), 3)})
    print_table(f"seqlab check --impl, wall seconds, median of {args.repeats}",
                ["check", "seconds", "over import torch", "spread"], rows,
                caption="one torch thread; spread: (max - min) / median of the repetitions")
    write_result("check_impl_speed", {"machine": machine_info(torch.device("cpu"), 1), "repeats": args.repeats,
                                      "checks": records})


if __name__ == "__main__":
    main()
