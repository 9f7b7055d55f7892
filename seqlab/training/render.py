"""Rich tables for people: a training result, a split's metrics, a prediction, the list of runs, runs compared."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seqlab.console import safe_text
from seqlab.io import RUN_STAMP
from seqlab.training.runs import RunSummary

if TYPE_CHECKING:  # types only: the runs table (`seqlab runs`) must not load torch or scikit-learn
    from seqlab.training.fill_mask import FillMaskResult
    from seqlab.training.generation import Generation
    from seqlab.training.inference import FilePredictions, Prediction
    from seqlab.training.verdict import Verdict  # scipy
    from seqlab.training.metrics import Metrics
    from seqlab.training.trainer import TrainResult

BAR_WIDTH = 30


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


PAIR_ACCURACY = {"nsp_accuracy": "dev next-sentence accuracy", "sop_accuracy": "dev sentence-order accuracy"}


def result_table(result: TrainResult) -> Table:
    """The end-of-training summary: dev scores against baselines, best epoch, where the run is."""
    table = Table(title="training result", show_header=False, title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")  # the run path must stay whole to be copied
    if result.dev is not None:
        dev = result.dev
        table.add_row("dev accuracy", f"[bold green]{_pct(dev.accuracy)}[/]  (n={dev.n})")
        table.add_row("dev macro-F1", f"{dev.macro_f1:.3f}")
        if dev.per_class:
            table.add_row("dev recall per class", recall_line(dev))
        table.add_row("random baseline", f"{_pct(dev.random_baseline.accuracy)} acc, {dev.random_baseline.macro_f1:.3f} F1")
        table.add_row("majority baseline", f"{_pct(dev.majority_baseline.accuracy)} acc, {dev.majority_baseline.macro_f1:.3f} F1")
    else:
        for key, value in result.dev_record.items():
            if result.task == "mlm" and key == "accuracy":  # top-1 at the chosen (masked) positions
                table.add_row("dev masked-token accuracy", f"[bold green]{_pct(value)}[/]")
            elif key in PAIR_ACCURACY:  # NSP / SOP: half the dev pairs are real, so 50% is chance
                table.add_row(PAIR_ACCURACY[key], f"[bold]{_pct(value)}[/]  (chance 50%)")
            else:
                table.add_row(f"dev {key}", f"{value:.4f}")
    if result.test is not None:  # apart from dev: dev chose the epoch, the test file had no say
        test = result.test
        table.add_section()
        table.add_row("test accuracy", f"[bold]{_pct(test.accuracy)}[/]  (n={test.n}; your --test file, scored "
                      "once, with the best epoch's weights)")
        table.add_row("test macro-F1", f"{test.macro_f1:.3f}")
        table.add_row("test majority", f"{_pct(test.majority_baseline.accuracy)} acc, "
                      f"{test.majority_baseline.macro_f1:.3f} F1")
        table.add_section()
    stop = " (stopped early)" if result.stopped_early else ""
    table.add_row("best epoch", f"{result.best_epoch} of {result.epochs_run}{stop}")
    table.add_row("parameters", f"{result.parameters:,}")
    table.add_row("time", f"{result.seconds:.1f} s on {result.device}" + _per_epoch(result.epoch_seconds))
    epochs = len(result.epoch_seconds)
    table.add_row("training rate", f"{result.samples_per_second:,.0f} {result.rate_unit}/s" + (
        f", [dim]mean of {epochs} epoch{'s' if epochs > 1 else ''}; dev passes not timed[/]" if epochs else ""))
    table.add_row("run", escape(str(result.run_dir)))
    return table


def recall_line(metrics: Metrics) -> Text:
    """'neg 52% · pos 61%': each class's recall on the split, a class the model never predicts in red and named
    again at the end, so that it shows at once."""
    line = Text()
    for index, score in enumerate(metrics.per_class):
        if index:
            line.append(" · ", style="dim")
        line.append(f"{safe_text(score.label, 40)} {_pct(score.recall)}", style="bold red" if score.support and not score.recall else "")
    missed = [safe_text(score.label, 40) for score in metrics.per_class if score.support and not score.recall]
    if missed:
        line.append(f"\nnever predicted right: {', '.join(missed)} (recall 0; try more epochs or data)", style="red")
    return line


def verdict_line(verdict: Verdict) -> Text:
    """`seqlab train`'s verdict line: how far above chance the best dev accuracy is (green when well above)."""
    return Text("verdict: ") + Text(verdict.line, style="green" if verdict.level == "well above chance" else "yellow")


