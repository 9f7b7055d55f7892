"""Counted parameters against the formulas: every preset, runs, JSON configs, and what a mismatch looks like."""

from __future__ import annotations

import json

import pytest
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.counting import formulas as fx
from seqlab.counting.heads import heads_check
from seqlab.counting.presets import PRESETS, preset_report, spec_report
from seqlab.counting.parts import report_for_model
from seqlab.counting.report import Part, count_report


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_matches_its_formula(name):
    report = preset_report(name)
    assert report.match, [p for p in report.parts if not p.match]
    assert report.total_counted == report.total_value
    assert all(p.name != "unaccounted" for p in report.parts)


def test_bert_base_is_the_published_number():
    assert preset_report("bert-base-uncased").total_counted == 109_482_240


def test_lm_transfer_body_and_heads():
    untied = preset_report("lm-transfer", tied=False)
    tied = preset_report("lm-transfer", tied=True)
    classifier = preset_report("lm-transfer-classifier")
    body = 10_968_200
    assert classifier.total_counted == body + 402
    assert untied.total_counted == body + 10_050_201
    assert tied.total_counted == body + 50_001
    assert any("bias present" in note for note in tied.notes)
    assert any(f"{body:,}" in note for note in untied.notes)


def test_rnn_layers_follow_pytorch_layout():
    for cell, module in (("lstm", nn.LSTM), ("gru", nn.GRU)):
        torch_count = sum(p.numel() for p in module(100, 128, num_layers=2, bidirectional=True).parameters())
        report = preset_report(cell)
        rnn_rows = [p for p in report.parts if p.name.startswith("rnn.")]
        assert sum(p.counted for p in rnn_rows) == torch_count
        assert all(p.match for p in rnn_rows)


def test_symbols_are_the_configs(tmp_path):
    report = preset_report("minilm")
    assert report.symbols == {"V": 30522, "P": 512, "S": 2, "d": 384, "f": 1536, "L": 6}
    attention = next(p for p in report.parts if p.name == "layers.*.attention")
    assert attention.formula == "L*(4*d^2 + 4*d)" and attention.value == 6 * (4 * 384**2 + 4 * 384)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(SeqlabError, match="known presets: bert-base-uncased"):
        preset_report("bert-huge")


def test_unclaimed_parameters_show_as_a_mismatch():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    report = count_report(model, [Part("first", r"^0\.", fx.linear(4, 3))], {}, "two layers")
    assert report.parts[-1].name == "unaccounted" and report.parts[-1].counted == 8
    assert not report.match and report.total_counted == 23 and report.total_value == 15


def test_bert_config_json_and_seqlab_spec(tmp_path):
    bert = spec_report(
        {
            "hidden_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "intermediate_size": 512,
            "vocab_size": 30522,
        },
        "config.json",
    )
    assert bert.match and bert.total_counted == preset_report("bert-tiny").total_counted
    spec = spec_report(
        {
            "family": "gru",
            "embed_dim": 8,
            "hidden_size": 8,
            "num_layers": 3,
            "bidirectional": True,
            "vocab_size": 50,
            "num_labels": 3,
        },
        "gru.json",
    )
    assert spec.match and spec.symbols["C"] == 3
    with pytest.raises(SeqlabError, match="neither a seqlab model spec"):
        spec_report({"hello": 1}, "x.json")


def test_heads_check_counts_live_modules():
    check = heads_check(384)
    assert check.symbolic_equal and check.live_equal
    assert check.counts[12] == 4 * 384**2 + 4 * 384
    assert check.formula_single == "4*d^2 + 4*d"


def test_report_json_round_trips():
    payload = preset_report("bert-tiny").to_dict()
    assert json.loads(json.dumps(payload))["total"]["match"] is True


@pytest.mark.parametrize("spec", [
    {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32,
     "sentence_objective": "sop"},
], ids=["transformer-mlm", "bert-mlm-sop"])
def test_masked_lms_count_their_tied_head_once_and_the_sentence_head(spec):
    from seqlab.models import factory

    model = factory.build_mlm(spec, vocab_size=50, pad_id=0)
    report = report_for_model(model, "mlm", "")
    assert report.match and report.total_counted == sum(p.numel() for p in model.parameters())
    names = [p.name for p in report.parts]
    assert "head.decoder (tied)" in names and ("sentence_head" in names) == ("sentence_objective" in spec)


def test_gpt2_is_the_published_number_counted_on_a_built_model():
    from seqlab.counting.presets import GPT2_COUNT

    report = preset_report("gpt2")
    assert report.total_counted == report.total_value == GPT2_COUNT == 124_439_808
    rows = {p.name: p for p in report.parts}
    assert rows["token_embedding"].counted == 50257 * 768 and rows["positions"].counted == 1024 * 768
    assert rows["final_norm"].counted == 2 * 768
    assert rows["lm_head (tied)"].counted == 0  # wte reused, no output bias
    assert report.symbols["L"] == 12 and report.match


def test_gpt2_with_an_output_bias_is_off_by_the_vocabulary(monkeypatch):
    """A student's GPT-2 whose tied head keeps nn.Linear's bias has V = 50,257 parameters too many."""
    from seqlab.counting import presets
    from seqlab.models.transformer import CausalLM

    monkeypatch.setitem(presets.PRESETS, "gpt2", presets.Preset(
        "gpt2", "with bias", lambda tied: CausalLM(presets.gpt2_config(), tie_weights=True)))
    report = preset_report("gpt2")
    assert report.match  # the formula follows the model it counts...
    assert report.total_counted - presets.GPT2_COUNT == 50257  # ...which is not GPT-2


def test_params_gpt2_on_the_command_line(runner):
    from seqlab.cli import app as cli_app

    result = runner.invoke(cli_app, ["params", "gpt2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["total"]["counted"] == payload["total"]["value"] == 124_439_808 and payload["match"] is True
