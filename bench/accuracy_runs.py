"""The accuracy runs behind docs/results/accuracy.md: named `seqlab train` commands, run one at a time.

Each run is the exact command line a user would type. The driver runs it (and `seqlab evaluate RUN
--split test` where the dataset has test labels), times it, reads the run directory's metrics and appends
one record to bench/results/accuracy.jsonl; `bench/accuracy_report.py` turns those records into the
Markdown table. Runs go under ./runs/accuracy (git-ignored).

    python bench/accuracy_runs.py --list
    python bench/accuracy_runs.py --data-dir ../shared/data sst-finetune cfimdb-finetune
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from seqlab.provenance import code_version

BENCH = Path(__file__).resolve().parent
RECORDS = BENCH / "results" / "accuracy.jsonl"
RUNS_ROOT = Path("runs") / "accuracy"
THREADS = 1  # see docs/results/accuracy.md: 2 threads on the shared, oversubscribed 2-core machine ran 5-10x slower
SEED = 0

BERT = ["--model", "bert-pretrained", "--optimizer", "adamw", "--batch-size", "16"]


@dataclass(frozen=True)
class AccuracyRun:
    """One named training command, what it is compared with, and which extra splits to evaluate."""

    name: str
    args: list[str]
    goal: str
    evaluate: tuple[str, ...] = ()
    notes: str = ""
    seed: int = SEED
    # "{RUN:name}" in args stands for the run directory of the last recorded run called `name`


def over_seeds(name: str, args: list[str], goal: str, evaluate: tuple[str, ...] = (),
               seeds: tuple[int, ...] = (0, 1, 2)) -> list[AccuracyRun]:
    """The same run once per seed, named NAME-s0, NAME-s1, ... (a comparison states its spread over them)."""
    return [AccuracyRun(f"{name}-s{seed}", args, goal, evaluate, seed=seed) for seed in seeds]


# Every named run in order, as a list (the dict below would keep only the last of two runs of one name).
RUN_LIST: list[AccuracyRun] = [
    AccuracyRun(
        "sst-finetune",
        ["--data", "sst", *BERT, "--lr", "2e-5", "--max-length", "128", "--epochs", "3"],
        "best dev >= 0.469 (reference 0.479)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "sst-finetune-lr5e-5",
        ["--data", "sst", *BERT, "--lr", "5e-5", "--max-length", "128", "--epochs", "3"],
        "investigation: sst-finetune missed 0.469 and was still rising; a larger peak LR",
        evaluate=("test",),
    ),
    AccuracyRun(
        "sst-finetune-constant",
        ["--data", "sst", *BERT, "--lr", "2e-5", "--schedule", "constant", "--warmup", "0", "--grad-clip", "0",
         "--max-length", "128", "--epochs", "3"],
        "best dev >= 0.469 (reference 0.479) with the reference loop's own schedule: constant lr, no clipping",
        evaluate=("test",),
    ),
    *over_seeds(
        "sst-quick",
        ["--data", "sst", *BERT, "--lr", "5e-5", "--epochs", "2", "--max-train-examples", "2000"],
        "README's quick SST fine-tune learns: dev well above the majority class (seeds 0, 1, 2)",
    ),
    *over_seeds(
        "sst-small-defaults",
        ["--data", "sst", "--model", "bert-pretrained", "--max-train-examples", "600"],
        "small data with the defaults (600 of SST's sentences, 5 classes): well above the majority? (seeds 0, 1, 2)",
    ),
    AccuracyRun(
        "cfimdb-finetune",
        ["--data", "cfimdb", *BERT, "--lr", "2e-5", "--max-length", "256", "--epochs", "3"],
        "dev ~0.922 (reference)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "imdb-lstm",
        ["--data", "imdb", "--model", "lstm", "--embed-dim", "128", "--hidden", "128", "--layers", "1",
         "--optimizer", "adam", "--lr", "2e-3", "--batch-size", "64", "--max-length", "256", "--epochs", "6"],
        "test >= 0.87 (one direction; 3 epochs gave 0.854)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "imdb-gru",
        ["--data", "imdb", "--model", "gru", "--embed-dim", "128", "--hidden", "128", "--layers", "1",
         "--optimizer", "adam", "--lr", "2e-3", "--batch-size", "64", "--max-length", "256", "--epochs", "3"],
        "test >= 0.87 (one direction)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "imdb-lstm-8k",
        ["--data", "imdb", "--model", "lstm", "--embed-dim", "128", "--hidden", "128", "--layers", "1",
         "--optimizer", "adam", "--lr", "1e-3", "--batch-size", "64", "--max-length", "256", "--epochs", "3",
         "--max-train-examples", "8000"],
        "CPU-budget stand-in for imdb-lstm: first 8000 of the 35000 training reviews, one direction",
        evaluate=("test",),
    ),
    AccuracyRun(
        "imdb-gru-8k",
        ["--data", "imdb", "--model", "gru", "--embed-dim", "128", "--hidden", "128", "--layers", "1",
         "--optimizer", "adam", "--lr", "1e-3", "--batch-size", "64", "--max-length", "256", "--epochs", "3",
         "--max-train-examples", "8000"],
        "CPU-budget stand-in for imdb-gru: first 8000 of the 35000 training reviews, one direction",
        evaluate=("test",),
    ),
    AccuracyRun(
        "sst-frozen",
        ["--data", "sst", *BERT, "--freeze", "--lr", "1e-3", "--max-length", "128", "--epochs", "3"],
        "dev ~0.318 (reference)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "cfimdb-frozen",
        ["--data", "cfimdb", *BERT, "--freeze", "--lr", "1e-3", "--max-length", "256", "--epochs", "3"],
        "frozen vs fine-tuned",
        evaluate=("test",),
    ),
    AccuracyRun(
        "rte-finetune",
        ["--data", "rte", *BERT, "--lr", "2e-5", "--max-length", "128", "--epochs", "3"],
        "dev accuracy and macro-F1 (no published target)",
    ),
    AccuracyRun(
        "rte-frozen",
        ["--data", "rte", *BERT, "--freeze", "--lr", "1e-3", "--max-length", "128", "--epochs", "3"],
        "dev accuracy and macro-F1; frozen vs fine-tuned",
    ),
    AccuracyRun(
        "lm-pretrain-builtin",
        ["--data", "builtin-sentiment", "--model", "lm", "--max-length", "64", "--epochs", "5"],
        "causal LM pretraining on the training texts (dev perplexity)",
    ),
    AccuracyRun(
        "lm-transfer-builtin",
        ["--data", "builtin-sentiment", "--model", "lm", "--task", "classify", "--init-from", "{RUN:lm-pretrain-builtin}",
         "--max-length", "64", "--epochs", "5"],
        "classifier whose body starts from the LM (vs lm-scratch-builtin)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "lm-scratch-builtin",
        ["--data", "builtin-sentiment", "--model", "lm", "--task", "classify", "--max-length", "64",
         "--epochs", "5"],
        "same causal classifier from random weights",
        evaluate=("test",),
    ),
    AccuracyRun(
        "mlm-pretrain-builtin",
        ["--data", "builtin-sentiment", "--model", "transformer", "--task", "mlm", "--epochs", "8", "--lr", "3e-3",
         "--dropout", "0"],
        "masked-LM pretraining on the built-in corpus (RESULTS.md's MLM table, row 1): dev masked-token top-1",
    ),
    AccuracyRun(
        "mlm-bert-builtin",
        ["--data", "builtin-sentiment", "--model", "bert", "--task", "mlm", "--epochs", "8", "--lr", "3e-3",
         "--dropout", "0"],
        "RESULTS.md's MLM table: a small BERT (MiniLM's WordPiece) with row 1's settings: dev masked-token top-1",
    ),
    AccuracyRun(
        "mlm-bert-builtin-defaults",
        ["--data", "builtin-sentiment", "--model", "bert", "--task", "mlm"],
        "RESULTS.md's MLM table: the small BERT at the defaults (5 epochs, lr 3e-3, dropout 0.1)",
    ),
    AccuracyRun(
        "mlm-bert-builtin-lr1e-3",
        ["--data", "builtin-sentiment", "--model", "bert", "--task", "mlm", "--epochs", "5", "--lr", "1e-3"],
        "RESULTS.md's MLM table: the small BERT, 5 epochs at lr 1e-3 (dropout 0.1)",
    ),
    AccuracyRun(
        "mlm-transformer-builtin-4ep",
        ["--data", "builtin-sentiment", "--model", "transformer", "--task", "mlm", "--epochs", "4"],
        "RESULTS.md's MLM table: the tour's scale (4 epochs, defaults)",
    ),
    *over_seeds(
        "mlm-transfer-500",
        ["--data", "builtin-sentiment", "--model", "transformer", "--init-from", "{RUN:mlm-pretrain-builtin}",
         "--dropout", "0", "--max-train-examples", "500",
         "--epochs", "15"],
        "classifier on 500 labelled examples whose body (and vocabulary) start from mlm-pretrain-builtin (seeds 0, 1, 2)",
        evaluate=("test",),
    ),
    *over_seeds(
        "mlm-scratch-500",
        ["--data", "builtin-sentiment", "--model", "transformer", "--dropout", "0", "--max-train-examples", "500",
         "--epochs", "15"],
        "same classifier from random weights, vs mlm-transfer-500 (seeds 0, 1, 2)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "lm-pretrain-sst",
        ["--data", "sst", "--model", "lm", "--max-length", "64", "--epochs", "5"],
        "causal LM pretraining on the training texts (dev perplexity)",
    ),
    AccuracyRun(
        "lm-transfer-sst",
        ["--data", "sst", "--model", "lm", "--task", "classify", "--init-from", "{RUN:lm-pretrain-sst}",
         "--max-length", "64", "--epochs", "5"],
        "classifier whose body starts from the LM (vs lm-scratch-sst)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "lm-scratch-sst",
        ["--data", "sst", "--model", "lm", "--task", "classify", "--max-length", "64",
         "--epochs", "5"],
        "same causal classifier from random weights",
        evaluate=("test",),
    ),
    AccuracyRun(
        "lm-pretrain-imdb",
        ["--data", "imdb", "--model", "lm", "--max-length", "64", "--epochs", "2",
         "--max-train-examples", "10000"],
        "causal LM pretraining on 10,000 IMDB reviews (first 64 words), for transfer to CFIMDB",
    ),
    AccuracyRun(
        "lm-transfer-cfimdb",
        ["--data", "cfimdb", "--model", "lm", "--task", "classify", "--init-from", "{RUN:lm-pretrain-imdb}",
         "--max-length", "128", "--epochs", "5"],
        "CFIMDB classifier whose body (and vocabulary) start from the IMDB LM (vs lm-scratch-cfimdb)",
        evaluate=("test",),
    ),
    AccuracyRun(
        "lm-scratch-cfimdb",
        ["--data", "cfimdb", "--model", "lm", "--task", "classify", "--max-length", "128", "--epochs", "5"],
        "same causal classifier from random weights",
        evaluate=("test",),
    ),
]
RUNS: dict[str, AccuracyRun] = {run.name: run for run in RUN_LIST}


def seqlab_argv(command: str) -> list[str]:
    """How to start `seqlab COMMAND` with this Python (no activated environment needed): `python -m seqlab`, or
    bench/_seqlab.py while cli.py does not list the command yet."""
    from seqlab import cli

    if command in cli.COMMAND_MODULES:
        return [sys.executable, "-m", "seqlab", command]
    return [sys.executable, str(BENCH / "_seqlab.py"), command]


def recorded_run_dir(name: str) -> str:
    """The run directory of the last successful recorded run called `name`."""
    found = [r["run_dir"] for r in (read_jsonl(RECORDS) if RECORDS.is_file() else [])
             if r["name"] == name and r.get("exit_code") == 0]
    if not found:
        raise SystemExit(f"run {name} must finish first (python bench/accuracy_runs.py {name})")
    return found[-1]


def command_line(run: AccuracyRun, data_dir: Path) -> list[str]:
    """The full `seqlab train` argv of a run."""
    args = [recorded_run_dir(a[5:-1]) if a.startswith("{RUN:") else a for a in run.args]
    return ["seqlab", "train", *args, "--data-dir", str(data_dir), "--seed", str(run.seed),
            "--device", "cpu", "--threads", str(THREADS), "--name", run.name]


def newest_run_dir(name: str, before: set[Path]) -> Path:
    """The run directory this run created (the one under RUNS_ROOT that was not there before)."""
    created = sorted(p for p in RUNS_ROOT.glob(f"{name}-*") if p not in before)
    if not created:
        raise SystemExit(f"{name}: no run directory was created under {RUNS_ROOT}")
    return created[-1]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def dev_per_epoch(run_dir: Path) -> list[dict]:
    """The run's per-epoch dev records from metrics.jsonl: epoch, accuracy, macro-F1, loss."""
    dev = [r for r in read_jsonl(run_dir / "metrics.jsonl") if r.get("split") == "dev" and r.get("event") == "epoch"]
    return [{k: r[k] for k in ("epoch", "accuracy", "macro_f1", "loss") if k in r} for r in dev]


