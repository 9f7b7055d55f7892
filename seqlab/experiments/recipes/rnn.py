"""The RNN sentiment studies: optimizers, depth, width, embedding size, compound scaling, bidirectional."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.pareto import pareto_front
from seqlab.experiments.plots import bar_chart, line_chart, pareto_chart, short_caption
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.recipes.common import (
    Budget,
    Sizes,
    accuracy_points,
    baseline_lines,
    figure_title,
    save_epoch_curves,
    sentiment_dataset,
    train_config,
    with_seeds,
)
from seqlab.experiments.stats import holm_decided
from seqlab.experiments.summary import (
    baseline_row_note,
    best_versus_rest,
    compare_groups,
    dev_scores,
    group_seeds,
    mean_sd,
    training_table,
)
from seqlab.experiments.trials import Trial
from seqlab.viz.figures import save_figure

# full: the course's setting (the whole 35,000-review IMDB training split, 256 tokens, 3 epochs);
# quick: 8,000 stratified reviews, 128 tokens, 4 epochs (an LSTM 128/128 reached 0.73 dev on 8,000 reviews in
# 3 epochs, bench/results/accuracy.jsonl imdb-lstm-8k; 4,000 reviews in 2 epochs stayed at 50-60%).
SIZES = Sizes(full=Budget(epochs=3, max_length=256), quick=Budget(epochs=4, max_length=128, max_train=8000))
BASE = {"embed_dim": 64, "hidden_size": 64, "num_layers": 1, "bidirectional": False, "dropout": 0.0}
TINY_BASE = {"embed_dim": 16, "hidden_size": 16, "num_layers": 1, "bidirectional": False, "dropout": 0.0}
# Peak learning rates that suit each optimizer on these models (SGD gets momentum, as it needs it).
OPTIMIZER_SETTINGS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.1, "momentum": 0.9},
    "adagrad": {"lr": 0.05},
    "rmsprop": {"lr": 1e-3},
    "adam": {"lr": 3e-3},
}
WIDTHS = (25, 50, 100, 200, 320)
EMBEDDINGS = (1, 4, 16, 64, 256)
DEPTHS = (1, 2, 3, 4)
SCALING_EMBEDDINGS = (16, 64, 256)


CURVES_TITLE = "dev accuracy per epoch (first seed of each setting)"  # every sweep's curves.png


def _model(config: ExperimentConfig, cell: str = "lstm", **changes: Any) -> dict[str, Any]:
    return {"family": cell, **(TINY_BASE if config.tiny else BASE), **changes}


def _configurations(config: ExperimentConfig, grid: list[dict[str, Any]], default_cap: int | None = None) -> list[dict[str, Any]]:
    """The grid, cut to --budget configurations (or `default_cap`) in order."""
    return grid[: config.cap(default_cap or len(grid))]


def _trials(config: ExperimentConfig, data: str, grid: list[dict[str, Any]]) -> list[Trial]:
    """One trial per grid entry and seed; each entry holds tags plus the spec changes and train settings."""
    trials: list[Trial] = []
    for entry in grid:
        tags, model, settings = entry["tags"], entry["model"], entry.get("settings", {})
        name = trial_name(tags)
        trials += with_seeds(config, name, tags, train_config(config, SIZES, data, model, **settings))
    return trials


def trial_name(tags: dict[str, Any]) -> str:
    """A readable trial name from its tags: words as they are, numbers after their tag ("layers2-dropout0.3")."""
    return "-".join(str(v) if isinstance(v, str) else f"{k}{v}" for k, v in tags.items())


def _notes(config: ExperimentConfig, data: str) -> list[str]:
    notes = []
    if data == "builtin-sentiment" and not config.data:
        notes.append("data: the built-in sentiment corpus (pass --data-dir with imdb/ for the real IMDB study)")
    notes.append(f"{config.budget} budget: {SIZES.pick(config.budget).describe()}")
    if config.tiny:
        notes.append("tiny budget: 16-wide models and one short epoch; expect results at chance - they show the "
                     "mechanics, not the study's conclusions")
    return notes


# ---- rnn-optimizers -------------------------------------------------------------------------------

def plan_optimizers(config: ExperimentConfig) -> Plan:
    """LSTM and GRU, each with SGD (momentum 0.9), Adagrad, RMSprop and Adam at learning rates that suit them."""
    data = sentiment_dataset(config)
    cells = ("lstm",) if config.tiny else ("lstm", "gru")
    grid = [{"tags": {"cell": cell, "optimizer": name}, "model": _model(config, cell),
             "settings": {"optimizer": name, **settings}}
            for cell in cells for name, settings in OPTIMIZER_SETTINGS.items()]
    notes = _notes(config, data) + ["learning rates: " + ", ".join(
        f"{name} {s['lr']:g}" + (f" (momentum {s['momentum']})" if "momentum" in s else "")
        for name, s in OPTIMIZER_SETTINGS.items()) + "; linear warm-up over 10% of steps, then linear decay"]
    return Plan(_trials(config, data, _configurations(config, grid)), [data], notes)


def summarize_optimizers(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Accuracy per optimizer and cell, as a table and a grouped bar chart, plus dev curves."""
    verdicts = []
    for cell in dict.fromkeys(r["tags"]["cell"] for r in records):
        groups = {tags["optimizer"]: (tags, items) for tags, items in group_seeds(records) if tags["cell"] == cell}
        if "adam" in groups:
            verdicts += [c.verdict for c in holm_decided([  # Adam against each other optimizer: one family
                compare_groups(groups["adam"], groups[name], f"{cell} adam", f"{cell} {name}")
                for name in groups if name != "adam"])]
    best = best_versus_rest(records, limit=0)
    figures = _grouped_bar_figures(records, "optimizer", "cell", figure_title("dev accuracy by optimizer", config, records),
                                   out, "optimizers.png", [*best, *verdicts], config)
    notes = [baseline_row_note(records), *best, *verdicts,
             "Adaptive methods (Adagrad, RMSprop, Adam) scale each parameter's step by its gradient history; "
             "plain SGD needs momentum and a larger learning rate."]
    return Summary([training_table("dev accuracy by optimizer", records, ("cell", "optimizer"))], figures, notes,
                   {"verdicts": verdicts})


