"""Readers: each published format on small files written here, every malformed-line error, and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqlab.data.examples import Example
from seqlab.data.readers import (
    TableColumns,
    read_folder_of_files,
    read_glue_tsv,
    read_kaggle_imdb_csv,
    read_label_tsv,
    read_minbert,
    read_table,
)
from seqlab.errors import SeqlabError


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_minbert_reads_label_and_text(tmp_path):
    path = write(tmp_path / "sst-train.txt", "3 ||| A gorgeous , witty film .\n0 ||| Dull .\n")
    assert read_minbert(path) == [Example("A gorgeous , witty film .", "3"), Example("Dull .", "0")]


def test_minbert_handles_bom_crlf_and_blank_lines(tmp_path):
    path = write(tmp_path / "sst-dev.txt", "\ufeff1 ||| first\r\n\r\n   \n2 ||| second\r\n")
    assert read_minbert(path) == [Example("first", "1"), Example("second", "2")]


def test_minbert_names_file_and_line_of_a_malformed_line(tmp_path):
    path = write(tmp_path / "sst-train.txt", "1 ||| fine\n" * 11 + "no separator here\n")
    with pytest.raises(SeqlabError, match=r"^sst-train.txt:12: expected 'LABEL \|\|\| TEXT', found no '\|\|\|'$"):
        read_minbert(path)


def test_minbert_rejects_labels_outside_the_dataset(tmp_path):
    path = write(tmp_path / "sst-train.txt", "1 ||| fine\n7 ||| odd\n")
    with pytest.raises(SeqlabError, match=r"sst-train.txt:2: label '7' is not one of 0, 1"):
        read_minbert(path, labels=("0", "1"))


def test_minbert_rejects_empty_text_and_label(tmp_path):
    with pytest.raises(SeqlabError, match=r"x.txt:1: the text is empty"):
        read_minbert(write(tmp_path / "x.txt", "1 |||   \n"))
    with pytest.raises(SeqlabError, match=r"y.txt:2: the label is empty"):
        read_minbert(write(tmp_path / "y.txt", "1 ||| a\n ||| b\n"))


def test_non_utf8_bytes_name_the_line(tmp_path):
    path = write(tmp_path / "bad.txt", b"1 ||| fine\n0 ||| caf\xe9\n")
    with pytest.raises(SeqlabError, match=r"bad.txt:2: bytes that are not UTF-8"):
        read_minbert(path)


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff", "  \r\n"])
def test_empty_file_is_a_clear_error(tmp_path, content):
    with pytest.raises(SeqlabError, match=r"empty.txt is empty"):
        read_minbert(write(tmp_path / "empty.txt", content))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SeqlabError, match="not found"):
        read_minbert(tmp_path / "nope.txt")


def test_label_tsv_splits_at_the_first_tab_only(tmp_path):
    path = write(tmp_path / "train.tsv", "pos\tGreat<br /><br />film\tindeed\nneg\tBad\n")
    assert read_label_tsv(path) == [Example("Great<br /><br />film\tindeed", "pos"), Example("Bad", "neg")]


def test_label_tsv_reports_a_missing_tab(tmp_path):
    path = write(tmp_path / "train.tsv", "pos\tok\nneg, comma instead\n")
    with pytest.raises(SeqlabError, match=r"train.tsv:2: expected 'LABEL<TAB>TEXT', found no tab"):
        read_label_tsv(path)


def test_glue_rte_reads_pairs_with_quotes_left_alone(tmp_path):
    path = write(
        tmp_path / "train.tsv",
        'index\tsentence1\tsentence2\tlabel\n'
        '0\t"That film wasn\'t too successful\tA film failed.\tentailment\n'
        '1\tDogs bark.\t"Cats" meow.\tnot_entailment\n',
    )
    rows = read_glue_tsv(path, "sentence1", "label", "sentence2")
    assert rows == [
        Example("\"That film wasn't too successful", "entailment", "A film failed."),
        Example("Dogs bark.", "not_entailment", '"Cats" meow.'),
    ]


def test_glue_sst2_strips_the_space_before_the_tab(tmp_path):
    path = write(tmp_path / "train.tsv", "sentence\tlabel\nhide new secretions \t0\n\"a\" quote first \t1\n")
    assert read_glue_tsv(path, "sentence") == [Example("hide new secretions", "0"), Example('"a" quote first', "1")]


def test_glue_wrong_field_count_names_the_line(tmp_path):
    path = write(tmp_path / "dev.tsv", "sentence\tlabel\nfine\t1\ntoo\tmany\t1\n")
    with pytest.raises(SeqlabError, match=r"dev.tsv:3: expected 2 fields like the header, found 3"):
        read_glue_tsv(path, "sentence")


def test_glue_missing_column_lists_the_header(tmp_path):
    path = write(tmp_path / "test.tsv", "index\tsentence1\tsentence2\n0\ta\tb\n")
    with pytest.raises(SeqlabError, match=r"no label column 'label' in the header \(columns: index, sentence1"):
        read_glue_tsv(path, "sentence1", "label", "sentence2")


def test_kaggle_csv_handles_quotes_commas_and_maps_labels(tmp_path):
    path = write(
        tmp_path / "IMDB Dataset.csv",
        'review,sentiment\n"One of the best, ""truly"" great.",positive\n"Awful.<br /><br />Avoid",negative\n',
    )
    assert read_kaggle_imdb_csv(path) == [
        Example('One of the best, "truly" great.', "pos"),
        Example("Awful.<br /><br />Avoid", "neg"),
    ]


def test_table_tsv_csv_jsonl_with_chosen_columns(tmp_path):
    cols = TableColumns(text="q", label="tag", text_b="ctx")
    tsv = write(tmp_path / "a.tsv", "tag\tq\tctx\npython\thow to x\tmy code\n")
    csv_ = write(tmp_path / "a.csv", 'tag,q,ctx\npython,"how to x","my code"\n')
    jsonl = write(tmp_path / "a.jsonl", json.dumps({"tag": "python", "q": "how to x", "ctx": "my code"}) + "\n")
    expected = [Example("how to x", "python", "my code")]
    assert read_table(tsv, cols) == read_table(csv_, cols) == read_table(jsonl, cols) == expected


def test_jsonl_errors_name_the_line(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "a", "label": 1}\n{not json}\n')
    with pytest.raises(SeqlabError, match=r"a.jsonl:2: not valid JSON"):
        read_table(path)
    path = write(tmp_path / "b.jsonl", '{"text": "a", "label": 1}\n{"text": "b"}\n')
    with pytest.raises(SeqlabError, match=r"b.jsonl:2: no key 'label'"):
        read_table(path)
    assert read_table(write(tmp_path / "c.jsonl", '{"text": "a", "label": 1}\n')) == [Example("a", "1")]


def test_unknown_table_suffix(tmp_path):
    with pytest.raises(SeqlabError, match="unknown file type '.xlsx'"):
        read_table(write(tmp_path / "a.xlsx", "x"))


def test_folder_of_files(tmp_path):
    for tag, texts in {"python": ["import os", "def f(): pass"], "java": ["class A {}"]}.items():
        (tmp_path / tag).mkdir()
        for i, text in enumerate(texts):
            write(tmp_path / tag / f"{i}.txt", text + "\n")
    rows = read_folder_of_files(tmp_path)
    assert rows == [Example("class A {}", "java"), Example("import os", "python"), Example("def f(): pass", "python")]
    write(tmp_path / "java" / "9.txt", b"\xff\xfe bad")
    with pytest.raises(SeqlabError, match=r"9.txt: bytes that are not UTF-8"):
        read_folder_of_files(tmp_path)


# Fuzzing: whatever the bytes, a reader either parses or raises SeqlabError -- never anything else.
_pieces = st.sampled_from(["1 ||| text", "0\ttext", "a,b", "\t", "|||", "\ufeff", "\r\n", "\n", "", " ", '"', "'",
                           "label", "é", "\x00", "sentence\tlabel", "{\"text\": \"a\", \"label\": 1}"])
_fuzz_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(_pieces, max_size=20).map(lambda parts: "".join(parts).encode("utf-8")),
    st.lists(_pieces, max_size=20).map(lambda parts: "".join(parts).encode("utf-8") + b"\xe9\n"),
)

_READERS = {
    "minbert.txt": read_minbert,
    "labels.tsv": read_label_tsv,
    "glue.tsv": lambda p: read_glue_tsv(p, "sentence"),
    "kaggle.csv": read_kaggle_imdb_csv,
    "table.csv": lambda p: read_table(p, TableColumns("a", "b")),
    "table.jsonl": read_table,
}


@pytest.mark.parametrize("filename", sorted(_READERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_fuzz_bytes)
def test_readers_never_crash_on_random_input(tmp_path, filename, data):
    path = tmp_path / filename
    path.write_bytes(data)
    try:
        rows = _READERS[filename](path)
    except SeqlabError as exc:
        assert "\n" not in str(exc)
        return
    for row in rows:
        assert isinstance(row, Example) and row.text.strip() and row.label.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["0", "1", "2"]), st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30)),
        min_size=1, max_size=10,
    ),
    crlf=st.booleans(), bom=st.booleans(), blank=st.booleans(),
)
def test_minbert_round_trips_what_it_was_given(tmp_path, rows, crlf, bom, blank):
    rows = [(label, text.replace("|||", "")) for label, text in rows if text.replace("|||", "").strip()]
    if not rows:
        return
    end = "\r\n" if crlf else "\n"
    body = "".join(f"{label} ||| {text}{end}" + (end if blank else "") for label, text in rows)
    path = tmp_path / "sst.txt"
    path.write_bytes((("\ufeff" if bom else "") + body).encode("utf-8"))
    assert read_minbert(path) == [Example(text.strip(), label) for label, text in rows]


def test_header_only_table_and_bad_kaggle_label_name_the_problem(tmp_path):
    with pytest.raises(SeqlabError, match="dev.tsv has a header but no rows"):
        read_glue_tsv(write(tmp_path / "dev.tsv", "sentence\tlabel\n"), "sentence")
    with pytest.raises(SeqlabError, match=r"k.csv:3: sentiment 'meh' is not 'positive' or 'negative'"):
        read_kaggle_imdb_csv(write(tmp_path / "k.csv", "review,sentiment\ngood,positive\nok,meh\n"))


def test_csv_keeps_a_newline_inside_a_quoted_field_and_counts_lines_from_the_row_start(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('text,label\n"first line\nsecond line",pos\r\n"one\r\ntwo\r\nthree",neg\nok,pos\n,neg\n',
                    encoding="utf-8")
    with pytest.raises(SeqlabError, match=r"t.csv:8: the text is empty"):  # row 5 starts on physical line 8
        read_table(path)
    path.write_text('text,label\n"first line\nsecond line",pos\r\n"one\r\ntwo\r\nthree",neg\nok,pos\n',
                    encoding="utf-8")
    assert [e.text for e in read_table(path)] == ["first line\nsecond line", "one\r\ntwo\r\nthree", "ok"]


@pytest.mark.parametrize("suffix,content,message", [
    (".tsv", "text\tlabel\na\tpos\n\ntext\tlabel\nb\tneg\n", r"t.tsv:4: the header row again"),
    (".csv", "text,label\na,pos\n text , label \nb,neg\n", r"t.csv:3: the header row again"),
    (".jsonl", '{"text": "a", "label": false}\n', r"t.jsonl:1: 'label' must be a string or number, found false"),
    (".jsonl", '{"text": "a", "label": Infinity}\n', r"t.jsonl:1: 'label' is inf"),
    (".jsonl", '{"text": "a", "label": 1.5}\n', r"t.jsonl:1: label 1.5 is not a whole number"),
    (".jsonl", '{"text": "a", "label": ' + "1" * 5000 + "}\n", r"t.jsonl:1: a number too long"),
    (".jsonl", '{"text": NaN, "label": "pos"}\n', r"t.jsonl:1: 'text' is nan"),
], ids=["tsv-header-again", "csv-header-again", "jsonl-false", "jsonl-infinity", "jsonl-fraction", "jsonl-huge-int",
        "jsonl-nan-text"])
def test_junk_rows_are_refused_with_their_line(tmp_path, suffix, content, message):
    path = tmp_path / f"t{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SeqlabError, match=message):
        read_table(path)


def test_jsonl_whole_number_labels_read_as_digits(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": 2.0}\n', encoding="utf-8")
    assert [e.label for e in read_table(path)] == ["1", "2"]
