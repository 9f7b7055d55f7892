"""Per-epoch wall time and the run's mean training rate, and the short-run schedule hint."""

from __future__ import annotations

import dataclasses

import pytest

from seqlab.training.metrics import compute_metrics
from seqlab.training.runs import read_metrics
from seqlab.training.trainer import SHORT_RUN_STEPS, schedule_hint, train

from .helpers import tiny_config


def test_epoch_records_carry_time_and_the_result_the_mean_rate_over_the_run():
    result = train(tiny_config("lstm", epochs=2), quiet=True)
    epochs = [r for r in read_metrics(result.run_dir) if r.get("event") == "epoch" and r["split"] == "train"]
    assert [r["items"] for r in epochs] == [96, 96] and all(r["unit"] == "examples" for r in epochs)
    assert all(r["seconds"] > 0 for r in epochs)
    assert result.epoch_seconds == tuple(r["seconds"] for r in epochs)
    assert result.samples_per_second == pytest.approx(192 / sum(result.epoch_seconds))  # mean, not the last epoch
    assert result.rate_unit == "examples"


def test_a_language_model_counts_tokens():
    result = train(tiny_config("lm", epochs=1), quiet=True)
    assert result.rate_unit == "tokens" and len(result.epoch_seconds) == 1


def _metrics(accuracy: float):
    hits = round(100 * accuracy)
    return compute_metrics([0] * 100, [0] * hits + [1] * (100 - hits), ("a", "b"))


def test_the_hint_suggests_constant_only_for_short_low_runs_on_the_default_schedule():
    config = tiny_config("lstm")
    assert "--schedule constant" in schedule_hint(config, 100, _metrics(0.7))
    assert schedule_hint(config, SHORT_RUN_STEPS + 1, _metrics(0.7)) is None  # a full budget: the default wins
    assert schedule_hint(config, 100, _metrics(0.95)) is None  # ended high
    assert schedule_hint(dataclasses.replace(config, schedule="constant"), 100, _metrics(0.7)) is None
    assert schedule_hint(config, 100, None) is None  # a language model has no accuracy