# ---- rnn-depth --------------------------------------------------------------------------------------

def plan_depth(config: ExperimentConfig) -> Plan:
    """An LSTM with 1 to 4 layers, without dropout and with dropout 0.3 between layers."""
    data = sentiment_dataset(config)
    depths = (1, 2) if config.tiny else DEPTHS
    grid = [{"tags": {"layers": layers, "dropout": dropout}, "model": _model(config, num_layers=layers, dropout=dropout)}
            for dropout in (0.0, 0.3) for layers in depths]
    notes = _notes(config, data) + ["dropout acts between stacked layers and before the classifier head"]
    return Plan(_trials(config, data, _configurations(config, grid)), [data], notes)


def summarize_depth(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Accuracy against depth, one line per dropout setting."""
    groups = {(t["layers"], t["dropout"]): (t, items) for t, items in group_seeds(records)}
    planned = [compare_groups(groups[(layers, 0.3)], groups[(layers, 0.0)])  # does dropout help at this depth?
               for layers, rate in groups if rate == 0.0 and (layers, 0.3) in groups]
    planned += [compare_groups(groups[(layers, rate)], groups[(1, rate)])  # does depth help, dropout held fixed?
                for layers, rate in groups if layers != 1 and (1, rate) in groups]
    verdicts = [c.verdict for c in holm_decided(planned)]  # one family, so no pair is printed twice
    best = best_versus_rest(records, limit=0)
    figure = line_chart(accuracy_points(records, "layers", "dropout"),
                        figure_title("dev accuracy by depth", config, records), "LSTM layers",
                        baselines=baseline_lines(records), caption=short_caption([*best, *verdicts]))
    save_figure(figure, out / "depth.png")
    figures = ["depth.png", *filter(None, [save_epoch_curves(records, out, figure_title(CURVES_TITLE, config, records))])]
    notes = [baseline_row_note(records), *best, *verdicts,
             "planned comparisons: dropout 0.3 against none at each depth, and each depth against one layer at the "
             "same dropout, decided together with Holm's correction"]
    return Summary([training_table("dev accuracy by depth and dropout", records, ("layers", "dropout"))], figures, notes,
                   {"verdicts": verdicts})


# ---- rnn-width and rnn-embedding ---------------------------------------------------------------------

def plan_width(config: ExperimentConfig) -> Plan:
    """An LSTM with hidden size 25, 50, 100, 200, 320 (the rest fixed)."""
    data = sentiment_dataset(config)
    widths = (8, 32) if config.tiny else WIDTHS
    grid = [{"tags": {"hidden": h}, "model": _model(config, hidden_size=h)} for h in widths]
    return Plan(_trials(config, data, _configurations(config, grid)), [data], _notes(config, data))


def plan_embedding(config: ExperimentConfig) -> Plan:
    """An LSTM with word embeddings of size 1, 4, 16, 64, 256 (the rest fixed)."""
    data = sentiment_dataset(config)
    sizes = (1, 16) if config.tiny else EMBEDDINGS
    grid = [{"tags": {"embedding": e}, "model": _model(config, embed_dim=e)} for e in sizes]
    return Plan(_trials(config, data, _configurations(config, grid)), [data], _notes(config, data))


def _summarize_size(tag: str, label: str, filename: str):
    def summarize(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
        verdicts = best_versus_rest(records)
        figure = line_chart(accuracy_points(records, tag), figure_title(f"dev accuracy by {label}", config, records),
                            label, log_x=True, baselines=baseline_lines(records),
                            caption=short_caption(verdicts, limit=2))
        save_figure(figure, out / filename)
        figures = [filename, *filter(None, [save_epoch_curves(records, out, figure_title(CURVES_TITLE, config, records))])]
        notes = [baseline_row_note(records), *verdicts]
        return Summary([training_table(f"dev accuracy by {label}", records, (tag,))], figures, notes)

    summarize.__doc__ = f"Accuracy against {label} (log scale), with parameter counts in the table."
    return summarize


# ---- rnn-compound-scaling ------------------------------------------------------------------------------

def scaling_grid(config: ExperimentConfig) -> list[dict[str, int]]:
    """Every depth x width x embedding combination the compound-scaling study may try."""
    if config.tiny:
        return [{"layers": d, "hidden": w, "embedding": e} for d, w, e in itertools.product((1, 2), (8, 32), (4, 16))]
    return [{"layers": d, "hidden": w, "embedding": e}
            for d, w, e in itertools.product(DEPTHS, WIDTHS, SCALING_EMBEDDINGS)]


def plan_compound(config: ExperimentConfig) -> Plan:
    """Depth x width x embedding together: the whole grid when it fits --budget, else a seeded random sample."""
    data = sentiment_dataset(config)
    grid = scaling_grid(config)
    cap = config.cap(4 if config.tiny else len(grid))
    if cap < len(grid):
        chosen = sorted(random.Random(config.seed).sample(range(len(grid)), cap))
        picked = [grid[i] for i in chosen]
        how = f"random search: {cap} of the {len(grid)} grid points, sampled with seed {config.seed}"
    else:
        picked, how = grid, f"grid search: all {len(grid)} combinations"
    entries = [{"tags": dict(point), "model": _model(config, num_layers=point["layers"], hidden_size=point["hidden"],
                                                      embed_dim=point["embedding"])} for point in picked]
    return Plan(_trials(config, data, entries), [data], _notes(config, data) + [how])


def summarize_compound(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Accuracy against parameter count for every trial, with the Pareto front drawn and tabled."""
    configs = group_seeds(records)
    points = [(float(items[0]["result"]["parameters"]), 100 * mean_sd(dev_scores(items))[0]) for _, items in configs]
    labels = [f"d{t['layers']} h{t['hidden']} e{t['embedding']}" for t, _ in configs]
    front = pareto_front(points)
    save_figure(pareto_chart(points, labels, front,
                             figure_title("compound scaling: dev accuracy vs parameters", config, records)),
                out / "pareto.png")
    front_rows = tuple((labels[i], f"{int(points[i][0]):,}", f"{points[i][1]:.1f}") for i in front)
    tables = [
        training_table("every trial", records, ("layers", "hidden", "embedding")),
        ResultTable("Pareto front (no other trial is both smaller and more accurate)",
                    ("depth / hidden / embedding", "parameters", "dev accuracy %"), front_rows),
    ]
    notes = [baseline_row_note(records), *best_versus_rest(records, limit=2),
             "read the front left to right: each step is the cheapest model whose mean beats every smaller one's "
             "(means only: check the verdicts above before calling a step real)"]
    front_data = [{"label": labels[i], "parameters": points[i][0], "accuracy": points[i][1]} for i in front]
    return Summary(tables, ["pareto.png"], notes, {"pareto_front": front_data})


# ---- rnn-bidirectional ------------------------------------------------------------------------------

def plan_bidirectional(config: ExperimentConfig) -> Plan:
    """LSTM and GRU read left to right only, or both ways with the two final states concatenated."""
    data = sentiment_dataset(config)
    grid = [{"tags": {"cell": cell, "direction": "bi" if bi else "uni"}, "model": _model(config, cell, bidirectional=bi)}
            for cell in ("lstm", "gru") for bi in (False, True)]
    return Plan(_trials(config, data, _configurations(config, grid)), [data], _notes(config, data))


def summarize_bidirectional(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Accuracy of uni- vs bidirectional reading per cell, as a table and a grouped bar chart."""
    groups = {(t["cell"], t["direction"]): (t, items) for t, items in group_seeds(records)}
    verdicts = [compare_groups(groups[(cell, "bi")], groups[(cell, "uni")], f"bidirectional {cell}",
                               f"one-direction {cell}").verdict
                for cell, direction in groups if direction == "uni" and (cell, "bi") in groups]
    best = best_versus_rest(records, limit=0)
    figures = _grouped_bar_figures(records, "cell", "direction", figure_title("uni- vs bidirectional", config, records),
                                   out, "bidirectional.png", [*best, *verdicts], config)
    notes = [baseline_row_note(records), *best, *verdicts,
             "A bidirectional RNN has twice the recurrent parameters and sees the end of the text from its first "
             "step."]
    return Summary([training_table("dev accuracy by direction", records, ("cell", "direction"))], figures, notes)



def _grouped_bar_figures(
    records: list[dict[str, Any]], x_tag: str, series_tag: str, title: str, out: Path, filename: str,
    verdicts: list[str], config: ExperimentConfig,
) -> list[str]:
    """Save a grouped bar chart of mean dev accuracy (groups: `x_tag`, one bar per `series_tag`) with the first
    of the report's `verdicts` as its caption, and the dev curves, under `out`; return the figure file names."""
    groups = list(dict.fromkeys(r["tags"][x_tag] for r in records))
    series: dict[str, list[list[float]]] = {}
    for tags, items in group_seeds(records):
        values = series.setdefault(str(tags[series_tag]), [[] for _ in groups])
        values[groups.index(tags[x_tag])] = [100 * v for v in dev_scores(items)]
    save_figure(bar_chart([str(g) for g in groups], series, title, baselines=baseline_lines(records),
                          caption=short_caption(verdicts)), out / filename)
    return [filename, *filter(None, [save_epoch_curves(records, out, figure_title(CURVES_TITLE, config, records))])]


RECIPES = (
    Recipe("rnn-optimizers", "RNNs for sentiment", "SGD, Adagrad, RMSprop and Adam training an LSTM and a GRU.",
           plan_optimizers, summarize_optimizers),
    Recipe("rnn-depth", "RNNs for sentiment", "LSTMs of 1 to 4 layers, with and without dropout.",
           plan_depth, summarize_depth),
    Recipe("rnn-width", "RNNs for sentiment", "LSTM hidden sizes from 25 to 320.",
           plan_width, _summarize_size("hidden", "hidden size", "width.png")),
    Recipe("rnn-embedding", "RNNs for sentiment", "Word-embedding sizes from 1 to 256.",
           plan_embedding, _summarize_size("embedding", "embedding size", "embedding.png")),
    Recipe("rnn-compound-scaling", "RNNs for sentiment",
           "Depth, width and embedding scaled together under a trial budget; accuracy against parameters "
           "with the Pareto front.", plan_compound, summarize_compound),
    Recipe("rnn-bidirectional", "RNNs for sentiment", "Uni- vs bidirectional LSTM and GRU.",
           plan_bidirectional, summarize_bidirectional),
)
