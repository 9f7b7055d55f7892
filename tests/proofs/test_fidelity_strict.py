"""Stand-ins never count toward exit 0 under --strict: a part the checks cannot read is "not measured on this model",
named; a part the model does not have makes the row "not applicable" (neither a pass nor a failure)."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from seqlab.cli import app
from seqlab.proofs import checking as proof_checking
from seqlab.proofs.render import check_headline, check_json
from seqlab.proofs.checking import check_identities
from seqlab.proofs.runner import CheckConfig
from seqlab.proofs.target import LiveTarget, random_batch

CPU = torch.device("cpu")
RECURRENT_IDS = ("lstm-not-convex", "lstm-memory", "gru-convex", "rnn-gradients")


class NoForgetLSTM(nn.Module):
    """A student's own LSTM without a forget gate: c_t = c_(t-1) + i * g (not an nn.LSTM, so no check can read it)."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.gates = nn.Linear(input_size + hidden_size, 3 * hidden_size)

    def forward(self, x):
        b, t, _ = x.shape
        h = c = x.new_zeros(b, self.hidden_size)
        for step in range(t):
            i, g, o = self.gates(torch.cat([x[:, step], h], dim=-1)).chunk(3, dim=-1)
            c = c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
        return h


class CellLSTM(nn.Module):
    """An LSTM written as a loop over torch's nn.LSTMCell: the checks read the cell's weights."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.cell = nn.LSTMCell(input_size, hidden_size)

    def forward(self, x):
        h = c = x.new_zeros(x.size(0), self.cell.hidden_size)
        for step in range(x.size(1)):
            h, c = self.cell(x[:, step], (h, c))
        return h


class OwnClassifier(nn.Module):
    """Embedding -> a recurrent module -> linear head."""

    def __init__(self, recurrent: nn.Module, vocab: int = 50, width: int = 16, hidden: int = 24) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, width)
        self.rnn = recurrent
        self.head = nn.Linear(hidden, 2)

    def forward(self, input_ids, attention_mask=None, segment_ids=None):
        return self.head(self.rnn(self.embedding(input_ids)))


def target_of(recurrent: nn.Module) -> LiveTarget:
    torch.manual_seed(0)
    model = OwnClassifier(recurrent).eval()
    return LiveTarget(model, CPU, 0, "own LSTM classifier", random_batch(50, 0, 0, CPU))


def report_for(target: LiveTarget, strict: bool, ids=RECURRENT_IDS):
    return check_identities(CheckConfig(ids=ids, fresh=True, device="cpu", strict=strict), target=target)


def test_own_lstm_without_forget_gate_is_not_measured_and_fails_strict():
    target = target_of(NoForgetLSTM(16, 24))
    lenient, strict = report_for(target, False), report_for(target, True)
    by_id = {row.identity.id: row for row in strict.rows}
    assert {row.identity.id for row in strict.not_measured} == {"lstm-not-convex", "lstm-memory"}
    for name in ("lstm-not-convex", "lstm-memory"):
        assert by_id[name].check.measured_on == "stand-in"
        assert "NOT MEASURED ON THIS MODEL: NoForgetLSTM (rnn)" in by_id[name].check.detail
    assert by_id["gru-convex"].check.measured_on == "not applicable"  # it has no GRU at all
    assert by_id["rnn-gradients"].check.measured_on == "not applicable"
    assert strict.exit_code == 1 and not strict.strict_passed
    assert lenient.exit_code == 0  # without --strict the stand-ins pass, but the headline names what was not measured
    headline = " ".join(check_headline(lenient).split())
    assert "No identity could be measured on own LSTM classifier itself" in headline
    assert "NOT measured on this model" in headline and "lstm-not-convex, lstm-memory" in headline
    assert "--strict would exit 1" in headline
    payload = check_json(strict)
    assert payload["not_measured_on_model"] == ["lstm-not-convex", "lstm-memory"]
    assert payload["counts"]["not_applicable"] == 2 and payload["strict_passed"] is False


def test_an_lstm_built_from_lstm_cells_is_measured_on_the_model():
    report = report_for(target_of(CellLSTM(16, 24)), True)
    by_id = {row.identity.id: row for row in report.rows}
    for name in ("lstm-not-convex", "lstm-memory"):
        assert by_id[name].check.measured_on == "model" and by_id[name].passed, by_id[name].check.detail
        assert "LSTMCell read as a one-layer LSTM" in by_id[name].check.detail
    assert report.exit_code == 0  # the GRU and vanilla-RNN rows do not apply, so they do not block --strict


def test_not_applicable_rows_are_neither_passes_nor_failures():
    report = report_for(target_of(CellLSTM(16, 24)), False)
    na = [row for row in report.rows if not row.applicable]
    assert {row.identity.id for row in na} == {"gru-convex", "rnn-gradients"}
    assert all(not row.passed and not row.failed and row.verdict == "not applicable" for row in na)
    headline = " ".join(check_headline(report).split())
    assert "2/2 identities hold on own LSTM classifier itself" in headline and "2 do not apply to it" in headline


def test_cli_strict_exits_1_on_a_part_it_could_not_read(runner, monkeypatch):
    monkeypatch.setattr(proof_checking, "build_target", lambda config: target_of(NoForgetLSTM(16, 24)))
    args = ["check", "lstm-not-convex", "gru-convex", "--fresh", "--device", "cpu"]
    lenient = runner.invoke(app, args)
    assert lenient.exit_code == 0, lenient.output
    assert "NOT measured on this model" in " ".join(lenient.output.split())
    strict = runner.invoke(app, [*args, "--strict", "--json"])
    assert strict.exit_code == 1, strict.output
    payload = json.loads(strict.output)
    assert payload["strict"] is True and payload["not_measured_on_model"] == ["lstm-not-convex"]
    assert [row["verdict"] for row in payload["results"]] == ["pass", "not applicable"]


def test_cli_strict_passes_a_transformer_whose_recurrent_rows_do_not_apply(runner):
    result = runner.invoke(app, ["check", "attention-scaling", "lstm-memory", "gru-convex", "--fresh", "--device",
                                 "cpu", "--strict"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "1/1 identities hold on fresh lm (random init) itself" in flat and "2 do not apply to it" in flat
    assert "n/a" in result.output


def test_strict_is_documented(runner):
    flat = " ".join(runner.invoke(app, ["check", "--help"]).output.split())
    assert "--strict" in flat and "not measured on this model" in flat.lower()


class TorchAttentionEncoder(nn.Module):
    """An encoder built on torch's nn.MultiheadAttention, which the attention checks cannot read."""

    def __init__(self, vocab: int = 50, width: int = 16) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, width)
        self.attention = nn.MultiheadAttention(width, 2, batch_first=True)
        self.head = nn.Linear(width, 2)

    def forward(self, input_ids, attention_mask=None, segment_ids=None):
        x = self.embedding(input_ids)
        out, _ = self.attention(x, x, x, key_padding_mask=None if attention_mask is None else ~attention_mask)
        return self.head(out.mean(dim=1))


