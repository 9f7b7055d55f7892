"""The attention, params, compare and plot commands, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from seqlab.cli import app


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_params_preset_json(runner):
    payload = _json(runner.invoke(app, ["params", "bert-base-uncased", "--json"]))
    assert payload["total"] == {
        "formula": payload["total"]["formula"],
        "value": 109_482_240,
        "counted": 109_482_240,
        "match": True,
    }
    assert payload["heads"]["symbolic_equal"] and payload["heads"]["live_equal"]


def test_params_table_and_chart(runner, tmp_path):
    chart = tmp_path / "lm.png"
    result = runner.invoke(app, ["params", "lm-transfer", "--tied", "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "11,018,201" in result.output and "lm_head (tied)" in result.output
    with Image.open(chart) as image:
        assert image.format == "PNG"


def test_params_bad_input(runner, tmp_path):
    unknown = runner.invoke(app, ["params", "bert-huge"])
    assert unknown.exit_code == 2 and "known presets: bert-base-uncased" in unknown.output
    assert "Traceback" not in unknown.output
    assert runner.invoke(app, ["params"]).exit_code == 2
    assert runner.invoke(app, ["params", "minilm", "--run", str(tmp_path)]).exit_code == 2
    missing_run = runner.invoke(app, ["params", "--run", str(tmp_path / "nope")])
    assert missing_run.exit_code == 2 and "does not exist" in missing_run.output
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    assert runner.invoke(app, ["params", "--config", str(bad_json)]).exit_code == 2


def test_params_config_and_run(runner, tmp_path, tiny_runs):
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "hidden_size": 256,
                "num_hidden_layers": 4,
                "num_attention_heads": 4,
                "intermediate_size": 1024,
                "vocab_size": 30522,
            }
        )
    )
    assert _json(runner.invoke(app, ["params", "--config", str(config), "--json"]))["total"]["counted"] == 11_170_560
    assert _json(runner.invoke(app, ["params", "--run", str(tiny_runs["lstm"]), "--json"]))["match"] is True


def test_attention_run_writes_every_view_without_overwriting(runner, tmp_path, tiny_runs):
    out = tmp_path / "pictures"
    args = ["attention", str(tiny_runs["lm"]), "the movie was great", "--out", str(out), "--json"]
    first = _json(runner.invoke(app, args))
    second = _json(runner.invoke(app, args + ["--format", "svg", "--layer", "0", "--head", "1"]))
    assert first["causal"] and first["layers"] == 1 and first["heads"] == 2
    assert first["tokens"] == ["the", "movie", "was", "great"]
    rows = first["attention"][0]["probabilities"]
    assert rows[0] == [1.0, 0.0, 0.0, 0.0]
    written = {Path(p) for p in first["files"].values() if isinstance(p, str)}
    written |= {Path(p) for p in second["files"].values() if isinstance(p, str)}
    assert len(written) == 12 and all(p.parent == out and p.is_file() for p in written)
    assert Path(second["files"]["head"]).name == "attention-L0-H1.svg"
    assert Path(second["files"]["head_view"]).name == "bertviz-head-view-2.html"
    assert Path(second["files"]["explorer"]).name == "attention-explorer-2.html"


def test_attention_default_folder_is_new_under_figures(runner, tmp_path, tiny_runs, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["attention", str(tiny_runs["transformer"]), "a fine film"])
    assert result.exit_code == 0, result.output
    folders = list((tmp_path / "figures").iterdir())
    assert len(folders) == 1 and len(list(folders[0].iterdir())) == 6
    assert "attention explorer" in result.output and "no network needed" in result.output


def test_attention_bad_input(runner, tmp_path, tiny_runs):
    missing = runner.invoke(app, ["attention", str(tmp_path / "nope"), "text"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert runner.invoke(app, ["attention", str(tiny_runs["lm"])]).exit_code == 2
    bad_format = runner.invoke(app, ["attention", str(tiny_runs["lm"]), "x y", "--format", "gif"])
    assert bad_format.exit_code == 2 and "png, svg, pdf" in bad_format.output
    bad_layer = runner.invoke(app, ["attention", str(tiny_runs["lm"]), "x y", "--layer", "7", "--out", str(tmp_path)])
    assert bad_layer.exit_code == 2 and "layers 0..0" in bad_layer.output
    checkpoint = runner.invoke(app, ["attention", "--checkpoint", str(tmp_path), "x y"])
    assert checkpoint.exit_code == 2 and "no vocab.txt" in checkpoint.output
    lstm = runner.invoke(app, ["attention", str(tiny_runs["lstm"]), "x y", "--out", str(tmp_path)])
    assert lstm.exit_code == 2 and "no attention" in lstm.output


def test_attention_pretrained_pair(runner, tmp_path, minilm_dir):
    payload = _json(
        runner.invoke(
            app, ["attention", "--pretrained", "the cat sat", "--pair", "it slept", "--out", str(tmp_path), "--json"]
        )
    )
    assert payload["layers"] == 6 and payload["heads"] == 12 and payload["sentence_b_start"] == 5
    assert payload["tokens"] == ["[CLS]", "the", "cat", "sat", "[SEP]", "it", "slept", "[SEP]"]
    assert len(payload["attention"]) == 72
    with Image.open(payload["files"]["grid"]) as image:  # 200 dpi, 1.7 inches a map plus the margins
        assert image.size == (round((1.7 * 12 + 2.6) * 200), round((1.7 * 6 + 2.0) * 200))


def test_compare_and_plots(runner, tmp_path, tiny_runs):
    runs = [str(tiny_runs["transformer"]), str(tiny_runs["lstm"])]
    table = runner.invoke(app, ["compare", *runs, "--out", str(tmp_path), "--format", "svg"])
    assert table.exit_code == 0 and "final numbers" in table.output and "curves.svg" in table.output
    confusion = _json(runner.invoke(app, ["plot", "confusion", runs[0], "--out", str(tmp_path), "--json"]))
    assert sum(map(sum, confusion["counts"])) == 400
    curves = _json(runner.invoke(app, ["plot", "curves", runs[1], "--out", str(tmp_path), "--format", "pdf", "--json"]))
    assert Path(curves["figure"]).read_bytes().startswith(b"%PDF")
    masks = _json(
        runner.invoke(app, ["plot", "masks", "--length", "4", "--padding", "1", "--out", str(tmp_path), "--json"])
    )
    assert masks["masks"]["causal + padding"][3] == [1, 1, 1, 0]
    lengths = _json(runner.invoke(app, ["plot", "lengths", "builtin-entailment", "--out", str(tmp_path), "--json"]))
    assert lengths["splits"]["train"]["count"] > 0
    positions = _json(runner.invoke(app, ["plot", "positions", "--out", str(tmp_path), "--format", "svg", "--json"]))
    assert Path(positions["figure"]).suffix == ".svg"


def test_compare_and_plot_bad_input(runner, tmp_path):
    missing = runner.invoke(app, ["compare", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "seqlab runs" in missing.output
    assert runner.invoke(app, ["plot", "confusion", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(app, ["plot", "masks", "--length", "3", "--padding", "5"]).exit_code == 2
    assert runner.invoke(app, ["plot", "lengths", "no-such-dataset"]).exit_code == 2


@pytest.mark.parametrize("command", [["attention"], ["params"], ["compare"], ["plot"], ["plot", "masks"]])
def test_help_teaches(runner, command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and len(result.output) > 300
