"""One rule for --out (seqlab.outputs, issue 30 item 10), through Typer's CliRunner: a command that writes one
figure writes exactly the .png/.svg/.pdf file it is given, or a fresh name inside a folder; a command that writes
several files takes a folder and refuses x.png; an existing file is never replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from seqlab.cli import app


def _figure(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["figure"])


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    for word in words:
        assert word in text, text


def test_plot_out_png_writes_that_file_not_a_folder(runner, tmp_path):
    target = tmp_path / "x.png"
    written = _figure(runner.invoke(app, ["plot", "masks", "--out", str(target), "--json"]))
    assert written == target and target.is_file()
    with Image.open(target) as image:
        assert image.format == "PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]  # no folder, no leftover temporary


def test_plot_out_file_suffix_is_the_format(runner, tmp_path):
    svg = _figure(runner.invoke(app, ["plot", "positions", "--out", str(tmp_path / "pe.svg"), "--json"]))
    assert svg == tmp_path / "pe.svg" and svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    pdf = _figure(runner.invoke(app, ["plot", "masks", "--out", str(tmp_path / "m.PDF"), "--format", "pdf",
                                      "--json"]))
    assert pdf.read_bytes().startswith(b"%PDF")
    clash = runner.invoke(app, ["plot", "masks", "--out", str(tmp_path / "m.png"), "--format", "svg"])
    _one_line_error(clash, "ends in .png", "--format is svg")
    assert not (tmp_path / "m.png").exists()


def test_plot_out_folder_gets_fresh_names(runner, tmp_path):
    folder = tmp_path / "figs"
    first = _figure(runner.invoke(app, ["plot", "masks", "--out", str(folder), "--json"]))
    second = _figure(runner.invoke(app, ["plot", "masks", "--out", str(folder), "--format", "svg", "--json"]))
    third = _figure(runner.invoke(app, ["plot", "masks", "--out", str(folder), "--json"]))
    assert (first.name, second.name, third.name) == ("masks.png", "masks.svg", "masks-2.png")
    assert first.parent == second.parent == third.parent == folder
    existing = tmp_path / "shot.png.d"  # an existing folder whose name has a suffix stays a folder
    existing.mkdir()
    assert _figure(runner.invoke(app, ["plot", "masks", "--out", str(existing), "--json"])).parent == existing
    named_like_a_file = tmp_path / "old.png"
    named_like_a_file.mkdir()
    assert _figure(runner.invoke(app, ["plot", "masks", "--out", str(named_like_a_file), "--json"])).parent == \
        named_like_a_file


def test_an_existing_file_is_never_replaced(runner, tmp_path):
    mine = tmp_path / "mine.png"
    mine.write_bytes(b"the learner's own picture")
    result = runner.invoke(app, ["plot", "masks", "--out", str(mine)])
    _one_line_error(result, "already exists", "does not overwrite", "--out")
    assert mine.read_bytes() == b"the learner's own picture"
    chart = runner.invoke(app, ["params", "bert-tiny", "--chart", str(mine)])
    _one_line_error(chart, "already exists", "--chart")
    assert mine.read_bytes() == b"the learner's own picture"
    notes = tmp_path / "notes.txt"
    notes.write_text("keep")
    _one_line_error(runner.invoke(app, ["plot", "masks", "--out", str(notes)]), "is a file")
    assert notes.read_text() == "keep"


def test_an_image_format_seqlab_does_not_write_is_not_made_a_folder(runner, tmp_path):
    result = runner.invoke(app, ["plot", "masks", "--out", str(tmp_path / "fig.jpg")])
    _one_line_error(result, ".png, .svg or .pdf")
    assert not (tmp_path / "fig.jpg").exists()


def test_params_chart_takes_a_file_or_a_folder(runner, tmp_path):
    chart = tmp_path / "tiny.svg"
    result = runner.invoke(app, ["params", "bert-tiny", "--chart", str(chart), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["chart"] == str(chart) and chart.read_text(encoding="utf-8").count("<svg")
    folder = tmp_path / "charts"
    result = runner.invoke(app, ["params", "bert-tiny", "--chart", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert Path(json.loads(result.stdout)["chart"]) == folder / "params.png"


def test_compare_out_file(runner, tmp_path, tiny_runs):
    target = tmp_path / "both.svg"
    result = runner.invoke(app, ["compare", str(tiny_runs["transformer"]), str(tiny_runs["lstm"]),
                                 "--out", str(target), "--json"])
    assert _figure(result) == target and target.is_file()


@pytest.mark.parametrize("command", [["tour", "--only", "params"],
                                     ["experiment", "run", "tokenizers", "--tiny", "--max-train", "50"]])
def test_commands_that_write_several_files_refuse_a_file_name(runner, tmp_path, command):
    result = runner.invoke(app, [*command, "--out", str(tmp_path / "x.png")])
    _one_line_error(result, "names a file", "writes several files", "give a folder")
    assert not (tmp_path / "x.png").exists()


def test_attention_out_refuses_a_file_name(runner, tmp_path, tiny_runs):
    result = runner.invoke(app, ["attention", str(tiny_runs["transformer"]), "a good film",
                                 "--out", str(tmp_path / "x.png")])
    _one_line_error(result, "names a file", "give a folder")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("command", [["plot", "masks"], ["plot", "curves"], ["compare"], ["params"], ["attention"],
                                     ["tour"], ["experiment", "run"]])
def test_every_help_states_the_rule(runner, command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())
    if command[0] in {"attention", "tour", "experiment"}:
        assert "a folder, created if missing (this command writes several files)" in text
    else:
        assert "a file ending in .png, .svg or .pdf (written exactly there, never over an existing file)" in text