def provenance() -> dict:
    """What made the numbers: the code version (seqlab.provenance.code_version: the git commit, '+dirty' when the
    tree has changes, or $SEQLAB_CODE_VERSION for a clean exported copy) and torch's."""
    torch_version = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                                   capture_output=True, text=True).stdout.strip() or "unknown"
    return {"code_version": code_version(BENCH), "torch_version": torch_version}


def execute(run: AccuracyRun, data_dir: Path, log_dir: Path) -> dict:
    """Run one training command (and its evaluations), return the record for accuracy.jsonl."""
    env = os.environ | {"SEQLAB_RUNS": str(RUNS_ROOT)}
    argv = command_line(run, data_dir)
    before = set(RUNS_ROOT.glob(f"{run.name}-*"))
    log = log_dir / f"accuracy-{run.name}.log"
    started = datetime.now(timezone.utc)
    start = time.perf_counter()
    with open(log, "w") as handle:
        handle.write(shlex.join(argv) + "\n")
        handle.flush()
        code = subprocess.call(seqlab_argv("train") + argv[2:], stdout=handle, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - start
    record: dict = {
        "name": run.name,
        "command": f"SEQLAB_RUNS={RUNS_ROOT} " + shlex.join(argv),
        "goal": run.goal,
        "seed": run.seed,
        "device": "cpu",
        "threads": THREADS,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "exit_code": code,
        "launcher": shlex.join(seqlab_argv("train")),
        "log": str(log),
        **provenance(),
    }
    if code != 0:
        return record
    run_dir = newest_run_dir(run.name, before)
    record["run_dir"] = str(run_dir)
    record["config"] = json.loads((run_dir / "config.json").read_text())  # so pages render without the run folder
    result = json.loads((run_dir / "result.json").read_text())
    record["result"] = result
    record["dev_per_epoch"] = dev_per_epoch(run_dir)
    fill_evaluations(record, run, data_dir)
    return record


# `seqlab train` flags whose values an adopted run's config.json must match, and the config key of each
ADOPT_CHECKS = {"--data": "data", "--optimizer": "optimizer", "--lr": "lr", "--batch-size": "batch_size",
                "--epochs": "epochs", "--max-length": "max_length", "--warmup": "warmup_ratio",
                "--schedule": "schedule", "--grad-clip": "grad_clip", "--max-train-examples": "max_train_examples"}


def adopt(run: AccuracyRun, run_dir: Path, data_dir: Path) -> dict:
    """A record for a run started by hand with this run's command (another --name), after checking its config.

    The run's stored config.json must agree with the command on every setting in ADOPT_CHECKS, on the
    model family, seed, device and --freeze; otherwise nothing is recorded.
    """
    stored = json.loads((run_dir / "config.json").read_text())["train"]
    args = run.args
    expected: dict = {"seed": run.seed, "device": "cpu", "freeze": "--freeze" in args,
                      "family": args[args.index("--model") + 1] if "--model" in args else "lstm"}
    for flag, key in ADOPT_CHECKS.items():
        if flag in args:
            value = args[args.index(flag) + 1]
            expected[key] = value if key in {"data", "optimizer", "schedule"} else float(value)
    if expected.get("grad_clip") == 0.0:
        expected["grad_clip"] = None  # --grad-clip 0 turns clipping off
    actual = {**stored, "family": stored["model"]["family"], "schedule": stored.get("schedule", "linear")}
    wrong = {k: (v, actual.get(k)) for k, v in expected.items() if actual.get(k) != v}
    if wrong:
        raise SystemExit(f"{run_dir} was not made by the {run.name} command: (expected, stored) {wrong}")
    result = json.loads((run_dir / "result.json").read_text())
    argv = command_line(run, data_dir)
    argv[argv.index("--name") + 1] = stored["name"]
    record = {
        "name": run.name, "command": f"SEQLAB_RUNS={run_dir.parent} " + shlex.join(argv), "goal": run.goal,
        "seed": run.seed, "device": "cpu", "threads": stored.get("threads"),
        "started": datetime.strptime(run_dir.name[-15:], "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc).isoformat(),
        "wall_seconds": round(result["seconds"], 1), "exit_code": 0, "launcher": "seqlab train (by hand)",
        "log": None, "run_dir": str(run_dir), "result": result,
        "dev_per_epoch": dev_per_epoch(run_dir),
    }
    fill_evaluations(record, run, data_dir)
    return record


def fill_evaluations(record: dict, run: AccuracyRun, data_dir: Path) -> None:
    """Add `seqlab evaluate RUN --split S` metrics for each split the run asks for and the record lacks."""
    if "run_dir" not in record:
        return
    for split in run.evaluate:
        done = record.get("evaluate", {}).get(split, {})
        if done.get("exit_code") == 0:
            continue
        argv_eval = ["seqlab", "evaluate", record["run_dir"], "--split", split, "--data-dir", str(data_dir),
                     "--device", "cpu", "--json"]
        try:
            launcher = seqlab_argv("evaluate")
        except ImportError:
            continue
        out = subprocess.run(launcher + argv_eval[2:], capture_output=True, text=True)
        record.setdefault("evaluate", {})[split] = {
            "command": shlex.join(argv_eval),
            "exit_code": out.returncode,
            "metrics": _json_or_none(out.stdout),
            "error": out.stderr.strip()[-500:] if out.returncode else None,
        }


def _json_or_none(text: str) -> dict | None:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="runs to do, in order (default: all, in priority order)")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp"), help="where each run's console log goes")
    parser.add_argument("--list", action="store_true", help="print the runs and their commands, run nothing")
    parser.add_argument("--adopt", type=Path, metavar="RUN_DIR",
                        help="train nothing; record RUN_DIR, trained by hand with the one named run's command")
    parser.add_argument("--fill-evaluations", action="store_true",
                        help="train nothing; add missing test-split evaluations to the recorded runs")
    args = parser.parse_args(argv)
    names = args.names or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        parser.error(f"unknown run(s) {unknown}; known: {', '.join(RUNS)}")
    if args.list:
        for name in names:
            print(f"{name}: {shlex.join(command_line(RUNS[name], args.data_dir))}")
        return
    if args.adopt:
        if len(names) != 1:
            parser.error("--adopt records one run: name it, e.g. --adopt runs/x imdb-lstm")
        record = adopt(RUNS[names[0]], args.adopt.resolve(), args.data_dir.resolve())
        with open(RECORDS, "a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"recorded {args.adopt} as {names[0]}")
        return
    if args.fill_evaluations:
        records = read_jsonl(RECORDS)
        for record in records:
            if record["name"] in RUNS:
                fill_evaluations(record, RUNS[record["name"]], args.data_dir.resolve())
        RECORDS.write_text("".join(json.dumps(r) + "\n" for r in records))
        return
    RUNS_ROOT.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(f"[{datetime.now():%H:%M:%S}] {name} ...", flush=True)
        record = execute(RUNS[name], args.data_dir.resolve(), args.log_dir)
        RECORDS.parent.mkdir(parents=True, exist_ok=True)
        with open(RECORDS, "a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"[{datetime.now():%H:%M:%S}] {name}: exit {record['exit_code']}, {record['wall_seconds']} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
