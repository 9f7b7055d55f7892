"""Dataset names -> Splits: the built-in corpus, the real datasets in their folders, and any table file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from seqlab.data import readers
from seqlab.data.builtin import builtin_entailment, builtin_sentiment
from seqlab.data.download import SOURCES
from seqlab.data.examples import Example, Splits, carve_dev, sorted_labels, split_by_ratio
from seqlab.data.readers import TableColumns
from seqlab.errors import SeqlabError
from seqlab.paths import cache_dir, data_dir as resolve_data_dir

TABLE_SUFFIXES = (".tsv", ".csv", ".jsonl", ".json")
STACKOVERFLOW_TAGS = ("csharp", "java", "javascript", "python")


@dataclass(frozen=True)
class DatasetInfo:
    """What `seqlab data list` shows about a dataset."""

    name: str
    description: str
    needs_data_dir: bool
    labels: tuple[str, ...]
    folder: str = ""
    files: str = ""
    file_format: str = ""


_INFOS: tuple[DatasetInfo, ...] = (
    DatasetInfo("builtin-sentiment", "generated sentences with negation and 'but' contrasts (3000/400/600)",
                False, ("neg", "pos")),
    DatasetInfo("builtin-entailment", "generated sentence pairs: hypernyms, negation, swapped roles (2000/300/500)",
                False, ("entailment", "not_entailment")),
    DatasetInfo("sst", "Stanford Sentiment Treebank, 5 classes, minbert format", True,
                ("0", "1", "2", "3", "4"), "sst", "sst-{train,dev,test}.txt", "LABEL ||| TEXT"),
    DatasetInfo("cfimdb", "counterfactual IMDB reviews, minbert format; test from cfimdb-test.labeled.txt", True,
                ("0", "1"), "cfimdb", "cfimdb-{train,dev,test.labeled}.txt", "LABEL ||| TEXT"),
    DatasetInfo("imdb", "IMDB reviews, all 50,000 labeled pooled and split 7:1:2 with the seed", True,
                ("neg", "pos"), "imdb", "{train,test}.tsv or 'IMDB Dataset.csv'", "LABEL<TAB>TEXT or Kaggle CSV"),
    DatasetInfo("rte", "GLUE RTE sentence pairs; dev is the evaluation split, test labels hidden", True,
                ("entailment", "not_entailment"), "rte", "{train,dev}.tsv", "GLUE TSV"),
    DatasetInfo("sst2", "GLUE SST-2 binary sentiment; test = test.derived-from-sst5.tsv when present", True,
                ("0", "1"), "sst2", "{train,dev}.tsv", "GLUE TSV"),
    DatasetInfo("stackoverflow", "Stack Overflow 16k questions, 4 tags; dev = 20% of train, seeded", True,
                STACKOVERFLOW_TAGS, "stackoverflow", "{train,test}/<tag>/<n>.txt", "one question per file"),
)


def known_datasets() -> list[DatasetInfo]:
    """Every dataset name `load_splits` understands (a path to a .tsv/.csv/.jsonl file works too)."""
    return list(_INFOS)


def dataset_info(name: str) -> DatasetInfo:
    """The DatasetInfo of `name`; SeqlabError listing the known names otherwise."""
    for info in _INFOS:
        if info.name == name:
            return info
    raise SeqlabError(
        f"unknown dataset {name!r}; known: {', '.join(i.name for i in _INFOS)} "
        "(or a path to a .tsv/.csv/.jsonl file)"
    )


def downloaded_data_root() -> Path:
    """Where `seqlab data download` puts datasets by default: <cache>/data."""
    return cache_dir() / "data"


def dataset_folder(info: DatasetInfo, data_dir: Path | None, marker: str) -> Path:
    """The folder holding `info`'s files: DATA_DIR/<folder>, DATA_DIR itself, or the download cache."""
    chosen = data_dir or (Path(os.environ["SEQLAB_DATA"]) if os.environ.get("SEQLAB_DATA") else None)
    if chosen is None:
        cached = downloaded_data_root() / info.folder
        if (cached / marker).exists():
            return cached
    root = resolve_data_dir(chosen)
    for candidate in (root / info.folder, root):
        if (candidate / marker).exists():
            return candidate

    fix = (f"fix --data-dir or run: seqlab data download {info.name}" if info.name in SOURCES
           else "fix --data-dir (point it at the folder that holds it; it has no seqlab download)")
    raise SeqlabError(
        f"{info.name} not found in {root}: expected {root / info.folder}/{info.files} ({info.file_format}); {fix}"
    )


