"""Readers for the published formats; each streams its file and names `file:line` in every error.

Formats: minbert `LABEL ||| TEXT` (SST, CFIMDB), label TSV `LABEL<TAB>TEXT` (IMDB as converted),
the Kaggle IMDB CSV `review,sentiment`, GLUE TSV (header row, quoting off), the Stack Overflow
folder of files, and any TSV/CSV/JSONL table with chosen text/label columns.
"""

from __future__ import annotations

import csv
import errno
import itertools
import json
import math
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from seqlab.console import safe_text
from seqlab.data.examples import Example
from seqlab.errors import SeqlabError

BOM = "\ufeff"
SNIFF_BYTES = 8192  # looked at for NUL bytes before any line is read (as git and grep tell binary from text)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long reviews are longer than csv's 128 KiB default


@dataclass(frozen=True)
class TableColumns:
    """Which columns of a TSV/CSV/JSONL table hold the text, the label and (for pairs) the second text.

    A column is a header name or a 0-based index (\"0\" is the first column); a name wins when the header has it.
    """

    text: str = "text"
    label: str = "label"
    text_b: str | None = None
    header: bool = True  # False: every row is data, and columns are named by 0-based index ("0", "1", ...)


_SPECIAL_FILES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_regular_file(path: Path, what: str = "") -> Path:
    """`path` when it names a regular file (or a symbolic link to one); else one SeqlabError saying what it is.

    Reading a named pipe or a device would block or never end, and a symbolic link loop has no file at its
    end, so these are refused before anything opens them. `what` names the file's role ("dev file").
    """
    path = Path(path)
    named = f"{what} {path}" if what else str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if what:
            raise SeqlabError(f"{named} is not found; pass an existing .tsv/.csv/.jsonl file") from None
        raise SeqlabError(f"{path} not found; check --data-dir and the file name") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SeqlabError(f"{named} is a symbolic link that leads back to itself (a loop); "
                              "point the option at the file itself") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise SeqlabError(f"{named} cannot be read (permission denied)") from None
        raise SeqlabError(f"{named} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(mode):
        raise SeqlabError(f"{named} is a folder, expected a file")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a regular file")
        raise SeqlabError(f"{named} is {kind}, not a file saved on disk; seqlab reads .tsv/.csv/.jsonl files: "
                          "save the data to a file first")
    return path


def _open_binary(path: Path):
    check_regular_file(path)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise SeqlabError(f"{path} not found; check --data-dir and the file name") from None
    except IsADirectoryError:
        raise SeqlabError(f"{path} is a folder, expected a file") from None
    except PermissionError:
        raise SeqlabError(f"{path} cannot be read (permission denied)") from None


def iter_lines(path: Path, keep_ends: bool = False) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) of every line of `path`, decoded as UTF-8, BOM and line ending removed
    (kept with `keep_ends`, for the csv module, which needs them to read quoted fields spanning lines).

    Blank lines are yielded too (readers skip them); an empty file or bytes that are not UTF-8 raise
    SeqlabError naming the file and line.
    """
    path = Path(path)
    any_line = False
    with _open_binary(path) as handle:
        if b"\x00" in handle.read(SNIFF_BYTES):  # no text format has NUL bytes: binary (or UTF-16, NUL-padded)
            raise SeqlabError(f"{path.name} is not a text file (it holds NUL bytes: a binary file, or text saved as "
                              "UTF-16); pass a UTF-8 .tsv/.csv/.jsonl file")
        handle.seek(0)
        for number, raw in enumerate(handle, 1):
            if b"\x00" in raw:
                raise SeqlabError(f"{path.name}:{number}: NUL bytes, which no text holds (binary data pasted in?); "
                                  "delete the line or re-save the file as UTF-8 text")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SeqlabError(
                    f"{path.name}:{number}: bytes that are not UTF-8 (at byte {exc.start}); "
                    "re-save the file as UTF-8"
                ) from None
            if number == 1 and line.startswith(BOM):
                line = line[1:]
            stripped = line.rstrip("\r\n")
            any_line = any_line or bool(stripped.strip())
            yield number, line if keep_ends else stripped
    if not any_line:
        raise SeqlabError(f"{path.name} is empty; expected one example per line")


def _require_text(path: Path, number: int, text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise SeqlabError(f"{path.name}:{number}: the {what} is empty")
    return text


def _check_label(path: Path, number: int, label: str, labels: Iterable[str] | None) -> str:
    label = label.strip()
    if not label:
        raise SeqlabError(f"{path.name}:{number}: the label is empty")
    if labels is not None and label not in labels:
        raise SeqlabError(f"{path.name}:{number}: label {safe_text(repr(label), 60)} is not one of "
                          f"{safe_text(', '.join(labels), 200)}")
    return label


def read_minbert(path: Path, labels: tuple[str, ...] | None = None) -> list[Example]:
    """Read `LABEL ||| TEXT` lines (the minbert SST/CFIMDB format)."""
    path = Path(path)
    examples = []
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        label, sep, text = line.partition("|||")
        if not sep:
            raise SeqlabError(f"{path.name}:{number}: expected 'LABEL ||| TEXT', found no '|||'")
        examples.append(
            Example(_require_text(path, number, text, "text"), _check_label(path, number, label, labels))
        )
    return examples


def read_label_tsv(path: Path, labels: tuple[str, ...] | None = None) -> list[Example]:
    """Read `LABEL<TAB>TEXT` lines (IMDB as in shared/data/imdb, Stack Overflow converted)."""
    path = Path(path)
    examples = []
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        if not sep:
            raise SeqlabError(f"{path.name}:{number}: expected 'LABEL<TAB>TEXT', found no tab; check the delimiter")
        examples.append(
            Example(_require_text(path, number, text, "text"), _check_label(path, number, label, labels))
        )
    return examples


def _rows(path: Path, delimiter: str, quoting: int) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each non-blank row, the header included; a quoted CSV field keeps
    its embedded newlines."""
    numbered = iter_lines(path, keep_ends=True)
    current = [0]

    def lines() -> Iterator[str]:
        for number, line in numbered:
            current[0] = number
            yield line

    try:
        reader = csv.reader(lines(), delimiter=delimiter, quoting=quoting, strict=True)
        last = 0
        for row in reader:
            first, last = last + 1, current[0]
            if not row or all(not field.strip() for field in row):
                continue
            yield first, row
    except csv.Error as exc:
        raise SeqlabError(f"{path.name}:{current[0]}: not valid {'CSV' if delimiter == ',' else 'TSV'} ({exc})") from None