def hint_line(hint: str) -> Text:
    """A training hint under the result (e.g. try --schedule constant)."""
    return Text("hint: ", style="yellow") + Text(hint)


def _per_epoch(seconds: tuple[float, ...]) -> str:
    """", 12.1 s per epoch" (the mean, with the range when epochs differ by more than a tenth of a second)."""
    if not seconds:
        return ""
    mean = sum(seconds) / len(seconds)
    spread = f" ({min(seconds):.1f}-{max(seconds):.1f})" if max(seconds) - min(seconds) >= 0.1 else ""
    return f", {mean:.1f} s per epoch{spread}"


def metrics_view(metrics: Metrics) -> RenderableType:
    """Scores, per-class table and confusion matrix of one split."""
    what = f"{metrics.split} split" if metrics.split in ("train", "dev", "test") else escape(metrics.split)
    summary = Table(title=f"{what} ({metrics.n:,} examples)", show_header=False, title_justify="left")
    summary.add_column("what", style="bold")
    summary.add_column("value")
    summary.add_row("accuracy", f"[bold green]{_pct(metrics.accuracy)}[/]")
    summary.add_row("macro-F1", f"{metrics.macro_f1:.3f}")
    if metrics.loss is not None:
        summary.add_row("loss", f"{metrics.loss:.4f}")
    summary.add_row("random baseline", f"{_pct(metrics.random_baseline.accuracy)} acc, {metrics.random_baseline.macro_f1:.3f} F1")
    summary.add_row("majority baseline", f"{_pct(metrics.majority_baseline.accuracy)} acc, {metrics.majority_baseline.macro_f1:.3f} F1")

    per_class = Table(title="per class", title_justify="left")
    for column in ("class", "precision", "recall", "F1", "support"):
        per_class.add_column(column, justify="left" if column == "class" else "right")
    for score in metrics.per_class:
        per_class.add_row(escape(score.label), f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.support))

    confusion = Table(title="confusion matrix (rows: gold, columns: predicted)", title_justify="left")
    confusion.add_column("gold \\ predicted", style="bold")
    for label in metrics.labels:
        confusion.add_column(escape(label), justify="right")
    for i, (label, row) in enumerate(zip(metrics.labels, metrics.confusion)):
        cells = [f"[bold]{v}[/]" if i == j else str(v) for j, v in enumerate(row)]  # the diagonal is correct
        confusion.add_row(escape(label), *cells)
    return Group(summary, per_class, confusion)


def prediction_table(prediction: Prediction) -> Table:
    """Class probabilities as bars, the predicted class first."""
    table = Table(title=f"prediction: [bold green]{escape(prediction.label)}[/]", title_justify="left")
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    for label, probability in sorted(prediction.probabilities.items(), key=lambda kv: -kv[1]):
        bar = "█" * round(probability * BAR_WIDTH)
        style = "green" if label == prediction.label else "dim"
        table.add_row(escape(label), f"{probability:.3f}", f"[{style}]{bar}[/]")
    return table


def prediction_view(prediction: Prediction) -> RenderableType:
    """The prediction table, then how many of the text's tokens the run did not know (a warning when most)."""
    if prediction.warning:
        note = Text.assemble(("warning: ", "yellow"), safe_text(prediction.warning))
    else:
        note = Text(f"{prediction.unknown_words} of {prediction.words} token{'s' if prediction.words != 1 else ''} "
                    "unknown to the run's vocabulary", style="dim")
    return Group(prediction_table(prediction), note)


