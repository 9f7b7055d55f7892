"""Every recipe at the tiny budget on the built-in corpus: report files, resumability, same numbers per seed."""

from __future__ import annotations

import json

import pytest

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.recipes import all_recipes
from seqlab.experiments.runner import run_experiment

# Tiny budget, and a slice small enough that the whole file stays within seconds on 2 cores.
FAST = dict(budget="tiny", seeds=1, threads=1, device="cpu", max_train=120, max_length=16)
RECIPES = [recipe.name for recipe in all_recipes()]  # every recipe of RECIPE_MODULES, in listing order


def _check_report(result) -> dict:
    out = result.out_dir
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "seqlab experiment run" in readme and "| ---" not in readme and "|---|" in readme
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["recipe"] == result.recipe
    assert len(payload["trials"]) == result.trials
    for figure in result.summary.figures:
        assert (out / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for record in payload["trials"]:
        folder = out / "trials" / f"{record['name']}-{record['key']}"
        assert json.loads((folder / "trial.json").read_text(encoding="utf-8"))["key"] == record["key"]
    return payload


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_tiny_runs_and_writes_report(name, tmp_path):
    budget = 1 if name.startswith("rnn-") or name.startswith("bert") else None
    result = run_experiment(ExperimentConfig(name, max_configs=budget, out=str(tmp_path / name), **FAST))
    assert result.trained == result.trials >= 1
    payload = _check_report(result)
    assert payload["tables"] and all(table["rows"] for table in payload["tables"])


def test_rerun_into_same_out_trains_nothing_and_keeps_numbers(tmp_path):
    config = ExperimentConfig("rnn-width", out=str(tmp_path / "width"), **{**FAST, "seeds": 2})
    first = run_experiment(config)
    again = run_experiment(config)
    assert (first.trained, again.trained, again.skipped) == (4, 0, 4)
    assert again.summary.tables == first.summary.tables


def test_interrupted_trial_is_trained_again(tmp_path):
    config = ExperimentConfig("rnn-embedding", max_configs=2, out=str(tmp_path / "emb"), **FAST)
    first = run_experiment(config)
    trial_files = sorted((first.out_dir / "trials").glob("*/trial.json"))
    trial_files[0].unlink()  # as if the process died before the trial's last write
    again = run_experiment(config)
    assert (again.trained, again.skipped) == (1, 1)


def test_same_seed_same_numbers(tmp_path):
    one = run_experiment(ExperimentConfig("rnn-width", max_configs=1, out=str(tmp_path / "a"), **FAST))
    two = run_experiment(ExperimentConfig("rnn-width", max_configs=1, out=str(tmp_path / "b"), **FAST))
    assert one.summary.tables[0].rows[0][:4] == two.summary.tables[0].rows[0][:4]


def test_compound_scaling_samples_the_grid_within_budget(tmp_path):
    result = run_experiment(ExperimentConfig("rnn-compound-scaling", max_configs=3, out=str(tmp_path / "c"), **FAST))
    assert result.trials == 3
    front = json.loads((result.out_dir / "results.json").read_text(encoding="utf-8"))["data"]["pareto_front"]
    assert 1 <= len(front) <= 3
    assert [p["parameters"] for p in front] == sorted(p["parameters"] for p in front)
