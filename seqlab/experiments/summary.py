"""Reading trial records: group seeds of one configuration, mean and standard deviation, table cells."""

from __future__ import annotations

import statistics
from typing import Any, Iterable, Sequence

from seqlab.experiments.recipe import ResultTable


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


def fmt_mean_sd(values: Sequence[float], percent: bool = True, digits: int = 1) -> str:
    """'84.2 ± 1.3' (percent) or '0.842 ± 0.013'; just the mean when there is one value."""
    mean, sd = mean_sd(values)
    scale, digits = (100.0, digits) if percent else (1.0, digits + 2)
    if len(values) <= 1:
        return f"{mean * scale:.{digits}f}"
    return f"{mean * scale:.{digits}f} ± {sd * scale:.{digits}f}"


def dev_scores(records: Sequence[dict[str, Any]], metric: str = "accuracy") -> list[float]:
    """The dev `metric` (accuracy, macro_f1) of each record's best weights."""
    return [float(r["result"]["dev"][metric]) for r in records if "dev" in r["result"]]


def training_table(title: str, records: Sequence[dict[str, Any]], tag_columns: Sequence[str]) -> ResultTable:
    """One row per configuration: its tags, parameters, dev accuracy and macro-F1 (mean ± sd over seeds), time."""
    rows = []
    for tags, items in group_seeds(records):
        first = items[0]["result"]
        rows.append((
            *(str(tags.get(column, "")) for column in tag_columns),
            f"{first['parameters']:,}",
            fmt_mean_sd(dev_scores(items)),
            fmt_mean_sd(dev_scores(items, "macro_f1"), percent=False),
            str(len(items)),
            f"{statistics.fmean(r['result']['seconds'] for r in items):.1f}",
        ))
    columns = (*tag_columns, "parameters", "dev accuracy %", "dev macro-F1", "seeds", "seconds / trial")
    return ResultTable(title, tuple(columns), tuple(rows))


def baseline_row_note(records: Sequence[dict[str, Any]]) -> str:
    """A sentence with the random and majority baselines of the dev split the records were scored on."""
    for record in records:
        dev = record["result"].get("dev")
        if dev:
            return (f"Baselines on the same dev split ({dev['n']} examples): random guessing "
                    f"{100 * dev['random_baseline']['accuracy']:.1f}% accuracy, always the majority class "
                    f"{100 * dev['majority_baseline']['accuracy']:.1f}%.")
    return ""