def fill_mask_view(result: FillMaskResult) -> RenderableType:
    """The sentence with each blank filled by its best guess, then one table of candidates per [MASK]."""
    parts: list[RenderableType] = [f"[bold]filled:[/] {escape(result.filled)}"]
    for number, slot in enumerate(result.slots, start=1):
        table = Table(title=f"[MASK] {number} (position #{slot.position} of #0-#{len(result.tokens) - 1})",
                      title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("token")
        table.add_column("probability", justify="right")
        table.add_column("")
        for rank, filler in enumerate(slot.fillers, start=1):
            bar = "█" * round(filler.probability * BAR_WIDTH)
            style = "green" if rank == 1 else "dim"
            table.add_row(str(rank), escape(filler.token), f"{filler.probability:.3f}", f"[{style}]{bar}[/]")
        parts.append(table)
    return Group(*parts)


def short_run_names(names: Sequence[str]) -> list[str]:
    """Run folder names without their creation stamp (`tour-lstm-20261128-184250` -> `tour-lstm`), to fit
    narrow terminals; a name whose prefix other runs share keeps its time (`tour-lstm …184250`), and a
    name that is still ambiguous, or has no stamp, stays whole."""
    parts = [RUN_STAMP.match(name) for name in names]
    prefixes = [match["prefix"] if match else name for match, name in zip(parts, names)]
    shortened = []
    for name, match, prefix in zip(names, parts, prefixes):
        if match is None or match["repeat"]:
            shortened.append(name)
        elif prefixes.count(prefix) == 1:
            shortened.append(prefix)
        else:
            with_time = f"{prefix} …{match['time']}"
            clashes = sum(1 for other, m in zip(names, parts) if m and m["prefix"] == prefix
                          and m["time"] == match["time"])
            shortened.append(with_time if clashes == 1 else name)
    return shortened


def runs_table(runs: Sequence[RunSummary], root: str | None = None) -> Table:
    """One row per run: its folder name whole (it ends in its creation stamp, and can be pasted after the runs
    folder into evaluate, predict or attention), its best dev score ("unfinished" under it for a run that did
    not train all its epochs) and what it trained ("lstm on builtin-sentiment", last, wrapping between words so
    the table fits 80 columns); a "created" column only when some name has no stamp; a damaged run says so.
    `root` is the runs folder as the caption names it."""
    where = f"{root}/" if root else "the runs folder/"
    table = Table(title=f"{len(runs)} run(s)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True,
                  caption=f"run: the folder name, ending -YYYYmmdd-HHMMSS (when it was made); pass "
                          f"{where}RUN to seqlab evaluate, predict or attention",
                  caption_justify="left")
    stamped = all(RUN_STAMP.match(run.path.name) for run in runs)
    trained = [f"{run.family}{f' ({run.task.upper()})' if run.task in ('lm', 'mlm') else ''} on "
               f"{safe_text(run.dataset, 40)}" for run in runs]
    table.add_column("run", no_wrap=True, overflow="fold")  # whole, so it can be copied
    if not stamped:
        table.add_column("created", no_wrap=True)
    table.add_column("best dev", min_width=8, max_width=10)  # "unfinished" wraps under the score
    table.add_column("trained", overflow="fold", min_width=8)  # last, wrapping: the table never crops
    for run, what in zip(runs, trained):
        created = [] if stamped else [run.created[5:]]  # without the year
        name = escape(safe_text(run.path.name))
        if run.damaged is not None:
            table.add_row(name, *created, "-", "[red]damaged[/]")
            continue
        if run.best_dev is None:
            best = "-"
        elif run.metric == "accuracy":
            best = _pct(run.best_dev)
        else:
            best = f"ppl {run.best_dev:.1f}"
        if not run.finished:
            best += " [yellow]unfinished[/]"
        table.add_row(name, *created, best, escape(what))
    return table


def _cell(value: object) -> str:
    """A number of the compare table: 4 decimals for floats, '-' when the run has none."""
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def final_numbers_table(rows: Sequence[dict[str, Any]]) -> Table:
    """`seqlab compare`'s table: one column per run (RunCurves.final_metrics rows), one row per number.

    Runs are columns, not rows, so the handful of runs one compares fits a narrow terminal.
    """
    columns = [key for key in dict.fromkeys(key for row in rows for key in row) if key not in ("family", "dataset")]
    table = Table(title="final numbers (last epoch; best dev over all epochs)", title_justify="left",
                  caption="columns: run folder names without their -YYYYmmdd-HHMMSS stamp", caption_justify="left")
    table.add_column("", no_wrap=True)
    for name in short_run_names([str(row["run"]) for row in rows]):
        table.add_column(Text(safe_text(name)), justify="right", overflow="fold")
    table.add_row("model on data", *(Text(safe_text(f"{row['family']} on {row['dataset']}")) for row in rows))
    for column in columns[1:]:
        header = column.replace("_", " ").replace("accuracy", "acc").replace("perplexity", "ppl")
        table.add_row(header.replace("macro f1", "F1"), *(_cell(row.get(column)) for row in rows))
    return table


def file_predictions_table(predictions: FilePredictions, file_name: str, shown: int, width: int) -> Table:
    """The first `shown` rows of a file's predictions: text (cut to fit `width` columns), label, probability."""
    table = Table(title=f"{escape(file_name)}: {len(predictions.rows):,} rows classified", title_justify="left")
    table.add_column("text", overflow="ellipsis", no_wrap=True, max_width=max(20, width - 32))
    table.add_column("predicted", no_wrap=True, min_width=9, overflow="fold")
    table.add_column("probability", justify="right", no_wrap=True, min_width=11)
    for text, label, probability in predictions.rows[:shown]:
        table.add_row(escape(text), escape(label), f"{probability:.3f}")
    return table


def dev_results_table(title: str, results: Sequence[tuple[str, TrainResult]]) -> Table:
    """Trained classifiers side by side on the dev split: parameters, accuracy, macro-F1, the two baselines
    and the best epoch (the tour's train step)."""
    table = Table(title=title, title_justify="left")
    for column in ("model", "params", "dev acc", "macro-F1", "random/majority", "best epoch"):
        table.add_column(column, justify="left" if column == "model" else "right", no_wrap=True)
    for name, result in results:
        dev = result.dev
        if dev is None:
            raise ValueError(f"{name}: a classification run ended without dev metrics")
        table.add_row(name, f"{result.parameters:,}", f"[bold green]{dev.accuracy:.1%}[/]", f"{dev.macro_f1:.3f}",
                      f"{dev.random_baseline.accuracy:.1%}/{dev.majority_baseline.accuracy:.1%}",
                      str(result.best_epoch))
    return table


def _settings_line(generation: Generation) -> str:
    """How the tokens were chosen, in words."""
    c = generation.config
    if c.temperature == 0:
        return "greedy (temperature 0): every step writes the most likely token"
    parts = [f"temperature {c.temperature:g}"]
    if c.top_k:
        parts.append(f"top-k {c.top_k}")
    if c.top_p < 1:
        parts.append(f"top-p {c.top_p:g}")
    return f"sampling: {', '.join(parts)}, seed {c.seed} (same seed, same text)"


def _drawn(probability: float, tempered: float) -> str:
    """A drawn probability, or 'cut' for a token top-k or top-p took out of the draw."""
    return "cut" if probability == 0 and tempered > 0 else f"{probability:.3f}"


def generation_view(generation: Generation, show_probs: bool = False) -> RenderableType:
    """The prompt and what the LM wrote after it, how it chose, why it stopped; with `show_probs`, each step's
    top candidates under the model (t = 1), under the temperature alone, and as drawn (after top-k/top-p)."""
    text = Text()
    text.append("wrote: ", style="bold")
    prompt_part = generation.text[: len(generation.text) - len(generation.continuation)].rstrip()
    if generation.continuation and generation.text.endswith(generation.continuation):
        text.append(safe_text(prompt_part))
        text.append(" ")
        text.append(safe_text(generation.continuation), style="bold green")
    else:
        text.append(safe_text(generation.text))
    parts: list[RenderableType] = [text, Text(_settings_line(generation), style="dim"),
                                   Text(generation.note, style="dim")]
    if show_probs and generation.steps:
        t = generation.config.temperature
        table = Table(title="next-token candidates at each step (✓ = written)", title_justify="left",
                      box=box.SIMPLE_HEAD)
        table.add_column("step", justify="right")
        table.add_column("token")
        table.add_column("p at t=1", justify="right")
        tempered = t != 1  # a column of its own only when the temperature changes anything
        if tempered:
            table.add_column(f"p at t={t:g}", justify="right")
        table.add_column("p drawn", justify="right")
        table.add_column("")
        for number, step in enumerate(generation.steps, start=1):
            if number > 1:
                table.add_section()
            for rank, candidate in enumerate(step.candidates):
                chosen = candidate.token == step.token
                bar = "█" * round(candidate.probability * BAR_WIDTH)
                table.add_row(str(number) if rank == 0 else "",
                              Text(safe_text(candidate.token), style="bold green" if chosen else ""),
                              f"{candidate.model_probability:.3f}",
                              *([f"{candidate.tempered_probability:.3f}"] if tempered else []),
                              _drawn(candidate.probability, candidate.tempered_probability),
                              f"[green]{bar}[/] ✓" if chosen else f"[dim]{bar}[/]")
            if step.token not in {c.token for c in step.candidates}:
                table.add_row("", Text(safe_text(step.token), style="bold green"), f"{step.model_probability:.3f}",
                              *([f"{step.tempered_probability:.3f}"] if tempered else []), f"{step.probability:.3f}",
                              "✓ (below the top)")
        parts.append(table)
        parts.append(Text("t < 1 moves probability onto the likeliest tokens and t > 1 spreads it out; top-k keeps "
                          "the k likeliest, top-p the fewest whose probabilities reach p; the rest get 0.",
                          style="dim"))
    return Group(*parts)
