"""The explain sentences corrected in issue 15, each pinned by the fact it states, computed here."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.explain import get_topic
from seqlab.explain.bank import QUESTIONS


def _text(topic_id: str) -> str:
    topic = get_topic(topic_id)
    return " ".join([topic.summary, topic.idea, topic.formula, *topic.misconceptions])


def test_masks_demo_pad_columns_are_exactly_zero_under_a_non_causal_mask():
    values = get_topic("masks").demo(0).values
    assert values["causal"] is False
    probs = torch.tensor(values["probabilities"])
    allowed = torch.tensor(values["allowed"])
    assert allowed[:, :3].all()  # no causal mask: every real key is visible to every real query
    assert (probs[:, 3:] == 0).all()  # the pad columns, and only because of the padding mask
    assert torch.allclose(probs.sum(-1), torch.ones(3), atol=1e-3)
    assert values["pad_weight_without_mask"] > 0.05  # without it the pads would get real weight


def test_masks_demo_left_padding_needs_both_masks_in_a_decoder():
    values = get_topic("masks").demo(0).values
    probs = torch.tensor(values["left_padded_probabilities"])  # real queries 3..5 over [PAD] [PAD] the film rocks
    assert (probs[:, :2] == 0).all()
    assert probs[0, 3:].eq(0).all() and probs[1, 4] == 0  # nothing above the diagonal
    assert values["left_padded_pad_weight_causal_only"] > 0.05  # the causal mask alone would let pads in


def test_layer_norm_text_says_mean_0_and_mean_square_1_of_one_vector():
    text = _text("layer-norm")
    assert "every coordinate has variance 1" not in text
    assert "mean 0 and mean square 1" in text
    x = torch.randn(5, 16, dtype=torch.float64) * 3 + 1
    y = nn.functional.layer_norm(x, (16,), eps=0.0)
    assert torch.allclose(y.mean(-1), torch.zeros(5, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(y.pow(2).mean(-1), torch.ones(5, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(y.norm(dim=-1), torch.full((5,), math.sqrt(16), dtype=torch.float64))


def test_attention_cost_text_matches_its_formula():
    text = _text("multi-head")
    assert "not in the width d" not in text
    assert "T d²" in text and "T < 2d" in text
    from seqlab.proofs.cost import attention_flops

    d = 64
    projections = 8 * (2 * d - 1) * d * d  # at T = 2d - 1 the projections still cost more than the scores
    assert projections > attention_flops(2 * d - 1, d) - projections


def test_padding_text_admits_that_a_backward_rnn_reads_the_pads():
    text = _text("padding-packing")
    assert "Padding does not change the result" not in text
    assert "backward RNN" in text
    torch.manual_seed(0)
    rnn = nn.GRU(3, 4, batch_first=True, bidirectional=True)
    real = torch.randn(1, 3, 3)
    padded = torch.cat([real, torch.zeros(1, 2, 3)], dim=1)
    with torch.no_grad():
        alone, _ = rnn(real)
        read, _ = rnn(padded)
    hidden = 4
    assert (read[0, :3, hidden:] - alone[0, :, hidden:]).abs().max() > 1e-3  # the backward half read the pads
    assert (read[0, :3, :hidden] - alone[0, :, :hidden]).abs().max() < 1e-6  # the forward half did not


def test_gradient_text_orders_the_jacobian_product():
    text = _text("gradients")
    assert "J_T J_(T−1) ⋯ J_(k+1)" in text
    torch.manual_seed(0)
    w = torch.randn(3, 3, dtype=torch.float64)
    h0 = torch.randn(3, dtype=torch.float64, requires_grad=True)
    h1 = torch.tanh(w @ h0)
    h2 = torch.tanh(w @ h1)
    autograd = torch.autograd.functional.jacobian(lambda h: torch.tanh(w @ torch.tanh(w @ h)), h0.detach())
    j1 = torch.diag(1 - h1.detach() ** 2) @ w
    j2 = torch.diag(1 - h2.detach() ** 2) @ w
    assert torch.allclose(autograd, j2 @ j1)  # later step on the left
    assert not torch.allclose(autograd, j1 @ j2)


def test_fine_tuning_table_calls_its_share_trainable():
    demo = get_topic("fine-tuning").demo(0)
    assert demo.columns[-1] == "trainable share when frozen"
    for _, head, total, share in demo.rows:
        trainable = int(head.replace(",", "")) / int(total.replace(",", ""))
        assert share == f"{100 * trainable:.4f}%" and trainable < 0.01  # a tiny share is trainable, not frozen


def test_rows_sum_one_question_points_to_a_proof_of_row_sums():
    from seqlab.proofs import select

    question = next(q for q in QUESTIONS if q.id == "rows-sum-one")
    assert "seqlab prove attention-rows" in question.see
    proof = select(["attention-rows"])[0].prove()
    assert proof.verified
    assert any("sum_j p_ij" in str(step.expression) or "sum_j" in step.explanation for step in proof.steps)
