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


def test_pretraining_objectives_on_imdb_reads_the_budgets_sample_of_reviews(tmp_path):
    from seqlab.experiments.recipes.objectives import REAL_PRETRAINING, plan_objectives

    (tmp_path / "imdb").mkdir()
    plan = plan_objectives(ExperimentConfig("pretraining-objectives", data_dir=str(tmp_path), seeds=2))
    quick = REAL_PRETRAINING["quick"]
    pretrain = [t.config for t in plan.trials if t.tags["stage"] == "pretrain"]
    assert {c.task for c in pretrain} == {"mlm", "lm"} and {c.data for c in pretrain} == {"imdb"}
    for config in pretrain:
        assert (config.max_train_examples, config.max_dev_examples, config.min_freq, config.epochs) == (
            quick.texts, quick.dev_texts, quick.min_freq, quick.epochs) and config.stratify_subset
    finetune = [t.config for t in plan.trials if t.tags["stage"] == "fine-tune"]
    assert {c.data for c in finetune} == {"cfimdb"} and all(c.max_dev_examples is None for c in finetune)
    assert any("2,000 IMDB reviews" in note for note in plan.notes)
    builtin = plan_objectives(ExperimentConfig("pretraining-objectives", seeds=1))
    assert all(t.config.max_train_examples is None and t.config.max_dev_examples is None for t in builtin.trials)
