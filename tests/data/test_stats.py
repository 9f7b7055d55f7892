"""Dataset statistics: counts, labels, percentiles and histogram bins."""

from __future__ import annotations

from seqlab.data.examples import Example, Splits
from seqlab.data.stats import dataset_stats, histogram, percentile


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert [percentile(values, q) for q in (50, 90, 99, 100)] == [50, 90, 99, 100]
    assert percentile([], 50) == 0 and percentile([7], 95) == 7


def test_histogram_bins_cover_all_values():
    values = [1, 2, 2, 3, 10, 20]
    bins = histogram(values, bins=4)
    assert sum(count for _, _, count in bins) == len(values)
    assert bins[0][0] == 1 and bins[-1][1] >= 20


def test_dataset_stats_counts_labels_and_pairs():
    splits = Splits("toy", ("a", "b"), (Example("one two", "a"), Example("one", "b", "two three")), (),
                    (Example("x y z", "a"),), is_pair=True)
    train, test = dataset_stats(splits)
    assert (train.split, train.count, train.labels, train.max_length) == ("train", 2, {"a": 1, "b": 1}, 3)
    assert test.mean_length == 3.0 and test.percentiles["p50"] == 3


def test_long_tail_goes_into_one_last_bin():
    values = list(range(1, 101)) + [10_000]
    bins = histogram(values, bins=5, upper=percentile(values, 99))
    assert bins[-1] == (101, 10_000, 1)
    assert sum(count for _, _, count in bins) == len(values)
    assert bins[0] == (1, 20, 20)


def test_stats_table_never_splits_a_label_count_pair_at_80_columns():
    from rich.console import Console

    from seqlab.data.render import stats_table

    labels = ("entailment", "not_entailment", "neutral")
    train = tuple(Example(f"text {i}", labels[i % 3]) for i in range(3000))
    dev = tuple(Example(f"text {i}", labels[i % 3]) for i in range(400))
    splits = Splits("toy", labels, train, dev, ())
    console = Console(width=80, record=True, force_terminal=False)
    console.print(stats_table("toy", dataset_stats(splits), 3, False))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80, text
    for split in dataset_stats(splits):
        for label, count in split.labels.items():
            assert any(f"{label}: {count:,}" in line for line in text.splitlines()), (label, count, text)
