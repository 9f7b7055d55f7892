"""Fit the constants of seqlab/experiments/estimate.py to the trials of the kept experiment reports.

Every trial record keeps its config, its training-loop seconds (result.seconds: epochs with their dev passes)
and its wall seconds (the whole trial: start-up, reading the data, training, final scoring, saving). The fit:

1. per model family (and frozen BERT): tokens per second, least squares through the origin of training-loop
   seconds on trained tokens (a language model's output-layer seconds, LM_HEAD_SECONDS, taken out first);
2. FIXED_SECONDS and READ_SECONDS_PER_WORD: least squares of what the wall time has beyond the training loop and
   the final scoring on [1, words of the dataset read];
   IDLE_FIXED_SECONDS: the median of the same over the low-load calibration records;
3. LOW_FACTOR: the lowest ratio over whole reports of measured seconds to the idle estimate (IDLE_FIXED_SECONDS
   and the work), HIGH_FACTOR the highest of measured seconds to the estimate, so that the printed range holds
   every measured report.

    python bench/estimate_fit.py --data-dir ../shared/data        # print the fit and every report's ratio
    python bench/estimate_fit.py --data-dir ../shared/data --json # the same as JSON

Reports: bench/results/experiments/*.json (the kept studies) and bench/results/estimate/*.json (reports run to
calibrate the estimate, each with a note of the machine's load). A dataset the data folder lacks skips its
trials, and says so.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqlab.data.sources import ColumnChoice, DataSource
from seqlab.errors import SeqlabError
from seqlab.experiments import estimate
from seqlab.training.config import TrainConfig

BENCH = Path(__file__).resolve().parent
CALIBRATION = BENCH / "results" / "estimate"
REPORT_FOLDERS = (BENCH / "results" / "experiments", CALIBRATION)


@dataclass(frozen=True)
class Point:
    """One measured trial: its report, rate key, estimated cost parts, and measured seconds."""

    report: str
    key: str  # TOKENS_PER_SECOND's family, or 'bert-pretrained frozen'
    cost: estimate.TrialCost
    loop_seconds: float
    wall_seconds: float
    calibration: bool  # from bench/results/estimate/ (run at low load to calibrate), not a kept study


def report_paths() -> list[Path]:
    """Every kept report, by folder then name."""
    return [path for folder in REPORT_FOLDERS if folder.is_dir() for path in sorted(folder.glob("*.json"))]


def _splits(name: str, data_dir: Path | None, cache: dict[str, Any]) -> Any:
    if name not in cache:
        try:
            cache[name] = DataSource(name, data_dir, 0, None, None, ColumnChoice()).load().splits
        except SeqlabError as error:
            print(f"skipping the trials on {name}: {error}", file=sys.stderr)
            cache[name] = None
    return cache[name]


def points(data_dir: Path | None) -> list[Point]:
    """The measured training trials of every kept report (a trial copied into several reports counted once)."""
    cache: dict[str, Any] = {}
    found: list[Point] = []
    seen: set[str] = set()
    for path in report_paths():
        report = json.loads(path.read_text(encoding="utf-8"))
        for trial in report.get("trials", []):
            if trial.get("kind") != "train" or trial["key"] in seen or "seconds" not in trial.get("result", {}):
                continue
            seen.add(trial["key"])
            config = TrainConfig.from_dict(trial["config"])
            splits = _splits(config.data, data_dir, cache)
            if splits is None:
                continue
            n = min(len(splits.train), config.max_train_examples or len(splits.train))
            vocabulary = (estimate.vocabulary_size(splits.train[:n], config.min_freq)
                          if config.resolved_task in ("lm", "mlm") else 0)
            cost = estimate.trial_cost(config, len(splits.train), len(splits.dev), estimate.mean_words(splits.train),
                                       vocabulary, len(splits.test))
            key = config.family + (" frozen" if config.freeze else "")
            found.append(Point(path.stem, key, cost, float(trial["result"]["seconds"]), float(trial["wall_seconds"]),
                               path.parent == CALIBRATION))
    return found


def fit(found: list[Point]) -> dict[str, Any]:
    """The fitted constants (see the module docstring) and each report's measured / estimated ratio."""
    rates: dict[str, float] = {}
    scale: dict[str, float] = {}  # fitted seconds per token / the module's, per key
    for key in sorted({p.key for p in found}):
        group = [p for p in found if p.key == key]
        x = np.array([p.cost.train_tokens * p.cost.body_per_token for p in group])
        y = np.array([p.loop_seconds - p.cost.train_tokens * p.cost.head_per_token for p in group])
        scale[key] = float(x @ y / (x @ x))
        family = key.split()[0]
        rates[key] = estimate.TOKENS_PER_SECOND.get(family, 20_000.0) / scale[key] * (
            estimate.FROZEN_SPEEDUP if key.endswith("frozen") else 1.0)
    def work(p: Point) -> float:
        return (p.cost.train_tokens + p.cost.score_tokens) * (p.cost.body_per_token * scale[p.key]
                                                              + p.cost.head_per_token)

    kept = [p for p in found if not p.calibration]
    extra = np.array([p.wall_seconds - p.loop_seconds - p.cost.score_tokens * p.cost.body_per_token * scale[p.key]
                      - p.cost.score_tokens * p.cost.head_per_token for p in kept])
    design = np.array([[1.0, p.cost.words_read] for p in kept])
    (fixed, per_word), *_ = np.linalg.lstsq(design, extra, rcond=None)
    fixed, per_word = max(float(fixed), 0.0), max(float(per_word), 0.0)
    calibration = [p for p in found if p.calibration]
    idle_fixed = float(np.median([p.wall_seconds - work(p) for p in calibration])) if calibration else 0.0

    reports = {}
    for report in dict.fromkeys(p.report for p in found):
        group = [p for p in found if p.report == report]
        measured = sum(p.wall_seconds for p in group)
        busy = sum(fixed + per_word * p.cost.words_read + work(p) for p in group)
        idle = sum(idle_fixed + work(p) for p in group)
        reports[report] = {"trials": len(group), "measured_seconds": round(measured, 1),
                           "estimated_seconds": round(busy, 1), "idle_seconds": round(idle, 1),
                           "ratio": round(measured / busy, 3), "idle_ratio": round(measured / idle, 3)}
    fitted_speedup = (rates["bert-pretrained frozen"] / rates["bert-pretrained"]
                      if {"bert-pretrained", "bert-pretrained frozen"} <= rates.keys() else estimate.FROZEN_SPEEDUP)
    return {
        "trials": len(found),
        "tokens_per_second": {key: round(rate, -1) for key, rate in rates.items()},
        "frozen_speedup": round(fitted_speedup, 2),
        "fixed_seconds": round(fixed, 1), "read_seconds_per_word": float(f"{per_word:.2g}"),
        "idle_fixed_seconds": round(idle_fixed, 1),
        "low_factor": min(r["idle_ratio"] for r in reports.values()),
        "high_factor": max(r["ratio"] for r in reports.values()),
        "reports": reports,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="folder with the real datasets (imdb/, sst/, ...)")
    parser.add_argument("--json", action="store_true", help="print the fit as JSON")
    args = parser.parse_args(argv)
    result = fit(points(args.data_dir))
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['trials']} trials")
    for key, rate in result["tokens_per_second"].items():
        print(f"  tokens per second, {key}: {rate:,.0f}")
    print(f"  FROZEN_SPEEDUP {result['frozen_speedup']}")
    print(f"  FIXED_SECONDS {result['fixed_seconds']}, READ_SECONDS_PER_WORD {result['read_seconds_per_word']} "
          f"(kept reports); IDLE_FIXED_SECONDS {result['idle_fixed_seconds']} (calibration records)")
    print(f"  LOW_FACTOR {result['low_factor']} (lowest measured / idle estimate), HIGH_FACTOR "
          f"{result['high_factor']} (highest measured / estimate)")
    for name, row in result["reports"].items():
        print(f"    {name:36s} {row['trials']:3d} trials  measured {row['measured_seconds']:8.1f} s  "
              f"estimated {row['estimated_seconds']:8.1f} s (x{row['ratio']:.2f}), idle {row['idle_seconds']:8.1f} s "
              f"(x{row['idle_ratio']:.2f})")


if __name__ == "__main__":
    main()
