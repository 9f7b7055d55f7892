"""Reports read their numbers honestly: baselines in every table, at-chance labels, verdicts, per-seed plots,
an estimate before starting, progress inside a trial, and budgets per recipe."""

from __future__ import annotations

import json
import re

import pytest

from seqlab.cli import app
from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.estimate import Estimate, human, trial_cost, trial_seconds, vocabulary_size
from seqlab.experiments.plots import MIN_SPAN, bar_chart, honest_limits, line_chart
from seqlab.experiments.recipes.common import TINY, Budget, Sizes, train_config
from seqlab.experiments.runner import run_experiment
from seqlab.experiments.summary import best_versus_rest, training_table
from seqlab.training.config import TrainConfig

FAST = dict(budget="tiny", threads=1, device="cpu", max_train=120, max_length=16)


def _record(name: str, width: int, seed: int, dev: float, n: int = 400, majority: float = 0.5,
            tags: dict | None = None) -> dict:
    scored = {"n": n, "accuracy": dev, "macro_f1": dev, "random_baseline": {"accuracy": 0.499, "macro_f1": 0.49},
              "majority_baseline": {"accuracy": majority, "macro_f1": 0.33}}
    return {"name": name, "tags": {**(tags or {"hidden": width}), "seed": seed}, "wall_seconds": 2.0,
            "config": {"data": "builtin-sentiment", "epochs": 1, "max_length": 32, "max_train_examples": 600},
            "result": {"parameters": 100 * width, "seconds": 1.0, "dev": scored, "test": dict(scored)}}


def test_training_table_has_baselines_test_scores_and_chance_labels():
    records = [_record("a", 8, s, v) for s, v in enumerate((0.50, 0.52, 0.49))]
    records += [_record("b", 32, s, v) for s, v in enumerate((0.85, 0.86, 0.84))]
    table = training_table("t", records, ("hidden",))
    rows = {row[0]: row for row in table.rows}
    assert table.columns[2:4] == ("dev acc %", "test acc %")
    assert rows["8"][5] == "not shown above chance" and rows["32"][5] == "above chance"
    assert rows["32"][2].startswith("85.0 ± ") and rows["32"][3].startswith("85.0 ± ")
    assert rows["majority"][2] == "50.0" and rows["random"][2] == "49.9" and rows["majority"][5] == "baseline"


def test_best_versus_rest_states_a_verdict_from_the_numbers():
    records = [_record("a", 8, s, v) for s, v in enumerate((0.50, 0.52, 0.49))]
    records += [_record("b", 32, s, v) for s, v in enumerate((0.85, 0.86, 0.84))]
    lines = best_versus_rest(records)
    assert lines[0].startswith("best mean dev accuracy: hidden 32 at 85.0 ± ") and "(above chance)" in lines[0]
    assert lines[1].startswith("hidden 32 beats hidden 8 by 34.7 ± ")


def test_axis_limits_never_zoom_noise_into_a_trend():
    low, high = honest_limits([50.7, 49.9, 50.2], {"majority baseline": 50.0})
    assert high - low >= MIN_SPAN and low <= 49.9 and high >= 50.7
    low, high = honest_limits([99.0, 100.0], {"majority baseline": 50.0})
    assert high == 100.0 and low <= 50.0


def test_plots_draw_every_seed_and_the_baselines():
    figure = line_chart({"dev accuracy": [(8.0, [50.0, 52.0]), (32.0, [49.0, 51.0])]}, "t", "hidden",
                        baselines={"majority baseline": 50.0, "random baseline": 49.9})
    ax = figure.axes[0]
    from matplotlib.collections import PathCollection

    dots = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert dots == 4 and any("majority baseline" in t for t in labels) and any("random" in t for t in labels)
    low, high = ax.get_ylim()
    assert high - low >= MIN_SPAN
    bars = bar_chart(["adam", "sgd"], {"lstm": [[80.0, 82.0], [55.0, 50.0]]}, "t",
                     baselines={"majority baseline": 50.0})
    assert sum(len(c.get_offsets()) for c in bars.axes[0].collections if isinstance(c, PathCollection)) == 4