def _column_index(path: Path, line: int, header: list[str] | None, name: str, role: str, width: int) -> int:
    """The position of column `name` (a header name, or a 0-based index) in rows `width` fields wide."""
    option = f"--{role.replace(' ', '-')}-column"
    cleaned = [h.strip() for h in header] if header is not None else None
    if cleaned is not None and name in cleaned:
        where = [i for i, h in enumerate(cleaned) if h == name]
        if len(where) > 1:
            raise SeqlabError(
                f"{path.name}:{line}: the header names {len(where)} columns {name!r} (columns "
                f"{', '.join(map(str, where))}), so the {role} column is ambiguous; rename them, or choose one by "
                f"0-based number with {option} N"
            )
        return where[0]
    if name.strip().isdigit():
        index = int(name)
        if index < width:
            return index
        raise SeqlabError(
            f"{path.name}:{line}: {role} column {index} does not exist: the rows have {width} columns "
            f"(0 to {width - 1}); fix {option}"
        )
    if cleaned is None:
        raise SeqlabError(
            f"{path.name} is read without a header (--no-header), so its columns have numbers, not names; "
            f"pass {option} N (0 is the first column)"
        )
    raise SeqlabError(
        f"{path.name}:{line}: no {role} column {name!r} in the header (columns: {', '.join(cleaned)}); "
        f"choose one with {option} NAME or a 0-based number; a file without a header needs --no-header"
    )


