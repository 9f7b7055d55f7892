"""load_splits: dataset names, folder layouts, seeded splits, table files, and the real data's exact sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqlab.data.examples import Example, Splits, split_by_ratio
from seqlab.data.readers import TableColumns
from seqlab.data.registry import known_datasets, load_splits
from seqlab.errors import SeqlabError


def _minbert(folder: Path, prefix: str, splits: dict[str, list[tuple[str, str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        (folder / f"{prefix}-{split}.txt").write_text("".join(f"{l} ||| {t}\n" for l, t in rows), encoding="utf-8")


def test_known_datasets_cover_the_contract_names():
    names = {info.name for info in known_datasets()}
    assert names == {"builtin-sentiment", "builtin-entailment", "sst", "cfimdb", "imdb", "rte", "sst2", "stackoverflow"}


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(SeqlabError, match=r"unknown dataset 'sts'; known: builtin-sentiment, .*stackoverflow"):
        load_splits("sts")


def test_real_dataset_without_data_dir_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("SEQLAB_DATA", raising=False)
    with pytest.raises(SeqlabError, match="--data-dir"):
        load_splits("sst")


def test_missing_dataset_folder_names_the_expected_layout(tmp_path):
    with pytest.raises(SeqlabError, match=r"sst not found in .*sst-\{train,dev,test\}.txt.*fix --data-dir") as caught:
        load_splits("sst", tmp_path)
    assert "seqlab data download" not in str(caught.value)  # sst has no download: never advise one


def test_cfimdb_test_comes_from_the_labeled_file(tmp_path):
    _minbert(tmp_path / "cfimdb", "cfimdb", {"train": [("0", "bad"), ("1", "good")], "dev": [("1", "fine")],
                                             "test": [("0", "dummy a"), ("0", "dummy b")],
                                             "test.labeled": [("1", "dummy a"), ("0", "dummy b")]})
    splits = load_splits("cfimdb", tmp_path)
    assert splits.test == (Example("dummy a", "1"), Example("dummy b", "0"))
    assert splits.labels == ("0", "1") and splits.label_id("1") == 1


def test_data_dir_may_point_at_the_dataset_folder_itself(tmp_path):
    _minbert(tmp_path, "sst", {"train": [("4", "great")], "dev": [("0", "awful")], "test": [("2", "meh")]})
    splits = load_splits("sst", tmp_path)
    assert splits.counts() == {"train": 1, "dev": 1, "test": 1} and splits.labels == ("0", "1", "2", "3", "4")
    with pytest.raises(SeqlabError, match="label 'x' is not one of sst's labels"):
        splits.label_id("x")


def test_imdb_pools_both_files_and_splits_7_1_2_by_seed(tmp_path):
    folder = tmp_path / "imdb"
    folder.mkdir()
    for split in ("train", "test"):
        rows = [f"{'pos' if i % 2 else 'neg'}\t{split} review {i}\n" for i in range(50)]
        (folder / f"{split}.tsv").write_text("".join(rows), encoding="utf-8")
    first, again, other = load_splits("imdb", tmp_path, seed=1), load_splits("imdb", tmp_path, seed=1), load_splits("imdb", tmp_path, seed=2)
    assert first.counts() == {"train": 70, "dev": 10, "test": 20}
    assert first == again and first.train != other.train
    assert len({e.text for e in first.train + first.dev + first.test}) == 100


def test_imdb_reads_the_kaggle_csv_too(tmp_path):
    folder = tmp_path / "imdb"
    folder.mkdir()
    rows = "".join(f'"review {i}, with a comma",{"positive" if i % 2 else "negative"}\n' for i in range(10))
    (folder / "IMDB Dataset.csv").write_text("review,sentiment\n" + rows, encoding="utf-8")
    splits = load_splits("imdb", tmp_path)
    assert splits.counts() == {"train": 7, "dev": 1, "test": 2} and splits.labels == ("neg", "pos")


def test_rte_is_pairs_with_no_test(tmp_path):
    folder = tmp_path / "rte"
    folder.mkdir()
    for split in ("train", "dev"):
        (folder / f"{split}.tsv").write_text(
            "index\tsentence1\tsentence2\tlabel\n0\t\"Quoted start.\tB.\tentailment\n1\tC.\tD.\tnot_entailment\n",
            encoding="utf-8")
    splits = load_splits("rte", tmp_path)
    assert splits.is_pair and splits.test == () and splits.train[0] == Example('"Quoted start.', "entailment", "B.")


def test_stackoverflow_folder_form_with_seeded_dev(tmp_path):
    for split in ("train", "test"):
        for tag in ("csharp", "java", "javascript", "python"):
            folder = tmp_path / "stackoverflow" / split / tag
            folder.mkdir(parents=True)
            for i in range(5):
                (folder / f"{i}.txt").write_text(f'"how do i {tag} {split} {i}"\n', encoding="utf-8")
    splits = load_splits("stackoverflow", tmp_path, seed=3)
    assert splits.counts() == {"train": 16, "dev": 4, "test": 20}
    assert splits.labels == ("csharp", "java", "javascript", "python")
    assert splits == load_splits("stackoverflow", tmp_path, seed=3)
    assert set(splits.train).isdisjoint(splits.dev)


def test_table_file_with_columns(tmp_path):
    path = tmp_path / "questions.csv"
    path.write_text("q,tag\n" + "".join(f"question {i},{'a' if i % 3 else 'b'}\n" for i in range(20)), encoding="utf-8")
    splits = load_splits(str(path), columns=TableColumns(text="q", label="tag"))
    assert splits.name == "questions" and splits.labels == ("a", "b")
    assert splits.counts() == {"train": 14, "dev": 2, "test": 4}
    with pytest.raises(SeqlabError, match=r"no text column 'text' in the header \(columns: q, tag\)"):
        load_splits(str(path))
    with pytest.raises(SeqlabError, match="not found"):
        load_splits(str(tmp_path / "missing.tsv"))


def test_split_by_ratio_is_a_partition():
    examples = [Example(str(i), "x") for i in range(103)]
    train, dev, test = split_by_ratio(examples, seed=0)
    assert sorted(train + dev + test, key=lambda e: int(e.text)) == examples
    assert (len(train), len(dev), len(test)) == (72, 10, 21)


def test_downloaded_data_is_found_without_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SEQLAB_DATA", raising=False)
    _minbert(tmp_path / "cache" / "data" / "sst", "sst", {"train": [("1", "a")], "dev": [("2", "b")], "test": [("3", "c")]})
    assert load_splits("sst").counts() == {"train": 1, "dev": 1, "test": 1}


def test_real_data_has_the_manifest_sizes(shared_data):
    expected = {
        "sst": {"train": 8544, "dev": 1101, "test": 2210},
        "cfimdb": {"train": 1707, "dev": 245, "test": 488},
        "rte": {"train": 2490, "dev": 277, "test": 0},
        "sst2": {"train": 67349, "dev": 872, "test": 1821},
        "imdb": {"train": 35000, "dev": 5000, "test": 10000},
    }
    for name, counts in expected.items():
        splits = load_splits(name, shared_data)
        assert splits.counts() == counts, name
    cfimdb = load_splits("cfimdb", shared_data)
    assert sum(e.label == "1" for e in cfimdb.test) == 243  # real labels, not the dummy all-0 file
    rte = load_splits("rte", shared_data)
    assert sum(e.label == "entailment" for e in rte.train) == 1249 and sum(e.text.startswith('"') for e in rte.train) == 56
    imdb = load_splits("imdb", shared_data, seed=0)
    assert isinstance(imdb, Splits) and {e.label for e in imdb.dev} == {"neg", "pos"}
