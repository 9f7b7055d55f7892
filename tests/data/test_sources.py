"""Your own files: columns by name or number, headerless LABEL<TAB>TEXT, dev/test files, display names, fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqlab.data.examples import Example
from seqlab.data.readers import TableColumns, read_table
from seqlab.data.sources import (
    ColumnChoice,
    DataSource,
    changed_files,
    display_name,
    file_sha256,
    load_files,
    looks_like_label_tsv,
    read_labelled_file,
)
from seqlab.errors import SeqlabError


def _label_tsv(path: Path, n: int, labels=("neg", "pos")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{labels[i % len(labels)]}\tsentence number {i}\n" for i in range(n)), encoding="utf-8")
    return path


@pytest.mark.parametrize("path, name", [
    ("trec/train.tsv", "trec"), ("sst/sst-train.tsv", "sst"), ("data/imdb_test.csv", "imdb"),
    ("reviews.jsonl", "reviews"), ("x/dev.tsv", "x"),
])
def test_display_name_comes_from_the_folder_and_file(path, name):
    assert display_name(path) == name


def test_columns_by_number_and_name_with_and_without_header(tmp_path):
    headed = tmp_path / "h.tsv"
    headed.write_text("id\tq\ttag\n1\twhat is it\tA\n2\twho is he\tB\n", encoding="utf-8")
    by_name = read_table(headed, TableColumns("q", "tag"))
    assert by_name == read_table(headed, TableColumns("1", "2")) == [Example("what is it", "A"), Example("who is he", "B")]
    bare = tmp_path / "b.tsv"
    bare.write_text("1\twhat is it\tA\n2\twho is he\tB\n", encoding="utf-8")
    assert read_table(bare, TableColumns("1", "2", header=False)) == by_name  # the first row is data
    with pytest.raises(SeqlabError, match=r"b.tsv:1: label column 3 does not exist: the rows have 3 columns \(0 to 2\)"):
        read_table(bare, TableColumns("1", "3", header=False))
    with pytest.raises(SeqlabError, match="read without a header .* pass --text-column N"):
        read_table(bare, TableColumns("q", "2", header=False))
    with pytest.raises(SeqlabError, match="no text column 'text' in the header .* needs --no-header"):
        read_table(headed)


def test_headerless_label_tsv_is_recognised_but_a_header_is_not_mistaken_for_data(tmp_path):
    bare = _label_tsv(tmp_path / "bare.tsv", 6)
    assert looks_like_label_tsv(bare)
    headed = tmp_path / "headed.tsv"
    headed.write_text("sentiment\treview\nneg\tbad\npos\tgood\nneg\tawful\n", encoding="utf-8")
    assert not looks_like_label_tsv(headed)  # 'sentiment' never recurs: it is a header word
    named = tmp_path / "named.tsv"
    named.write_text("label\ttext\nneg\tbad\nneg\tawful\n", encoding="utf-8")
    assert not looks_like_label_tsv(named)
    three = tmp_path / "three.tsv"
    three.write_text("neg\tbad\tx\nneg\tawful\ty\n", encoding="utf-8")
    assert not looks_like_label_tsv(three) and not looks_like_label_tsv(tmp_path / "bare.csv")

    loaded = load_files(bare, None, None, ColumnChoice(), seed=0)
    assert loaded.columns == TableColumns("1", "0", None, header=False)
    assert loaded.notes[0] == "bare.tsv has no header: read as LABEL<TAB>TEXT (--no-header says so)"
    said = load_files(bare, None, None, ColumnChoice(no_header=True), seed=0)
    assert said.splits == loaded.splits and not any("no header" in n for n in said.notes)  # no note when told


def test_a_dev_file_means_all_of_train_trains(tmp_path):
    train, dev, test = (_label_tsv(tmp_path / "trec" / f"{s}.tsv", n) for s, n in (("train", 50), ("dev", 7), ("test", 9)))
    loaded = load_files(train, dev, test, ColumnChoice(), seed=3)
    assert loaded.splits.counts() == {"train": 50, "dev": 7, "test": 9} and loaded.splits.name == "trec"
    assert loaded.splits.train[0] == Example("sentence number 0", "neg")  # file order, nothing shuffled away
    assert ("train: all 50 rows of train.tsv; dev: dev.tsv (7); test: test.tsv (9), held out, scored once at the "
            "end of training with the best epoch's weights") in loaded.notes
    assert [(f.role, f.rows) for f in loaded.files] == [("train", 50), ("dev", 7), ("test", 9)]
    assert all(Path(f.path).is_absolute() and f.sha256 == file_sha256(Path(f.path)) for f in loaded.files)


def test_without_a_dev_file_a_seeded_tenth_is_carved_and_said(tmp_path):
    train, test = _label_tsv(tmp_path / "train.tsv", 50), _label_tsv(tmp_path / "test.tsv", 9)
    loaded = load_files(train, None, test, ColumnChoice(), seed=1)
    assert loaded.splits.counts() == {"train": 45, "dev": 5, "test": 9}
    assert loaded.notes[1] == "dev: 10% of train.tsv, drawn with seed 1 (the --seed): 5 rows; train: the other 45"
    assert load_files(train, None, test, ColumnChoice(), seed=1).splits == loaded.splits
    alone = load_files(train, None, None, ColumnChoice(), seed=1)
    assert alone.splits.counts() == {"train": 35, "dev": 5, "test": 10}
    assert alone.notes[1] == "split: train.tsv shuffled with seed 1 (the --seed), 70/10/20%: train 35, dev 5, test 10"


def test_dev_and_test_files_go_with_a_file_and_columns_with_your_own_data(tmp_path):
    with pytest.raises(SeqlabError, match="--dev and --test take files and go with --data FILE"):
        DataSource("builtin-sentiment", dev=str(tmp_path / "dev.tsv")).load()
    with pytest.raises(SeqlabError, match="--text-column/--label-column/--no-header are for your own files"):
        DataSource("builtin-sentiment", choice=ColumnChoice(no_header=True)).load()
    with pytest.raises(SeqlabError, match="dev file .*missing.tsv is not found"):
        DataSource(str(_label_tsv(tmp_path / "t.tsv", 4)), dev=str(tmp_path / "missing.tsv")).load()


def test_unknown_labels_are_named_in_one_line(tmp_path):
    path = _label_tsv(tmp_path / "test.tsv", 6, labels=("neg", "pos", "meh", "wow"))
    with pytest.raises(SeqlabError, match=r"test.tsv has labels the run never saw: 'meh', 'wow' \(the run knows: neg, pos\)"):
        read_labelled_file(path, TableColumns("1", "0", header=False), ("neg", "pos"))


def test_changed_and_missing_files_are_noticed(tmp_path):
    path = _label_tsv(tmp_path / "train.tsv", 4)
    record = load_files(path, None, None, ColumnChoice(), 0).files[0].to_dict()
    assert changed_files([record]) == []
    path.write_text(path.read_text() + "pos\tone more\n", encoding="utf-8")
    assert "changed since the run was made (sha256 differs; it had 4 rows)" in changed_files([record])[0]
    path.unlink()
    assert "is gone" in changed_files([record])[0]


def test_a_user_choice_overrides_a_runs_columns_one_by_one():
    stored = ColumnChoice("1", "0", None, no_header=True)
    assert ColumnChoice(text="2").over(stored).columns() == TableColumns("2", "0", None, header=False)
    assert ColumnChoice().over(ColumnChoice()).columns() == TableColumns()
