"""Wall time of one small study, local against Ray: the study tests/experiments/test_ray.py runs (rnn-width at the
tiny budget), `--seeds S` giving 2 x S trials, as four command lines in fresh interpreters, round by round:

- local, one process (the sequential report);
- local, `--workers 2`;
- `--executor ray` with a Ray instance the run starts and stops itself (RAY_ADDRESS=local: Ray's start-up is paid);
- `--executor ray --ray-address 127.0.0.1:PORT` on a running head node this script starts with
  `ray start --head --block --num-cpus N` (what a real cluster costs per study, start-up aside).

Each run writes a fresh report folder; the dev and test accuracy of every trial must be the same in all four (the
script fails otherwise). Ray runs with token authentication: the head and the clients get one RAY_AUTH_TOKEN of this
script's own (nothing written under ~/.ray). The head is stopped (its process group, started here) at the end.

    python bench/ray_executor.py                  # writes bench/results/ray_executor.json
    python bench/ray_executor.py --seeds 1 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RAY = Path(sys.executable).with_name("ray")


def start_head(port: int, cpus: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`ray start --head --block` in a session of its own; returns once its port answers."""
    head = subprocess.Popen([str(RAY), "start", "--head", "--block", "--port", str(port), "--num-cpus", str(cpus),
                             "--include-dashboard", "false", "--disable-usage-stats",
                             "--node-ip-address", "127.0.0.1"],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if head.poll() is not None:
            raise SystemExit(f"ray start --head exited with {head.returncode}; see {log}")
        if "will now block" in log.read_text(errors="replace"):
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                return head
        time.sleep(0.5)
    raise SystemExit(f"ray start --head did not come up in 120 s; see {log}")


def stop_head(head: subprocess.Popen, port: int) -> None:
    """SIGTERM to the head's own process group (ray start, gcs_server, raylet, its workers), then wait; and forget
    it as this machine's current cluster (what `ray stop` would do, which stops every Ray of the user), or a later
    `ray.init()` with no address would try to join the dead head."""
    try:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(head.pid, signal.SIGKILL)
    current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    if current.is_file() and current.read_text().strip().endswith(f":{port}"):
        current.unlink()


def scores(out: Path) -> list[list[Any]]:
    """(trial, dev accuracy, test accuracy) of every trial of a report, in plan order."""
    report = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return [[t["name"], t["result"]["dev"]["accuracy"], (t["result"].get("test") or {}).get("accuracy")]
            for t in report["trials"]]


def contender(argv: list[str], env: dict[str, str], root: Path, name: str,
              seen: dict[str, list[Any]]) -> Callable[[], None]:
    """One timed run of `argv --out FRESH --json`; notes the report's scores and own seconds in `seen[name]`."""
    def run() -> None:
        out = Path(tempfile.mkdtemp(dir=root, prefix=name.replace(" ", "-").replace("/", "") + "-")) / "report"
        done = subprocess.run([*argv, "--out", str(out), "--json"], capture_output=True, text=True, env=env,
                              cwd=root)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        seen.setdefault(name, []).append({"scores": scores(out),
                                          "report_seconds": round(json.loads(done.stdout)["seconds"], 3)})
    return run


def main() -> None:
    """Time the four ways, check their reports agree, print the table and write bench/results/ray_executor.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="CPUs of the Ray head node")
    parser.add_argument("--port", type=int, default=6391)
    args = parser.parse_args()
    study = ["rnn-width", "--tiny", "--seeds", str(args.seeds)]
    base = [sys.executable, "-m", "seqlab", "experiment", "run", *study]
    machine = machine_info(torch.device("cpu"), torch.get_num_threads())  # load average at the start
    with tempfile.TemporaryDirectory(prefix="seqlab-ray-bench-") as temporary:
        root = Path(temporary)
        env = {**os.environ, "SEQLAB_RUNS": str(root / "runs"), "PYTHONPATH": str(REPO),
               "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
        env.pop("RAY_ADDRESS", None)
        head = start_head(args.port, args.cpus, env, root / "head.log")
        try:
            seen: dict[str, list[Any]] = {}
            lines = {
                "local, 1 process": (base, env),
                "local, --workers 2": ([*base, "--workers", "2"], env),
                "ray, own instance": ([*base, "--executor", "ray"], {**env, "RAY_ADDRESS": "local"}),
                f"ray, running head ({args.cpus} CPUs)": (
                    [*base, "--executor", "ray", "--ray-address", f"127.0.0.1:{args.port}"], env),
            }
            timings = time_interleaved({name: contender(argv, e, root, name, seen) for name, (argv, e) in lines.items()},
                                       torch.device("cpu"), warmup=0, repeats=args.repeats)
        finally:
            stop_head(head, args.port)
    reference = seen["local, 1 process"][0]["scores"]
    identical = all(run["scores"] == reference for runs in seen.values() for run in runs)
    sequential = timings.median("local, 1 process")
    rows, records = [], []
    for name in lines:
        median = timings.median(name)
        report = sorted(run["report_seconds"] for run in seen[name])[len(seen[name]) // 2]
        rows.append([name, median, report, f"{sequential / median:.2f}x"])
        records.append({"how": name, "command": " ".join(["seqlab", *lines[name][0][3:]]),
                        "median_wall_s": round(median, 3), "median_report_seconds": report,
                        "speed_vs_one_process": round(sequential / median, 3),
                        "wall_s": [round(s, 3) for s in timings.seconds[name]]})
    trials = 2 * args.seeds
    print_table(f"rnn-width --tiny, {trials} trials, median of {args.repeats} (interleaved)",
                ["how", "wall s (process)", "report's own s", "vs 1 process"], rows,
                caption=f"identical dev/test accuracy in every report: {identical}")
    write_result("ray_executor", {
        "machine": machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "study": " ".join(study), "trials": trials, "repeats": args.repeats, "ray_head_cpus": args.cpus,
        "identical_results": identical, "scores": reference, "runs": records,
    })
    if not identical:
        raise SystemExit("the reports differ: " + json.dumps(seen)[:2000])


if __name__ == "__main__":
    main()