def test_torch_multihead_attention_is_named_as_not_measured():
    torch.manual_seed(0)
    target = LiveTarget(TorchAttentionEncoder().eval(), CPU, 0, "torch attention", random_batch(50, 0, 0, CPU))
    report = report_for(target, True, ids=("attention-scaling", "multihead-params", "lstm-memory"))
    by_id = {row.identity.id: row for row in report.rows}
    for name in ("attention-scaling", "multihead-params"):
        assert by_id[name].check.measured_on == "stand-in"
        assert "MultiheadAttention (attention)" in by_id[name].check.detail
    assert by_id["lstm-memory"].check.measured_on == "not applicable"
    assert report.exit_code == 1


def test_causal_mask_is_not_fooled_by_a_pooled_vector_as_wide_as_the_text():
    """A causal classifier's pooled [B, D] is not a per-position output, even when D equals the text's length T."""
    from seqlab.models.transformer import TransformerClassifier, TransformerConfig
    from seqlab.proofs import select

    torch.manual_seed(0)
    batch = random_batch(50, 0, 0, CPU)
    width = batch["input_ids"].shape[1]  # 16: the pooled vector has the batch's [B, T] shape
    config = TransformerConfig(vocab_size=50, d_model=width, n_heads=2, n_layers=1, d_ff=32, dropout=0.0)
    model = TransformerClassifier(config, num_labels=2, causal=True, pooling="last").eval()
    result = select(["causal-mask"])[0].check(LiveTarget(model, CPU, 0, "causal classifier", batch))
    assert result.passed, result.detail
