"""`seqlab data list/stats/show/download` through the CLI: output, --json, and bad input -> exit 2, one line."""

from __future__ import annotations

import io
import json
import tarfile

from seqlab.cli import app


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_list_table_and_json(runner):
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0 and "builtin-sentiment" in result.output and "stackoverflow" in result.output
    rows = json.loads(runner.invoke(app, ["data", "list", "--json"]).output)
    assert {"name": "rte", "needs_data_dir": True}.items() <= rows[5].items()
    assert rows[0]["labels"] == ["neg", "pos"]


def test_stats_builtin_and_json(runner):
    result = runner.invoke(app, ["data", "stats", "builtin-sentiment"])
    assert result.exit_code == 0 and "3,000" in result.output and "length histogram" in result.output
    payload = json.loads(runner.invoke(app, ["data", "stats", "builtin-entailment", "--json"]).output)
    assert payload["is_pair"] and [s["count"] for s in payload["splits"]] == [2000, 300, 500]
    assert payload["splits"][1]["labels"] == {"entailment": 150, "not_entailment": 150}


def test_stats_of_a_table_file_with_columns(runner, tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text("question\ttag\n" + "".join(f"how {i}\t{'py' if i % 2 else 'js'}\n" for i in range(30)), encoding="utf-8")
    result = runner.invoke(app, ["data", "stats", str(path), "--text-column", "question", "--label-column", "tag", "--json"])
    assert result.exit_code == 0, result.output
    assert [s["count"] for s in json.loads(result.output)["splits"]] == [21, 3, 6]
    assert "no text column 'text'" in _one_error_line(runner.invoke(app, ["data", "stats", str(path)]))


def test_show_rows_are_seeded_and_escaped(runner, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"text": f"[bold]row {i}[/bold]", "label": "x"}) + "\n" for i in range(20)),
                    encoding="utf-8")
    result = runner.invoke(app, ["data", "show", str(path), "-n", "2"])
    assert result.exit_code == 0 and "[bold]row" in result.output  # shown literally, not as markup
    first = json.loads(runner.invoke(app, ["data", "show", "builtin-sentiment", "-n", "3", "--json"]).output)
    again = json.loads(runner.invoke(app, ["data", "show", "builtin-sentiment", "-n", "3", "--json"]).output)
    assert first == again and len(first) == 3 and {"index", "label", "text", "text_b"} <= set(first[0])


def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("SEQLAB_DATA", raising=False)
    assert "unknown dataset 'nope'" in _one_error_line(runner.invoke(app, ["data", "stats", "nope"]))
    assert "--data-dir" in _one_error_line(runner.invoke(app, ["data", "stats", "sst"]))
    assert "unknown split 'val'" in _one_error_line(runner.invoke(app, ["data", "show", "builtin-sentiment", "--split", "val"]))
    bad = tmp_path / "sst"
    bad.mkdir()
    for split in ("train", "dev", "test"):
        (bad / f"sst-{split}.txt").write_text("1 ||| ok\nbroken line\n", encoding="utf-8")
    line = _one_error_line(runner.invoke(app, ["data", "show", "sst", "--data-dir", str(tmp_path)]))
    assert "sst-train.txt:2: expected 'LABEL ||| TEXT', found no '|||'" in line
    assert "no download known for 'sst'" in _one_error_line(runner.invoke(app, ["data", "download", "sst"]))


def test_download_from_a_file_url_and_checksum_mismatch(runner, tmp_path):
    archive = tmp_path / "so.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for split in ("train", "test"):
            for tag in ("csharp", "java", "javascript", "python"):
                data = f"a {tag} question".encode()
                info = tarfile.TarInfo(f"{split}/{tag}/0.txt")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    target = tmp_path / "data"
    bad = runner.invoke(app, ["data", "download", "stackoverflow", "--data-dir", str(target), "--url", archive.as_uri(),
                              "--sha256", "ab" * 32])
    assert "sha256 is" in _one_error_line(bad)
    result = runner.invoke(app, ["data", "download", "stackoverflow", "--data-dir", str(target), "--url", archive.as_uri(),
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["folder"] == str(target / "stackoverflow")
    stats = json.loads(runner.invoke(app, ["data", "stats", "stackoverflow", "--data-dir", str(target), "--json"]).output)
    assert stats["labels"] == ["csharp", "java", "javascript", "python"]


def test_help_teaches(runner):
    for command in (["data", "--help"], ["data", "stats", "--help"], ["data", "download", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0 and "--" in result.output
    assert "percentiles" in runner.invoke(app, ["data", "stats", "--help"]).output