def _table_rows(path: Path, delimiter: str, quoting: int, columns: TableColumns) -> Iterator[tuple[int, Example]]:
    """(line number, Example) of every data row of a table with a header row."""
    rows = _rows(path, delimiter, quoting)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise SeqlabError(f"{path.name} is empty; expected a header row and one example per row") from None
    width = len(header)
    names = [h.strip() for h in header] if columns.header else None  # a repeat of it is a junk row
    if not columns.header:  # the first row is data: read it again below
        rows, header = itertools.chain([(header_line, header)], rows), None
    text_i = _column_index(path, header_line, header, columns.text, "text", width)
    label_i = _column_index(path, header_line, header, columns.label, "label", width)
    b_i = _column_index(path, header_line, header, columns.text_b, "text pair", width) if columns.text_b else None
    _distinct_columns(path, columns, {"text": text_i, "label": label_i, "text pair": b_i})
    any_row = False
    for number, row in rows:
        if [field.strip() for field in row] == names:
            raise SeqlabError(f"{path.name}:{number}: the header row again (files joined together?); "
                              "delete this line, or its label would become a class")
        any_row = True
        if len(row) != width:
            sep = "tabs" if delimiter == "\t" else "commas"
            raise SeqlabError(
                f"{path.name}:{number}: expected {width} fields like the {'header' if header else 'first row'}, "
                f"found {len(row)}; "
                f"check for stray {sep}"
            )
        text_b = _require_text(path, number, row[b_i], columns.text_b or "") if b_i is not None else None
        yield number, Example(
            _require_text(path, number, row[text_i], columns.text),
            _check_label(path, number, row[label_i], None),
            text_b,
        )
    if not any_row:
        raise SeqlabError(f"{path.name} has a header but no rows; expected one example per row")


_SAME_COLUMN = {True: "the model would read its own label: choose two different columns",
                False: "the model would read the same text twice: choose two different columns"}


def _distinct_columns(path: Path, columns: TableColumns, found: dict[str, int | None]) -> None:
    """SeqlabError when two roles read the same column under different names (text "0" and label "label" in
    column 0): the model would read its own label. Equal names are `columns_conflict`'s to refuse."""
    names = {"text": columns.text, "label": columns.label, "text pair": columns.text_b}
    roles = [role for role, index in found.items() if index is not None]
    for i, first in enumerate(roles):
        for second in roles[i + 1:]:
            if found[first] == found[second] and names[first] != names[second]:
                raise SeqlabError(
                    f"{path.name}: the {first} column ({names[first]!r}) and the {second} column "
                    f"({names[second]!r}) are the same column {found[first]}; {_SAME_COLUMN[second == 'label']}"
                )


def columns_conflict(columns: TableColumns) -> str | None:
    """The error line when two of the text, label and text-pair options name the same column, else None.

    The training and evaluation readers refuse such a choice (a model that reads its label learns nothing);
    `predict` reads the text in the label's place on purpose and does not ask."""
    chosen = [("--text-column", columns.text), ("--label-column", columns.label),
              ("--text-pair-column", columns.text_b)]
    for i, (first, a) in enumerate(chosen):
        for second, b in chosen[i + 1:]:
            if a is not None and b is not None and a.strip() == b.strip():
                return f"{first} and {second} both name column {a!r}; {_SAME_COLUMN[second == '--label-column']}"
    return None


def read_glue_tsv(path: Path, text: str, label: str = "label", text_b: str | None = None) -> list[Example]:
    """Read a GLUE TSV (header row, tab-separated, quoting OFF: some fields begin with a quote)."""
    return [example for _, example in _table_rows(Path(path), "\t", csv.QUOTE_NONE, TableColumns(text, label, text_b))]


def read_kaggle_imdb_csv(path: Path) -> list[Example]:
    """Read Kaggle's "IMDB Dataset.csv" (`review,sentiment`); labels become neg/pos like aclImdb."""
    rename = {"negative": "neg", "positive": "pos", "neg": "neg", "pos": "pos"}
    examples = []
    for number, example in _table_rows(Path(path), ",", csv.QUOTE_MINIMAL, TableColumns("review", "sentiment")):
        if example.label not in rename:
            raise SeqlabError(f"{Path(path).name}:{number}: sentiment {example.label!r} is not 'positive' or 'negative'")
        examples.append(Example(example.text, rename[example.label]))
    return examples


