"""The printed time range holds what kept experiment reports measured: each report's trial configs, estimated
today, against the wall seconds its trials took (bench/results/experiments, made on the shared 2-core VM)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from seqlab.data.registry import load_splits
from seqlab.experiments.estimate import estimate_seconds
from seqlab.training.config import TrainConfig

REPORTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "experiments"
# the kept reports whose data is generated here, offline (the IMDB, SST, CFIMDB and RTE ones need their files;
# bench/estimate_fit.py checks those)
BUILTIN_REPORTS = ("rnn-width-builtin", "rnn-optimizers-builtin", "lm-transfer-builtin", "lm-transfer-builtin-3epochs")


@dataclass(frozen=True)
class _Trial:
    config: TrainConfig | None


@pytest.mark.parametrize("name", BUILTIN_REPORTS)
def test_a_kept_reports_measured_time_falls_inside_the_estimated_range(name):
    report = json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))
    trials = [_Trial(TrainConfig.from_dict(t["config"]) if t.get("config") else None) for t in report["trials"]]
    datasets = {t.config.data for t in trials if t.config is not None}
    splits = {data: load_splits(data) for data in datasets}
    measured = sum(t["wall_seconds"] for t in report["trials"])
    estimate = estimate_seconds(trials, splits)
    assert estimate.low <= measured <= estimate.high, (name, measured, estimate)
    assert estimate.low < estimate.seconds < estimate.high