def test_budgets_pick_sizes_and_stratify_subsets():
    sizes = Sizes(full=Budget(3, 256), quick=Budget(4, 128, 8000))
    quick = train_config(ExperimentConfig("rnn-width", data_dir="d"), sizes, "imdb", {"family": "lstm"})
    assert (quick.epochs, quick.max_length, quick.max_train_examples, quick.stratify_subset) == (4, 128, 8000, True)
    full = train_config(ExperimentConfig("rnn-width", budget="full"), sizes, "imdb", {"family": "lstm"})
    assert (full.epochs, full.max_train_examples, full.stratify_subset) == (3, None, False)
    tiny = train_config(ExperimentConfig("rnn-width", budget="tiny"), sizes, "imdb", {"family": "lstm"})
    assert (tiny.epochs, tiny.max_length, tiny.max_train_examples) == (TINY.epochs, TINY.max_length, TINY.max_train)
    assert "label-stratified" in sizes.quick.describe() and "whole training split" in sizes.full.describe()


def test_estimate_grows_with_the_work():
    base = TrainConfig(data="x", model={"family": "lstm"}, epochs=2, max_length=64)
    one = trial_seconds(base, n_train=3000, n_dev=400, words=12)
    assert trial_seconds(TrainConfig(data="x", model={"family": "lstm"}, epochs=4, max_length=64), 3000, 400, 12) > one
    bert = TrainConfig(data="x", model={"family": "bert-pretrained"}, epochs=2, max_length=64)
    assert trial_cost(bert, 3000, 400, 12).work_seconds > 10 * trial_cost(base, 3000, 400, 12).work_seconds
    assert trial_seconds(base, 3000, 400, 12, n_test=600) > one  # scoring the test split costs time too
    assert human(30) == "30 s" and human(600) == "10 min" and human(7200) == "2.0 h"


def test_the_estimate_prints_as_a_range():
    assert Estimate(500, 360, 660).text() == "about 6-11 min"
    assert Estimate(100, 40, 180).text() == "about 40 s-3 min"
    assert Estimate(9000, 7200, 16200).text() == "about 2.0-4.5 h"
    assert Estimate(30, 20, 40).on_workers(2) == Estimate(15, 10, 20)


def test_a_language_models_estimate_pays_for_its_vocabulary():
    """Next-token prediction scores every word of the vocabulary at every token: on real text (~19,000 words)
    that is most of an LM's time, and a masked LM pays it only at the masked 15%."""
    lm = TrainConfig(data="x", model={"family": "lm"}, task="lm", epochs=5, max_length=64)
    small, real = trial_seconds(lm, 1707, 300, 230, vocabulary=97), trial_seconds(lm, 1707, 300, 230, 18_741)
    head = trial_cost(lm, 1707, 300, 230, 18_741)
    assert head.head_per_token > head.body_per_token and real > 2 * small
    classifier = TrainConfig(data="x", model={"family": "lm"}, task="classify", epochs=5, max_length=64)
    assert trial_seconds(classifier, 1707, 300, 230, 18_741) == trial_seconds(classifier, 1707, 300, 230, 97)
    masked = TrainConfig(data="x", model={"family": "transformer"}, task="mlm", epochs=5, max_length=64)
    assert small < trial_seconds(masked, 1707, 300, 230, 18_741) < real


def test_vocabulary_size_counts_words_seen_often_enough():
    from seqlab.data.examples import Example

    examples = [Example("The cat sat", "1"), Example("the dog", "0", text_b="sat down")]
    assert vocabulary_size(examples) == 5
    assert vocabulary_size(examples, min_freq=2) == 2