def read_jsonl(path: Path, columns: TableColumns) -> list[Example]:
    """Read one JSON object per line, taking text/label (and text_b) from the named keys."""
    path = Path(path)
    examples = []
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        repeated: set[str] = set()
        try:
            record = json.loads(line, object_pairs_hook=lambda pairs: _keys_once(pairs, repeated))
        except json.JSONDecodeError as exc:
            raise SeqlabError(f"{path.name}:{number}: not valid JSON ({exc.msg}); expected one object per line") from None
        except (ValueError, RecursionError):  # an integer beyond Python's digit limit, or nesting too deep
            raise SeqlabError(f"{path.name}:{number}: a number too long or objects nested too deep; "
                              "expected one flat object per line") from None
        if not isinstance(record, dict):
            raise SeqlabError(f"{path.name}:{number}: expected a JSON object, found {type(record).__name__}")
        twice = sorted(repeated & {columns.text, columns.label, columns.text_b} - {None})  # type: ignore[operator]
        if twice:
            raise SeqlabError(f"{path.name}:{number}: key {twice[0]!r} appears twice in the object, so which value "
                              "counts is ambiguous; keep one of them")
        values = []
        for key in (columns.text, columns.label, columns.text_b):
            if key is None:
                values.append(None)
                continue
            if key not in record:
                raise SeqlabError(
                    f"{path.name}:{number}: no key {key!r} (keys: {', '.join(map(str, record))}); "
                    "choose with --text-column/--label-column"
                )
            values.append(_json_field(path, number, key, record[key], is_label=key == columns.label))
        text, label, text_b = values
        examples.append(
            Example(
                _require_text(path, number, text, columns.text),
                _check_label(path, number, label, None),
                _require_text(path, number, text_b, columns.text_b) if text_b is not None else None,
            )
        )
    return examples


def _keys_once(pairs: list[tuple[str, object]], repeated: set[str]) -> dict[str, object]:
    """A JSON object as a dict (json.loads's object_pairs_hook), adding to `repeated` every key it names twice
    (json alone keeps the last value silently)."""
    record: dict[str, object] = {}
    for key, value in pairs:
        if key in record:
            repeated.add(key)
        record[key] = value
    return record


def _json_field(path: Path, number: int, key: str, value: object, is_label: bool) -> str:
    """A JSONL value as text: strings as they are, whole numbers as digits; anything else is refused.

    true/false, NaN/Infinity and 1.5 as labels would each become a class ("True", "nan", "1.5")
    that no one meant, so they are errors naming the line.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        shown = safe_text(json.dumps(value), 40)
        raise SeqlabError(f"{path.name}:{number}: {key!r} must be a string or number, found {shown}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SeqlabError(f"{path.name}:{number}: {key!r} is {value}, not a usable value; fix or drop the line")
        if is_label and not value.is_integer():
            raise SeqlabError(f"{path.name}:{number}: label {value} is not a whole number; labels are names "
                              "or class numbers")
        return str(int(value)) if is_label else str(value)
    return str(value)


def read_table(path: Path, columns: TableColumns = TableColumns()) -> list[Example]:
    """Read any .tsv (quoting off), .csv or .jsonl file with the chosen text/label columns."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".csv"):
        delimiter, quoting = ("\t", csv.QUOTE_NONE) if suffix == ".tsv" else (",", csv.QUOTE_MINIMAL)
        return [example for _, example in _table_rows(path, delimiter, quoting, columns)]
    if suffix in (".jsonl", ".json"):
        return read_jsonl(path, columns)
    raise SeqlabError(f"{path.name}: unknown file type {suffix or '(none)'!r}; use .tsv, .csv or .jsonl")


def read_folder_of_files(root: Path) -> list[Example]:
    """Read `root/<label>/<n>.txt` files (Stack Overflow 16k, aclImdb): one example per file, label = folder."""
    root = Path(root)
    if not root.is_dir():
        raise SeqlabError(f"{root} is not a folder; expected {root}/<label>/<n>.txt files")
    examples = []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(label_dir.glob("*.txt"), key=lambda p: (len(p.stem), p.stem))
        for file in files:
            try:
                text = file.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SeqlabError(f"{file}: bytes that are not UTF-8 (at byte {exc.start}); re-save it as UTF-8") from None
            text = text.removeprefix(BOM).strip()
            if text:
                examples.append(Example(text, label_dir.name))
    if not examples:
        raise SeqlabError(f"{root} holds no <label>/<n>.txt files; check the folder layout")
    return examples
