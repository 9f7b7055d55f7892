"""Your own files as a dataset: which columns, which file is train/dev/test, and what exactly was read.

`DataSource` is what `train`, `evaluate`, `predict`, `data` and `experiment` share: a dataset name or a
table file (TSV/CSV/JSONL), optional dev and test files, and the column choice. `load()` returns the
Splits together with the notes a person should see (how dev was carved, a headerless file recognised)
and a fingerprint of every file (absolute path, sha256, rows), so a run can notice a changed file.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from seqlab.console import safe_text
from seqlab.data import readers
from seqlab.data.examples import Example, Splits, carve_dev, sorted_labels, split_by_ratio
from seqlab.data.readers import TableColumns
from seqlab.data.registry import is_table_path, load_splits
from seqlab.errors import SeqlabError

DEV_FRACTION = 0.1  # carved from the training file when no --dev file is given (and a --test file is)
SPLIT_WORDS = frozenset({"train", "training", "dev", "valid", "validation", "val", "test", "testing", "eval",
                         "data", "dataset", "all", "labeled", "labelled", "full"})
SNIFF_ROWS = 200  # rows looked at to recognise a headerless LABEL<TAB>TEXT file


@dataclass(frozen=True)
class ColumnChoice:
    """What the user said about a table's columns; None means "not said" (defaults or detection decide).

    A column is a header name or a 0-based index. Without --no-header the defaults are the header names
    "text" and "label"; with it, LABEL<TAB>TEXT (label 0, text 1).
    """

    text: str | None = None
    label: str | None = None
    text_pair: str | None = None
    no_header: bool = False

    @property
    def given(self) -> bool:
        """True when any column or --no-header was chosen (then nothing is guessed)."""
        return self.no_header or any(c is not None for c in (self.text, self.label, self.text_pair))

    def columns(self) -> TableColumns:
        """The reader's columns, defaults filled in."""
        if self.no_header:
            return TableColumns(self.text or "1", self.label or "0", self.text_pair, header=False)
        return TableColumns(self.text or "text", self.label or "label", self.text_pair)

    def over(self, stored: "ColumnChoice") -> "ColumnChoice":
        """This choice with what it leaves unsaid taken from `stored` (a run's columns)."""
        return ColumnChoice(self.text or stored.text, self.label or stored.label,
                            self.text_pair or stored.text_pair, self.no_header or stored.no_header)

    @classmethod
    def of(cls, columns: TableColumns) -> "ColumnChoice":
        """The choice that reads exactly `columns` (what a run stores and reuses)."""
        return cls(columns.text, columns.label, columns.text_b, not columns.header)


@dataclass(frozen=True)
class FileRecord:
    """One file a dataset was read from: its role, absolute path, sha256 and number of examples."""

    role: str  # train | dev | test | evaluated
    path: str
    sha256: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy."""
        return {"role": self.role, "path": self.path, "sha256": self.sha256, "rows": self.rows}


@dataclass(frozen=True)
class LoadedData:
    """Splits plus what was decided on the way: resolved columns, notes for people, file fingerprints."""

    splits: Splits
    columns: TableColumns | None = None  # None for the named datasets
    notes: tuple[str, ...] = ()
    files: tuple[FileRecord, ...] = ()


@dataclass(frozen=True)
class DataSource:
    """A dataset name or a table file, optional separate dev/test files, and how to read the columns."""

    data: str
    data_dir: Path | None = None
    seed: int = 0
    dev: str | None = None
    test: str | None = None
    choice: ColumnChoice = field(default_factory=ColumnChoice)
    split_seed: int | None = None  # carves dev/test from your own file; None: `seed` (runs made before it)

    @property
    def is_file(self) -> bool:
        """True when `data` is a path to a table file rather than a dataset name."""
        return is_table_path(self.data)

    def load(self) -> LoadedData:
        """Read the splits; SeqlabError for files that cannot be read or options that do not fit."""
        if not self.is_file:
            if self.dev or self.test:
                raise SeqlabError(f"--dev and --test take files and go with --data FILE; {self.data} has its own "
                                  "splits (pass its training file with --data to use your own dev/test files)")
            if self.choice.given:
                raise SeqlabError(f"--text-column/--label-column/--no-header are for your own files; {self.data} "
                                  "is read in its published format")
            return LoadedData(load_splits(self.data, self.data_dir, self.seed))
        fixed = self.split_seed is not None
        return load_files(Path(self.data), Path(self.dev) if self.dev else None,
                          Path(self.test) if self.test else None, self.choice,
                          self.split_seed if fixed else self.seed, fixed_split=fixed)


def display_name(path: Path | str) -> str:
    """A dataset's name from its file: the stem without split words, else the folder.

    `trec/train.tsv` -> `trec`, `sst/sst-train.tsv` -> `sst`, `reviews.csv` -> `reviews`.
    """
    path = Path(path)
    words = [w for w in re.split(r"[-_. ]+", path.stem) if w]
    kept = [w for w in words if w.lower() not in SPLIT_WORDS]
    if kept:
        return "-".join(kept)
    folder = path.resolve().parent.name
    return folder or path.stem


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(role: str, path: Path, rows: int) -> FileRecord:
    """A FileRecord for `path` (resolved to an absolute path)."""
    resolved = Path(path).resolve()
    return FileRecord(role, str(resolved), file_sha256(resolved), rows)


def changed_files(records: Sequence[dict[str, Any]]) -> list[str]:
    """One line per stored file that is gone or differs now (sha256), for a warning; [] when all match."""
    lines = []
    for record in records:
        path = Path(str(record.get("path", "")))
        role = record.get("role", "data")
        if not path.is_file():
            lines.append(f"the {role} file {path} is gone (the run was trained on it)")
        elif record.get("sha256") and file_sha256(path) != record["sha256"]:
            lines.append(f"the {role} file {path} changed since the run was made "
                         f"(sha256 differs; it had {record.get('rows', '?')} rows)")
    return lines


def looks_like_label_tsv(path: Path) -> bool:
    """True when a .tsv file looks like headerless `LABEL<TAB>TEXT`: two fields in every row, no header
    naming text/label, and the first row's first field recurs below it (labels repeat; a header word would not)."""
    path = Path(path)
    if path.suffix.lower() != ".tsv":
        return False
    firsts: list[str] = []
    for _, line in readers.iter_lines(path):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != 2 or not fields[0] or len(fields[0]) > 40:
            return False
        if not firsts and {"text", "label"} & set(fields):
            return False
        firsts.append(fields[0])
        if len(firsts) >= SNIFF_ROWS:
            break
    return len(firsts) == 1 or firsts[0] in firsts[1:]