def test_run_prints_the_estimate_and_reports_steps_inside_a_trial(runner, tmp_path, monkeypatch):
    import seqlab.experiments.runner as runner_module

    steps = []
    real = runner_module.run_trial

    def spy(*args, **kwargs):
        on_step = args[5] if len(args) > 5 else kwargs.get("on_step")

        def wrapped(epoch, epochs, step, total):
            steps.append((epoch, epochs, step, total))
            on_step(epoch, epochs, step, total)
        return real(*args[:5], wrapped)

    monkeypatch.setattr(runner_module, "run_trial", spy)
    out = tmp_path / "w"
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--seeds", "2", "--max-configs", "1",
                                 "--max-train", "120", "--max-length", "16", "--threads", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"Estimated time: about \d+( s)?-\d+ (s|min|h) for 2 trial", result.output), result.output
    assert "2 seed(s)" in result.output
    assert steps[0][2] == 0 and steps[-1][2] == steps[-1][3] and steps[-1][1] == 1
    results = json.loads((out / "results.json").read_text())
    trial = results["trials"][0]
    assert trial["versions"]["torch"] and trial["result"]["test"]["n"] > 0
    assert "estimated before starting" in results["facts"]


@pytest.mark.parametrize("recipe", ["rnn-optimizers", "bert-frozen-vs-finetune", "lm-transfer"])
def test_two_seeds_give_verdicts(recipe, tmp_path):
    result = run_experiment(ExperimentConfig(recipe, seeds=2, max_configs=1 if recipe != "lm-transfer" else None,
                                             out=str(tmp_path / recipe), **FAST))
    notes = " ".join(result.summary.notes)
    if recipe == "rnn-optimizers":  # one configuration: nothing to compare, but the best is labelled
        assert "best mean dev accuracy" in notes and "chance" in notes
    else:
        assert " beats " in notes or "no difference that these runs can show" in notes


def test_a_budget_in_a_few_words():
    assert Budget(epochs=1, max_length=32, max_train=600).brief() == "up to 600 examples, 1 epoch, 32 tokens"
    assert Budget(epochs=3, max_length=256).brief() == "all training examples, 3 epochs, 256 tokens"


def test_bars_start_at_zero_and_label_the_mean_above_every_seed():
    """A bar's length is its value, so the axis starts at 0; the label 'mean ± half-width' sits above the highest
    seed and the interval's top (not on a dot); a per-dataset majority baseline is a dashed segment over its
    group, not a bar with a 'seed'."""
    from viz.layout import assert_clean_layout  # tests/ is on sys.path (rootdir-relative packages)

    from seqlab.experiments.stats import spread

    values = {"frozen": [[25.0, 26.0, 27.0], [46.0, 52.0, 53.0]], "fine-tuned": [[42.0, 43.0, 44.0], [53.0, 54.0, 57.0]]}
    figure = bar_chart(["sst", "rte"], values, "t", group_baselines={"majority class (each dataset)": [25.3, 52.7]})
    ax = figure.axes[0]
    assert ax.get_ylim()[0] == 0.0
    labels = {t.get_text(): t for t in ax.texts}
    expected = {f"{spread(v).mean:.1f} ± {spread(v).half_width:.1f}": max(spread(v).mean + spread(v).half_width, *v)
                for per_group in values.values() for v in per_group}
    assert set(labels) == set(expected) and "50.3 ± 9.4" in labels
    assert all(labels[text].xy[1] == top for text, top in expected.items())  # above the seeds and the interval
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "majority class (each dataset)" in legend and "95% interval of the mean" in legend
    assert len(legend) == 5  # one seed, baseline, two series, the interval
    from matplotlib.collections import PathCollection

    assert sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)) == 12  # every seed
    assert_clean_layout(figure)


def test_verdicts_pair_by_seed_and_best_versus_rest_is_holm_corrected():
    """Each seed shares its training subset in both arms, so the verdict pairs by seed and says so; the best of a
    sweep against the rest is one family, decided with Holm's correction and named as such."""
    records = [_record("a", 8, s, v) for s, v in enumerate((0.60, 0.70, 0.80))]
    records += [_record("b", 16, s, v) for s, v in enumerate((0.64, 0.74, 0.84))]
    records += [_record("c", 32, s, v) for s, v in enumerate((0.85, 0.86, 0.84))]
    lines = best_versus_rest(records)
    assert "paired by seed; Holm over 2)" in lines[1] and "paired by seed; Holm over 2)" in lines[2]
    assert any("Holm's correction over the 2 comparisons" in line for line in lines)
    unseeded = [dict(r, tags={"hidden": r["tags"]["hidden"]}) for r in records]  # no seeds to pair on
    assert "unpaired, Welch" in best_versus_rest(unseeded)[1]


