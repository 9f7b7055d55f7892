"""Turn bench/results/accuracy.jsonl (written by accuracy_runs.py) into docs/results/accuracy.md.

Every number in the page comes from a record of a finished run; the page says how each was made:
the exact command, the settings the run stored in its config.json, seed, device, threads and wall time.

    python bench/accuracy_report.py            # writes docs/results/accuracy.md
    python bench/accuracy_report.py --stdout   # prints it instead
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RECORDS = BENCH / "results" / "accuracy.jsonl"
PAGE = BENCH.parent / "docs" / "results" / "accuracy.md"
NOTES = BENCH / "results" / "accuracy_notes.md"  # hand-written findings, included verbatim

SETTINGS = ("optimizer", "lr", "batch_size", "epochs", "max_length", "warmup_ratio", "schedule", "grad_clip", "freeze",
            "weight_decay")


def read_records() -> list[dict]:
    """The finished records, the last one of each run name winning."""
    if not RECORDS.is_file():
        return []
    latest: dict[str, dict] = {}
    for line in RECORDS.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            latest[record["name"]] = record
    return list(latest.values())


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _stored_config(record: dict) -> dict:
    """The run's config.json as the record keeps it (new records copy it), else read from the run folder."""
    if "config" in record:
        return record["config"]
    path = Path(record.get("run_dir", "")) / "config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _test(record: dict) -> dict | None:
    evaluation = record.get("evaluate", {}).get("test", {})
    return evaluation.get("metrics") if evaluation.get("exit_code") == 0 else None


def summary_rows(records: list[dict]) -> list[str]:
    """One Markdown table row per finished run."""
    rows = []
    for record in records:
        if record.get("exit_code") != 0:
            rows.append(f"| {record['name']} | failed (exit {record.get('exit_code')}) | | | | | | {record['goal']} |")
            continue
        result = record["result"]
        dev = result.get("dev") or {}
        test = _test(record) or {}
        if not dev and "perplexity" in result.get("dev_record", {}):
            rows.append(f"| {record['name']} | dev perplexity {result['dev_record']['perplexity']:.1f} | | "
                        f"{result.get('best_epoch')} / {result.get('epochs_run')} | | | "
                        f"{record['wall_seconds'] / 60:.1f} | {record['goal']} |")
            continue
        rows.append(
            f"| {record['name']} | {_pct(dev.get('accuracy'))} | {_pct(dev.get('macro_f1'))} | "
            f"{result.get('best_epoch')} / {result.get('epochs_run')} | {_pct(test.get('accuracy'))} | "
            f"{_pct(test.get('macro_f1'))} | {record['wall_seconds'] / 60:.1f} | {record['goal']} |"
        )
    return rows


def details(record: dict) -> list[str]:
    """The how-it-was-made section of one run."""
    lines = [f"### {record['name']}", "", "```", record["command"], "```", ""]
    if record.get("exit_code") != 0:
        lines += [f"Failed with exit code {record.get('exit_code')}; see {record.get('log')}.", ""]
        return lines
    stored = _stored_config(record)
    train = stored.get("train", {})
    settings = ", ".join(f"{k}={train[k]}" for k in SETTINGS if k in train)
    model = json.dumps(stored.get("model", {}))
    lines += [
        f"- settings stored in the run's config.json: {settings}; model spec {model}",
        f"- seed {record['seed']}, device {record['device']}, {record['threads']} thread(s), started "
        f"{record['started']}, wall time {record['wall_seconds'] / 60:.1f} min (shared machine, see above)",
        *([f"- started as `{record['launcher']} ...` (bench/_seqlab.py registers the same `seqlab train` command "
           "function; cli.py did not list it yet)"] if "_seqlab.py" in record.get("launcher", "") else []),
        "- dev per epoch: " + ", ".join(
            f"epoch {r['epoch']}: acc {r['accuracy']:.3f} / F1 {r['macro_f1']:.3f}" if "macro_f1" in r
            else f"epoch {r['epoch']}: masked-token top-1 {r['accuracy']:.3f}, loss {r['loss']:.3f}" if "accuracy" in r
            else f"epoch {r['epoch']}: loss {r['loss']:.3f}" for r in record.get("dev_per_epoch", [])
        ),
    ]
    dev = record["result"].get("dev") or {}
    for name in ("random_baseline", "majority_baseline"):
        if name in dev:
            lines.append(f"- {name.replace('_', ' ')} on dev: acc {dev[name]['accuracy']:.3f} / F1 {dev[name]['macro_f1']:.3f}")
    test = record.get("evaluate", {}).get("test")
    if test:
        if test.get("exit_code") == 0 and test.get("metrics"):
            lines.append(f"- test: `{test['command']}` -> accuracy {test['metrics']['accuracy']:.3f}, "
                         f"macro-F1 {test['metrics']['macro_f1']:.3f}")
        else:
            lines.append(f"- test evaluation not done: {test.get('error') or 'no output'}")
    return lines + [""]


def transfer_tables(records: list[dict]) -> list[str]:
    """Dev accuracy per epoch of LM-initialised vs from-scratch classifiers, for each dataset run both ways."""
    by_name = {r["name"]: r for r in records if r.get("exit_code") == 0}
    lines: list[str] = []
    for tag in sorted({n.removeprefix("lm-transfer-") for n in by_name if n.startswith("lm-transfer-")}):
        transfer, scratch = by_name.get(f"lm-transfer-{tag}"), by_name.get(f"lm-scratch-{tag}")
        if not scratch:
            continue
        curve = {r["epoch"]: r.get("accuracy") for r in scratch["dev_per_epoch"]}
        lines += [f"### LM pretraining then classification vs from scratch: {tag}", "",
                  "| epoch | dev acc, body from the LM | dev acc, from scratch |", "|---|---|---|"]
        for r in transfer["dev_per_epoch"]:
            lines.append(f"| {r['epoch']} | {_pct(r.get('accuracy'))} | {_pct(curve.get(r['epoch']))} |")
        lines.append("")
    return lines


def render(records: list[dict]) -> str:
    """The whole Markdown page."""
    head = [
        "# Accuracy on the real datasets (issue 3)",
        "",
        "Measured with `seqlab train` on the copies in `shared/data` (see its MANIFEST.md), driven by",
        "`python bench/accuracy_runs.py NAME` (which records each run in `bench/results/accuracy.jsonl`) and",
        "rendered by `python bench/accuracy_report.py`. Machine: 2-core AMD EPYC VM (no GPU), torch CPU build,",
        "shared with other jobs (first session) or running two of these at a time (second), so wall times are",
        "upper bounds. Runs started by hand with a listed command are recorded with `--adopt` after their",
        "config.json is checked against it. \"best dev\" is the dev",
        "score of the best epoch's weights (the checkpoint kept as model.safetensors); test is",
        "`seqlab evaluate RUN --split test` on those weights.",
        "",
        "| run | best dev acc | dev macro-F1 | best epoch / epochs | test acc | test macro-F1 | wall min | goal |",
        "|---|---|---|---|---|---|---|---|",
        *summary_rows(records),
        "",
    ]
    notes = NOTES.read_text().strip().splitlines() + [""] if NOTES.is_file() else []
    notes += transfer_tables(records)
    body = ["## How each number was made", ""]
    for record in records:
        body += details(record)
    return "\n".join(head + notes + body).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stdout", action="store_true", help="print the page instead of writing it")
    args = parser.parse_args(argv)
    page = render(read_records())
    if args.stdout:
        print(page)
        return
    from seqlab.io import atomic_write_text

    atomic_write_text(PAGE, page)
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
