"""Reading trial records: group seeds of one configuration, score spreads, baselines, chance labels, verdicts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from seqlab.experiments.recipe import ResultTable
from seqlab.experiments.stats import Comparison, above_chance, compare, holm_decided, spread


def config_tags(record: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The tags of a trial without its seed: what makes it a configuration rather than one repetition."""
    return tuple((k, v) for k, v in record["tags"].items() if k != "seed")


def group_seeds(records: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """[(tags without seed, the records of every seed of that configuration)], in first-seen order."""
    groups: dict[tuple[tuple[str, Any], ...], list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(config_tags(record), []).append(record)
    return [(dict(tags), items) for tags, items in groups.items()]


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if not values:
        return float("nan"), 0.0
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def fmt_spread(values: Sequence[float], percent: bool = True) -> str:
    """'84.2 ± 1.3' (percent; ± is the 95% interval of the mean over seeds) or '0.842 ± 0.013'; '-' when empty."""
    if not values:
        return "-"
    s = spread(values)
    if percent:
        return s.points()
    return f"{s.mean:.3f}" if s.n <= 1 else f"{s.mean:.3f} ± {s.half_width:.3f}"


def scores(records: Sequence[dict[str, Any]], split: str = "dev", metric: str = "accuracy") -> list[float]:
    """The `metric` (accuracy, macro_f1) of each record's best weights on `split` (dev, test), where scored."""
    return [float(r["result"][split][metric]) for r in records if r["result"].get(split)]


def dev_scores(records: Sequence[dict[str, Any]], metric: str = "accuracy") -> list[float]:
    """The dev `metric` of each record's best weights."""
    return scores(records, "dev", metric)


@dataclass(frozen=True)
class Baselines:
    """What guessing scores on one split: `n` examples, random-guess and majority-class accuracy (fractions)."""

    split: str
    n: int
    random: float
    majority: float


def baselines(records: Sequence[dict[str, Any]], split: str = "dev") -> Baselines | None:
    """The random and majority baselines of the split the records were scored on (None when none was)."""
    for record in records:
        scored = record["result"].get(split)
        if scored:
            return Baselines(split, int(scored["n"]), float(scored["random_baseline"]["accuracy"]),
                             float(scored["majority_baseline"]["accuracy"]))
    return None


ABOVE_CHANCE = "above chance"
NOT_SHOWN_ABOVE_CHANCE = "not shown above chance"


def chance_label(values: Sequence[float], base: Baselines | None) -> str:
    """'above chance' when a one-sided binomial test on the dev set (and, with 2+ seeds, a one-sided t-test over
    the seeds) shows `values` above always answering the majority class, else 'not shown above chance' (which
    is not a claim that the setting is at chance: a small dev set shows little)."""
    if not values or base is None:
        return "-"
    return ABOVE_CHANCE if above_chance(values, base.majority, base.n) else NOT_SHOWN_ABOVE_CHANCE


def score_cells(items: Sequence[dict[str, Any]], base: Baselines | None) -> tuple[str, str, str, str]:
    """The cells of one configuration's row: dev and test accuracy % (mean ± 95% interval over seeds), mean dev
    macro-F1, and whether it is shown above chance against `base`."""
    return (fmt_spread(dev_scores(items)), fmt_spread(scores(items, "test")),
            f"{spread(dev_scores(items, 'macro_f1')).mean:.3f}", chance_label(dev_scores(items), base))


def baseline_rows(records: Sequence[dict[str, Any]], lead: Sequence[str] = (), gap: Sequence[str] = (),
                  trail: Sequence[str] = ()) -> list[tuple[str, ...]]:
    """A row each for the random and majority baselines of the records' splits, shaped like a table's other rows:
    (*lead, "random", *gap, dev %, test % or "-", "-" (no F1), "baseline", *trail); none when dev was not scored."""
    dev, test = baselines(records, "dev"), baselines(records, "test")
    if dev is None:
        return []
    return [(*lead, name, *gap, f"{100 * getattr(dev, name):.1f}",
             f"{100 * getattr(test, name):.1f}" if test else "-", "-", "baseline", *trail)
            for name in ("random", "majority")]


def training_table(title: str, records: Sequence[dict[str, Any]], tag_columns: Sequence[str]) -> ResultTable:
    """One row per configuration: its tags, parameters, dev and test accuracy (mean ± 95% interval over seeds),
    mean dev macro-F1, whether it is shown above chance and wall time (seeds per setting in the title); then a row
    each for the random and majority baselines."""
    dev_base = baselines(records, "dev")
    rows = []
    for tags, items in group_seeds(records):
        rows.append((
            *(str(tags.get(column, "")) for column in tag_columns),
            f"{items[0]['result']['parameters']:,}",
            *score_cells(items, dev_base),
            f"{trial_seconds(items):.0f}",
        ))
    pad = ("",) * max(len(tag_columns) - 1, 0)
    rows += baseline_rows(records, gap=(*pad, "-"), trail=("-",))
    columns = (*tag_columns, "params", "dev acc %", "test acc %", "dev F1", "vs majority", "s/trial")
    return ResultTable(f"{title} ({seeds_phrase(records)})", tuple(columns), tuple(rows))


def seeds_phrase(records: Sequence[dict[str, Any]]) -> str:
    """'3 seeds each' (or '1-3 seeds' when configurations differ)."""
    counts = sorted({len(items) for _, items in group_seeds(records)})
    if not counts:
        return "no trials"
    text = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{text} seed{'s' if counts[-1] > 1 else ''} each"


def trial_seconds(items: Sequence[dict[str, Any]]) -> float:
    """Mean wall seconds of one trial (training, scoring and saving) over the seeds."""
    return statistics.fmean(float(r.get("wall_seconds", r["result"].get("seconds", 0.0))) for r in items)


def baseline_row_note(records: Sequence[dict[str, Any]]) -> str:
    """Sentences on the baselines, how to read ±, what 'above chance' needs, and how verdicts are computed."""
    dev, test = baselines(records, "dev"), baselines(records, "test")
    if dev is None:
        return ""
    text = (f"Baselines on dev ({dev.n} examples): random guessing {100 * dev.random:.1f}%, always the majority "
            f"class {100 * dev.majority:.1f}%")
    if test is not None:
        text += f"; on test ({test.n}): {100 * test.random:.1f}% and {100 * test.majority:.1f}%"
    return (text + ". " + READING_NOTE)


READING_NOTE = (
    "± is the 95% interval of the mean over seeds (not the spread of one run). 'above chance' needs a one-sided "
    "binomial test on the dev set against the majority rate and a one-sided t-test over the seeds, each at 5%; "
    "'not shown above chance' is not a claim of being at chance. Verdicts give the 95% interval of the "
    "difference, paired by seed when both settings ran the same seeds (a seed fixes the training subset and "
    "order), else unpaired (Welch); the dev set's sampling term is each setting's p(1-p)/n, not divided by the "
    "number of seeds (every seed is scored on the same examples), an upper bound on the paired by-example term "
    "when both settings find the same examples hard. A verdict that names no winner is not a tie: these runs "
    "cannot separate the two, by less than the ± given.")


def label(tags: dict[str, Any]) -> str:
    """'cell lstm, optimizer adam': a configuration named by its tags."""
    return ", ".join(f"{k} {v}" for k, v in tags.items())


def dev_seeds(records: Sequence[dict[str, Any]]) -> list[Any]:
    """The seed of each record that has a dev score, in the order of `dev_scores` (None where untagged)."""
    return [r["tags"].get("seed") for r in records if r["result"].get("dev")]


def compare_groups(a: tuple[dict[str, Any], list[dict[str, Any]]], b: tuple[dict[str, Any], list[dict[str, Any]]],
                   name_a: str | None = None, name_b: str | None = None) -> Comparison:
    """The verdict on two configurations' dev accuracy over seeds, paired by seed when both ran the same seeds
    (with the dev set's sampling noise)."""
    base = baselines(a[1] + b[1])
    return compare(name_a or label(a[0]), dev_scores(a[1]), name_b or label(b[0]), dev_scores(b[1]),
                   n_examples=base.n if base else None, seeds_a=dev_seeds(a[1]), seeds_b=dev_seeds(b[1]))


def best_versus_rest(records: Sequence[dict[str, Any]], limit: int = 6) -> list[str]:
    """Verdicts of the configuration with the best mean dev accuracy against each other one (the closest first),
    decided by Holm's correction over all of those comparisons, plus whether the best is shown above chance: the
    sentences a sweep's reader needs. The best was picked by these same scores, which the correction does not
    undo: the lines say so."""
    groups = [g for g in group_seeds(records) if dev_scores(g[1])]
    if not groups:
        return []
    groups.sort(key=lambda g: -spread(dev_scores(g[1])).mean)
    best = groups[0]
    lines = [f"best mean dev accuracy: {label(best[0])} at {fmt_spread(dev_scores(best[1]))}% "
             f"({chance_label(dev_scores(best[1]), baselines(records))})"]
    verdicts = holm_decided([compare_groups(best, other) for other in groups[1:]])
    if limit and verdicts:
        lines += [v.verdict for v in verdicts[:limit]]
        if len(verdicts) > 1:
            lines.append(f"best against each of the other {len(verdicts)}: decided with Holm's correction over the "
                         f"{len(verdicts)} comparisons; the best was picked by these same dev scores, so its lead "
                         "is an optimistic reading")
    if limit and len(groups) > limit + 1:
        lines.append(f"({len(groups) - limit - 1} more configuration(s) not compared here; see the table)")
    return lines


def mean_curve(items: list[dict[str, Any]], metric: str) -> list[tuple[int, float]]:
    """The per-epoch mean of `metric` over the seeds of trial records (their result curves)."""
    by_epoch: dict[int, list[float]] = {}
    for record in items:
        for point in record["result"].get("curve", []):
            if metric in point:
                by_epoch.setdefault(int(point["epoch"]), []).append(float(point[metric]))
    return [(epoch, sum(v) / len(v)) for epoch, v in sorted(by_epoch.items())]