def test_kept_reports_say_how_each_verdict_was_computed():
    """The kept reports were re-summarized (`python bench/results_pages.py --resummarize`): every verdict names
    its method, no table calls a setting 'at chance', and the reading note states the dev-set term."""
    from pathlib import Path

    from seqlab.experiments.summary import READING_NOTE

    kept = sorted((Path(__file__).parents[2] / "bench" / "results" / "experiments").glob("*.json"))
    assert kept
    for path in kept:
        report = json.loads(path.read_text(encoding="utf-8"))
        verdicts = [n for n in report["notes"] if " beats " in n or "no difference that these runs can show" in n]
        assert verdicts and all("paired by seed" in n or "unpaired, Welch" in n for n in verdicts), path.stem
        cells = {str(c) for table in report["tables"] for row in table["rows"] for c in row}
        assert "at chance" not in cells, path.stem
        assert any(READING_NOTE in n for n in report["notes"]), path.stem


def _report_figure(recipe: str, records: list[dict], tmp_path, monkeypatch):
    """The summary of `recipe` over `records` and the first figure it saved (kept open, not written)."""
    import seqlab.experiments.recipes.rnn as rnn
    from seqlab.experiments.recipes import get_recipe

    saved = []
    monkeypatch.setattr(rnn, "save_figure", lambda figure, path: saved.append(figure))
    summary = get_recipe(recipe).summarize(ExperimentConfig(recipe, budget="tiny", seeds=3), records, tmp_path)
    return summary, saved[0]


def _plus_minus(cell: str) -> float:
    """The ± of a table cell '72.9 ± 5.6'."""
    return float(cell.split(" ± ")[1])


def _check_report_figure(summary, figure, half_widths: list[float]) -> None:
    """Error bars with the table's ± in the table's order, the majority baseline as a line, the verdict as a
    caption under the plot, dataset, budget and seeds in the title, and a clean layout (issue 30.9)."""
    from matplotlib.container import ErrorbarContainer
    from viz.layout import assert_clean_layout

    ax = figure.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer) and c.lines[2]]
    drawn = [(seg[1][1] - seg[0][1]) / 2 for c in bars for seg in c.lines[2][0].get_segments()]
    assert sorted(round(h, 1) for h in drawn) == sorted(half_widths)
    majority = [line for line in ax.lines if line.get_label().startswith("majority baseline")]
    assert majority and set(majority[0].get_ydata()) == {50.0}
    title = figure._suptitle.get_text()
    assert "builtin-sentiment" in title and "tiny budget" in title and "3 seeds each" in title
    assert "up to 600 examples, 1 epoch, 32 tokens" in title.replace("\n", " ")
    (caption,) = [t for t in ax.texts if "best mean dev accuracy" in t.get_text()]
    best = next(n for n in summary.notes if n.startswith("best mean dev accuracy"))
    assert best in " ".join(caption.get_text().split())
    assert_clean_layout(figure)
    renderer = figure.canvas.get_renderer()
    box, axes_box = caption.get_window_extent(renderer), ax.get_window_extent(renderer)
    assert box.y1 <= axes_box.y0 and box.y1 <= ax.xaxis.get_tightbbox(renderer).y0 + 1  # under the tick labels
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= axes_box.x1  # right of the plot, off every line and dot


def test_sweep_figure_carries_the_reports_interval_baseline_and_verdict(tmp_path, monkeypatch):
    records = [_record("a", 8, s, v) for s, v in enumerate((0.60, 0.64, 0.62))]
    records += [_record("b", 32, s, v) for s, v in enumerate((0.80, 0.86, 0.84))]
    summary, figure = _report_figure("rnn-width", records, tmp_path, monkeypatch)
    rows = [row for row in summary.tables[0].rows if row[0] in ("8", "32")]
    _check_report_figure(summary, figure, [_plus_minus(row[2]) for row in rows])


