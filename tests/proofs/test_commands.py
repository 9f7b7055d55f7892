"""`seqlab prove` and `seqlab check` through the CLI: JSON shape, LaTeX export, exit codes."""

from __future__ import annotations

import json

from seqlab.cli import app
from seqlab.models import attention as attention_module

from . import broken


def test_prove_json_has_steps_and_verdicts(runner):
    result = runner.invoke(app, ["prove", "layernorm-norm", "gru-convex", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["all_verified"] is True
    assert [item["id"] for item in payload["identities"]] == ["layernorm-norm", "gru-convex"]
    first = payload["identities"][0]
    assert first["verified"] is True and "eps = 0" in first["conditions"]
    assert {"explanation", "text", "latex"} <= set(first["steps"][0])
    assert any("\\sqrt{d}" in step["latex"] for step in first["steps"])


def test_prove_prints_steps_and_writes_latex(runner, tmp_path):
    target = tmp_path / "out" / "proofs.tex"
    result = runner.invoke(app, ["prove", "layernorm-2d", "--latex", str(target)])
    assert result.exit_code == 0, result.output
    assert "1/1 proofs verified" in result.output and "verified" in result.output
    assert "γ" in result.output  # sympy's unicode pretty printing
    tex = target.read_text()
    assert "\\section{2-D layer norm" in tex and "\\end{document}" in tex


def test_prove_unknown_id_lists_known_and_exits_2(runner):
    result = runner.invoke(app, ["prove", "layer-norm"])
    assert result.exit_code == 2
    assert "unknown identity layer-norm" in result.output and "layernorm-norm" in result.output
    assert "Traceback" not in result.output


def test_check_fresh_json_shape(runner):
    result = runner.invoke(app, ["check", "padding-mask", "multihead-params", "--fresh", "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["all_passed"] is True and payload["device"] == "cpu" and payload["seed"] == 0
    assert "fresh" in payload["target"]
    row = payload["results"][0]
    assert row["id"] == "padding-mask"
    assert {"symbolic_verified", "measured", "tolerance", "bound", "live_passed", "passed", "detail", "extra"} <= set(row)
    assert row["bound"] == "<="


def test_check_table_for_people(runner):
    result = runner.invoke(app, ["check", "lstm-memory", "layernorm-norm", "--fresh", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    for word in ("identity", "sympy", "measured on", "bound", "verdict", "pass", "n/a", "stand-in", "model"):
        assert word in result.output
    flat = " ".join(result.output.split())
    assert "1/1 identities hold on fresh lm (random init) itself" in flat
    assert "1 does not apply to it" in flat  # the Transformer has no LSTM: neither a pass nor a failure
    assert "the model has no LSTM, so this identity is not about it" in flat


def test_check_exits_1_when_an_identity_fails(runner, monkeypatch):
    monkeypatch.setattr(attention_module, "causal_mask", broken.shifted_causal_mask)
    result = runner.invoke(app, ["check", "causal-mask", "--fresh", "--device", "cpu", "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["all_passed"] is False and payload["results"][0]["live_passed"] is False


def test_check_needs_exactly_one_model(runner):
    none = runner.invoke(app, ["check"])
    assert none.exit_code == 2 and "choose exactly one model" in none.output
    both = runner.invoke(app, ["check", "--fresh", "--pretrained"])
    assert both.exit_code == 2 and "--pretrained and --fresh" in both.output
    stray = runner.invoke(app, ["check", "--fresh", "--checkpoint", "somewhere"])
    assert stray.exit_code == 2 and "--checkpoint only goes with --pretrained" in stray.output


def test_check_bad_inputs_are_one_line(runner, tmp_path):
    missing_run = runner.invoke(app, ["check", "--run", str(tmp_path / "nope")])
    assert missing_run.exit_code == 2 and "does not exist" in missing_run.output
    bad_id = runner.invoke(app, ["check", "nope", "--fresh"])
    assert bad_id.exit_code == 2 and "known:" in bad_id.output
    bad_checkpoint = runner.invoke(app, ["check", "--pretrained", "--checkpoint", str(tmp_path / "nope")])
    assert bad_checkpoint.exit_code == 2 and "does not exist" in bad_checkpoint.output
    for result in (missing_run, bad_id, bad_checkpoint):
        assert "Traceback" not in result.output
        assert len([line for line in result.output.splitlines() if line.strip()]) <= 2


def test_help_teaches(runner):
    for command in ("prove", "check"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "sympy" in result.output
    assert "--pretrained" in runner.invoke(app, ["check", "--help"]).output
