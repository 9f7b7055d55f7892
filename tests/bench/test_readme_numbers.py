"""The README's SST table quotes numbers from bench/results/accuracy.jsonl: a changed record fails here."""

from __future__ import annotations

import sys
from pathlib import Path

from seqlab.experiments.stats import spread

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import accuracy_report  # noqa: E402
import accuracy_runs  # noqa: E402


def _records() -> dict[str, dict]:
    return {r["name"]: r for r in accuracy_report.read_records()}


def _row(label: str) -> str:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith(f"| {label}")]
    assert len(lines) == 1, label
    return lines[0]


def test_quick_sst_row_is_the_mean_and_interval_of_its_three_seeds():
    records = _records()
    dev = [records[f"sst-quick-s{seed}"]["result"]["dev"] for seed in (0, 1, 2)]
    scores = spread([100 * d["accuracy"] for d in dev])
    f1 = sum(d["macro_f1"] for d in dev) / 3
    row = _row("quick")
    assert f"{scores.mean:.1f}% ± {scores.half_width:.1f}" in row
    assert ", ".join(f"{100 * d['accuracy']:.1f}" for d in dev) in row and f"| {f1:.2f} |" in row
    majority = dev[0]["majority_baseline"]["accuracy"]
    assert f"scores {100 * majority:.1f}% on dev" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_full_and_frozen_rows_match_their_records_and_commands():
    records = _records()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for label, name in (("full", "sst-finetune-lr5e-5"), ("frozen", "sst-frozen")):
        dev = records[name]["result"]["dev"]
        assert f"| {100 * dev['accuracy']:.1f}% (seed 0) | {dev['macro_f1']:.2f} |" in _row(label), name
    for name in ("sst-quick-s0", "sst-finetune-lr5e-5", "sst-frozen"):
        args = " ".join(accuracy_runs.RUNS[name].args).replace("--data sst", "--data sst --data-dir ~/data")
        assert f"seqlab train {args}\n" in readme, name