def _splits(name: str, train: list[Example], dev: list[Example], test: list[Example],
            labels: tuple[str, ...] | None = None, is_pair: bool = False) -> Splits:
    return Splits(name, labels or sorted_labels([*train, *dev, *test]), tuple(train), tuple(dev), tuple(test), is_pair)


def _load_minbert(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    prefix = info.name
    folder = dataset_folder(info, data_dir, f"{prefix}-train.txt")
    train = readers.read_minbert(folder / f"{prefix}-train.txt", info.labels)
    dev = readers.read_minbert(folder / f"{prefix}-dev.txt", info.labels)
    test_file = folder / (f"{prefix}-test.labeled.txt" if prefix == "cfimdb" else f"{prefix}-test.txt")
    # cfimdb-test.txt carries dummy labels (all 0); without the labeled file the test split stays empty.
    test = readers.read_minbert(test_file, info.labels) if test_file.is_file() else []
    return _splits(info.name, train, dev, test, info.labels)


def _load_imdb(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    try:
        folder = dataset_folder(info, data_dir, "train.tsv")
        pooled = readers.read_label_tsv(folder / "train.tsv", info.labels)
        pooled += readers.read_label_tsv(folder / "test.tsv", info.labels)
    except SeqlabError as first:
        try:
            folder = dataset_folder(info, data_dir, "IMDB Dataset.csv")
        except SeqlabError:
            raise first from None
        pooled = readers.read_kaggle_imdb_csv(folder / "IMDB Dataset.csv")
    train, dev, test = split_by_ratio(pooled, seed)
    return _splits(info.name, list(train), list(dev), list(test), info.labels)


def _load_rte(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    folder = dataset_folder(info, data_dir, "train.tsv")
    read = lambda file: readers.read_glue_tsv(folder / file, "sentence1", "label", "sentence2")  # noqa: E731
    return _splits(info.name, read("train.tsv"), read("dev.tsv"), [], info.labels, is_pair=True)


def _load_sst2(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    folder = dataset_folder(info, data_dir, "train.tsv")
    read = lambda file: readers.read_glue_tsv(folder / file, "sentence", "label")  # noqa: E731
    derived = folder / "test.derived-from-sst5.tsv"
    return _splits(info.name, read("train.tsv"), read("dev.tsv"), read(derived.name) if derived.is_file() else [],
                   info.labels)


def _load_stackoverflow(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    folder = dataset_folder(info, data_dir, "train")
    train_all = readers.read_folder_of_files(folder / "train")
    test = readers.read_folder_of_files(folder / "test") if (folder / "test").is_dir() else []
    train, dev = carve_dev(train_all, seed, fraction=0.2)
    return _splits(info.name, list(train), list(dev), test)


def _load_builtin(info: DatasetInfo, data_dir: Path | None, seed: int) -> Splits:
    return builtin_sentiment(seed) if info.name == "builtin-sentiment" else builtin_entailment(seed)


_LOADERS: dict[str, Callable[[DatasetInfo, Path | None, int], Splits]] = {
    "builtin-sentiment": _load_builtin,
    "builtin-entailment": _load_builtin,
    "sst": _load_minbert,
    "cfimdb": _load_minbert,
    "imdb": _load_imdb,
    "rte": _load_rte,
    "sst2": _load_sst2,
    "stackoverflow": _load_stackoverflow,
}


def is_table_path(name: str) -> bool:
    """True when `name` names a table file rather than a known dataset."""
    return Path(name).suffix.lower() in TABLE_SUFFIXES


def load_table_splits(path: Path, columns: TableColumns, seed: int) -> Splits:
    """Read a TSV/CSV/JSONL file and split it 7:1:2 with `seed`."""
    path = Path(path)
    if path.is_dir():
        raise SeqlabError(f"{path} is a folder, expected a .tsv/.csv/.jsonl file (or pass a dataset name)")
    if not path.is_file():
        raise SeqlabError(f"{path} not found; pass a dataset name (see `seqlab data list`) or an existing file")
    examples = readers.read_table(path, columns)
    train, dev, test = split_by_ratio(examples, seed)
    return _splits(path.stem, list(train), list(dev), list(test), is_pair=columns.text_b is not None)


def load_splits(
    name: str, data_dir: Path | None = None, seed: int = 0, *, columns: TableColumns | None = None
) -> Splits:
    """Train/dev/test examples of dataset `name` (see `known_datasets`) or of a .tsv/.csv/.jsonl file.

    Datasets without a published dev/test split are split 7:1:2 (IMDB, tables) or get a dev split
    carved from train (Stack Overflow), shuffled with `seed`.
    """
    if is_table_path(name):
        return load_table_splits(Path(name), columns or TableColumns(), seed)
    info = dataset_info(name)
    return _LOADERS[name](info, Path(data_dir) if data_dir is not None else None, seed)