def resolve_columns(path: Path, choice: ColumnChoice) -> tuple[TableColumns, str | None]:
    """The columns to read `path` with, and a note when a headerless LABEL<TAB>TEXT file was recognised."""
    if not choice.given and looks_like_label_tsv(path):
        columns = ColumnChoice(no_header=True).columns()
        return columns, f"{path.name} has no header: read as LABEL<TAB>TEXT (--no-header says so)"
    return choice.columns(), None


def _read(path: Path, columns: TableColumns, role: str) -> list[Example]:
    readers.check_regular_file(path, f"{role} file")
    return readers.read_table(path, columns)


def _check_columns(columns: TableColumns) -> None:
    """SeqlabError when two column options name the same column (the model would read its own label)."""
    problem = readers.columns_conflict(columns)
    if problem:
        raise SeqlabError(problem)


def _number(label: str) -> float | None:
    """The number a label spells ("1", "1.0", "+1", "1e0" all spell 1), or None for a name."""
    try:
        value = float(label)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_label_spellings(examples: Sequence[Example], where: str) -> None:
    """SeqlabError when two labels are one number written two ways ("1" and "1.0"): they would be two classes."""
    seen: dict[float, str] = {}
    for label in sorted({e.label for e in examples}):
        value = _number(label)
        if value is None:
            continue
        if value in seen:
            raise SeqlabError(
                f"{where} has labels {safe_text(repr(seen[value]), 40)} and {safe_text(repr(label), 40)}, one number "
                "written two ways, which would be two classes; write every label the same way (e.g. all as "
                f"{safe_text(repr(seen[value] if len(seen[value]) <= len(label) else label), 40)})"
            )
        seen[value] = label


TEST_SCORED = "held out, scored once at the end of training with the best epoch's weights"


def split_seed_words(seed: int, fixed: bool) -> str:
    """How a carved split was seeded, for the notes: the fixed --split-seed, or (older runs) the training seed."""
    return f"split seed {seed} (--split-seed; --seed does not move it)" if fixed else f"seed {seed} (the --seed)"