def test_bar_figure_carries_the_reports_interval_baseline_and_verdict(tmp_path, monkeypatch):
    records = []
    for cell, direction, scores in (("lstm", "uni", (0.60, 0.66, 0.62)), ("lstm", "bi", (0.70, 0.75, 0.71)),
                                    ("gru", "uni", (0.61, 0.63, 0.70)), ("gru", "bi", (0.72, 0.74, 0.79))):
        records += [_record(f"{cell}-{direction}", 16, s, v, tags={"cell": cell, "direction": direction})
                    for s, v in enumerate(scores)]
    summary, figure = _report_figure("rnn-bidirectional", records, tmp_path, monkeypatch)
    rows = [row for row in summary.tables[0].rows if row[1] in ("uni", "bi")]
    _check_report_figure(summary, figure, [_plus_minus(row[3]) for row in rows])
    caption = " ".join(t.get_text() for t in figure.axes[0].texts)
    assert "bidirectional lstm" in caption  # the per-cell verdicts too


def test_bert_figure_has_both_baselines_per_dataset_and_the_verdict(tmp_path, monkeypatch):
    import seqlab.experiments.recipes.bert as bert
    from viz.layout import assert_clean_layout

    records = [_record(f"builtin-sentiment-{mode}", 16, s, v, tags={"dataset": "builtin-sentiment", "mode": mode})
               for mode, scores in (("frozen", (0.55, 0.58, 0.52)), ("finetune", (0.80, 0.84, 0.83)))
               for s, v in enumerate(scores)]
    saved = []
    monkeypatch.setattr(bert, "save_figure", lambda figure, path: saved.append(figure))
    monkeypatch.setattr(bert, "save_confusions", lambda records, out: [])  # these records keep no matrices
    summary = bert.summarize_bert(ExperimentConfig("bert-frozen-vs-finetune", budget="tiny", seeds=3), records,
                                  tmp_path)
    ax = saved[0].axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "majority class (each dataset)" in legend and "random guess (each dataset)" in legend
    verdict = next(n for n in summary.notes if "fine-tuned beats" in n)
    assert any(verdict in " ".join(t.get_text().split()) for t in ax.texts)
    assert "tiny budget" in saved[0]._suptitle.get_text()
    assert_clean_layout(saved[0])


def test_pareto_axis_reads_as_numbers():
    """Math text is off in every figure (labels are drawn literally), so the log axis formats its own ticks:
    '10,000', never '$\\mathdefault{10^{4}}$'."""
    from seqlab.experiments.plots import pareto_chart

    figure = pareto_chart([(1e3, 60.0), (1e4, 70.0), (1e5, 72.0)], ["a", "b", "c"], [0, 1, 2], "t")
    figure.canvas.draw()
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels() + figure.axes[0].get_xticklabels(minor=True)]
    assert "10,000" in labels and not any("$" in label or "mathdefault" in label for label in labels)


def test_every_epoch_curves_figure_names_dataset_budget_and_seeds(tmp_path, monkeypatch):
    import seqlab.experiments.recipes.common as common
    from seqlab.experiments.recipes import get_recipe

    saved = []
    monkeypatch.setattr(common, "save_figure", lambda figure, path: saved.append((figure, path.name)))
    records = [_record(f"h{width}-s{seed}", width, seed, 0.6 + 0.01 * seed) for width in (8, 32) for seed in range(3)]
    for record in records:
        record["result"]["curve"] = [{"epoch": 1, "accuracy": 0.6}]
    get_recipe("rnn-width").summarize(ExperimentConfig("rnn-width", budget="tiny", seeds=3), records, tmp_path)
    (figure,) = [figure for figure, name in saved if name == "curves.png"]
    title = " ".join(figure._suptitle.get_text().split()) if figure._suptitle else figure.axes[0].get_title()
    title = " ".join(title.split())
    assert "dev accuracy per epoch" in title and "builtin-sentiment" in title and "tiny budget" in title
    assert "3 seeds each" in title