def load_files(train: Path, dev: Path | None, test: Path | None, choice: ColumnChoice, seed: int,
               fixed_split: bool = False) -> LoadedData:
    """Read your own files: every file with the same columns; dev carved from train only when no dev file.

    - train and dev given: all of train trains, dev picks the best epoch, test (if given) is held out.
    - only test given: a seeded 10% of train becomes dev.
    - train alone: it is shuffled with the seed and split 7:1:2 into train/dev/test.
    `seed` is the split's seed: `fixed_split` says it is --split-seed (else the training seed of an older run).
    """
    readers.check_regular_file(train)  # before any reading: a named pipe would block, a link loop has no file
    for path, role in ((dev, "dev"), (test, "test")):
        if path is not None:
            readers.check_regular_file(path, f"{role} file")
    columns, note = resolve_columns(train, choice)
    _check_columns(columns)
    notes = [note] if note else []
    train_rows = _read(train, columns, "training")
    dev_rows = _read(dev, columns, "dev") if dev else None
    test_rows = _read(test, columns, "test") if test else None
    files = [fingerprint("train", train, len(train_rows))]
    files += [fingerprint("dev", dev, len(dev_rows))] if dev and dev_rows is not None else []
    files += [fingerprint("test", test, len(test_rows))] if test and test_rows is not None else []
    if dev_rows is not None:
        train_part, dev_part, test_part = tuple(train_rows), tuple(dev_rows), tuple(test_rows or ())
        notes.append(f"train: all {len(train_part):,} rows of {train.name}; dev: {dev.name} ({len(dev_part):,})"
                     + (f"; test: {test.name} ({len(test_part):,}), {TEST_SCORED}" if test else ""))
    elif test_rows is not None:
        train_part, dev_part = carve_dev(train_rows, seed, fraction=DEV_FRACTION)
        test_part = tuple(test_rows)
        notes.append(f"dev: {DEV_FRACTION:.0%} of {train.name}, drawn with {split_seed_words(seed, fixed_split)}: "
                     f"{len(dev_part):,} rows; train: the other {len(train_part):,}")
        notes.append(f"test: {test.name} ({len(test_part):,}), {TEST_SCORED}; --dev FILE uses your own dev file "
                     "instead")
    else:
        train_part, dev_part, test_part = split_by_ratio(train_rows, seed)
        notes.append(f"split: {train.name} shuffled with {split_seed_words(seed, fixed_split)}, 70/10/20%: "
                     f"train {len(train_part):,}, "
                     f"dev {len(dev_part):,}, test {len(test_part):,}")
        notes.append("--dev FILE (and --test FILE) use your own files instead")
    check_label_spellings([*train_part, *dev_part, *test_part],
                          ", ".join(p.name for p in (train, dev, test) if p is not None))
    labels = sorted_labels([*train_part, *dev_part, *test_part])
    splits = Splits(display_name(train), labels, train_part, dev_part, test_part, is_pair=columns.text_b is not None)
    return LoadedData(splits, columns, tuple(notes), tuple(files))


def read_labelled_file(path: Path, columns: TableColumns, labels: Sequence[str]) -> tuple[list[Example], FileRecord]:
    """Read a file to score with a run: the run's columns; labels the run never saw are one SeqlabError."""
    path = Path(path)
    _check_columns(columns)
    examples = _read(path, columns, "evaluation")
    unknown = sorted({e.label for e in examples} - set(labels))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:8]) + (f" and {len(unknown) - 8} more" if len(unknown) > 8 else "")
        raise SeqlabError(f"{path.name} has labels the run never saw: {shown} (the run knows: {', '.join(labels)}); "
                          "check --label-column, or score a file with the run's labels")
    return examples, fingerprint("evaluated", path, len(examples))



def _shown_labels(labels: Sequence[str], limit: int = 6) -> str:
    """Labels as 'a', 'b' and 3 more, escaped for one line."""
    shown = ", ".join(safe_text(repr(label), 40) for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def check_classes(loaded: LoadedData) -> list[str]:
    """What a classifier trained on `loaded` could never learn.

    One SeqlabError when training has fewer than two labels, or a dev/test FILE has labels no training row
    has (a typo, or the wrong file): the classifier could never predict them. Returns warnings (for stderr)
    when a seeded dev/test split carved from the training file holds a label training lacks (a rare class).
    """
    splits = loaded.splits
    train = splits.train
    trained = sorted_labels(train)
    from_files = {record.role: Path(record.path).name for record in loaded.files}
    if len(trained) < 2:
        others = [label for label in splits.labels if label not in trained]
        more = f"; dev/test add {_shown_labels(others)}, which training never shows" if others else ""
        what = f"the training file {from_files['train']}" if "train" in from_files else f"{splits.name}'s training split"
        raise SeqlabError(
            f"{what} has one label only ({_shown_labels(trained) or 'none'}, {len(train):,} rows){more}: a classifier "
            "needs examples of at least two classes; check --label-column, or add rows of the other classes"
        )
    warnings = []
    for role, rows in (("dev", splits.dev), ("test", splits.test)):
        unseen = [label for label in sorted_labels(rows) if label not in trained]
        if not unseen:
            continue
        if role in from_files:
            raise SeqlabError(
                f"the {role} file {from_files[role]} has labels no training row has: {_shown_labels(unseen)} "
                f"(training has {_shown_labels(trained)}); the classifier could never predict them: check their "
                "spelling, or add training rows with them"
            )
        count = sum(1 for e in rows if e.label in unseen)
        warnings.append(f"the {role} split holds {count:,} row(s) labelled {_shown_labels(unseen)}, which no "
                        "training row has; the classifier can never predict them (add rows of that class, or "
                        "pass --dev/--test files)")
    return warnings
