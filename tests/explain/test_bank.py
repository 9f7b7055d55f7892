"""The quiz bank: well-formed questions with exactly one right answer, numbers recomputed from torch modules."""

from __future__ import annotations

import math
from typing import Callable

import pytest
import torch
from torch import nn

from seqlab.explain import counts, get_topic, topic_ids
from seqlab.explain.bank import QUESTIONS, SST_DEV_COUNTS
from seqlab.explain.questions import AnswerFormatError, Question


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def meta_embedding(rows: int, dim: int) -> nn.Embedding:
    """An embedding whose weight is never initialised (a random init on meta is slow and not needed)."""
    return nn.Embedding(rows, dim, _weight=torch.empty(rows, dim, device="meta"))


def self_attention(d_model: int, heads: int) -> nn.Module:
    try:
        from seqlab.models.attention import MultiHeadSelfAttention
    except ImportError:
        return nn.MultiheadAttention(d_model, heads)
    return MultiHeadSelfAttention(d_model, heads)


def _bidirectional_feature_size() -> int:
    lstm = nn.LSTM(10, 128, bidirectional=True, batch_first=True)
    _, (h_n, _) = lstm(torch.zeros(1, 3, 10))
    return torch.cat([h_n[0], h_n[1]], dim=-1).shape[-1]


def _clipped_first() -> float:
    param = torch.zeros(2, requires_grad=True)
    param.grad = torch.tensor([3.0, 4.0])
    nn.utils.clip_grad_norm_([param], max_norm=1.0)
    return float(param.grad[0])


def _dot_variance() -> float:
    gen = torch.Generator().manual_seed(0)
    q, k = torch.randn(100_000, 64, generator=gen), torch.randn(100_000, 64, generator=gen)
    return float((q * k).sum(-1).var())


def _attention_divisor() -> float:
    module = self_attention(768, 12)
    if isinstance(module, nn.MultiheadAttention):
        head_width = module.head_dim
    else:
        head_width = int(vars(module)["d_head"])  # seqlab's MultiHeadSelfAttention
    return math.sqrt(head_width)


def _score_entries() -> int:
    module = self_attention(24, 12)  # the width does not change the score tensor's size
    if isinstance(module, nn.MultiheadAttention):
        x = torch.zeros(512, 1, 24)
        _, probs = module(x, x, x, average_attn_weights=False)
    else:
        _, probs = module(torch.zeros(1, 512, 24), need_weights=True)
    return probs.numel()


def _layer_norm_output_norm() -> float:
    x = torch.randn(5, 384, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 4 + 1
    return float(nn.LayerNorm(384, eps=0.0, elementwise_affine=False, dtype=torch.float64)(x).norm(dim=-1).max())


def _bert_base_total() -> int:
    with torch.device("meta"):
        parts = [meta_embedding(30522, 768), meta_embedding(512, 768), meta_embedding(2, 768), nn.LayerNorm(768)]
        parts += [nn.TransformerEncoderLayer(768, 12, 3072) for _ in range(12)]
        parts.append(nn.Linear(768, 768))  # pooler
        return sum(n_params(part) for part in parts)


def _tied_lm_total() -> int:
    with torch.device("meta"):
        model = nn.ModuleDict({"embedding": nn.Embedding(50001, 200), "head": nn.Linear(200, 50001)})
        model["head"].weight = model["embedding"].weight  # tied: one tensor, parameters() yields it once
        return n_params(model)


def _meta_count(build: Callable[[], nn.Module]) -> int:
    with torch.device("meta"):
        return n_params(build())


def _majority_scores() -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    gold = [label for label, count in SST_DEV_COUNTS.items() for _ in range(count)]
    guess = [max(SST_DEV_COUNTS, key=SST_DEV_COUNTS.__getitem__)] * len(gold)
    return accuracy_score(gold, guess), f1_score(gold, guess, average="macro", zero_division=0)


# Every numeric question, recomputed without seqlab.explain.counts.
def _top_p_count() -> int:
    from seqlab.training.generation import top_p_filter

    logits = torch.tensor([0.5, 0.2, 0.15, 0.1, 0.05], dtype=torch.float64).log()
    return int(torch.isfinite(top_p_filter(logits, 0.8)).sum())


def _top2_first() -> float:
    from seqlab.training.generation import top_k_filter

    logits = torch.tensor([0.5, 0.2, 0.15, 0.1, 0.05], dtype=torch.float64).log()
    return float(top_k_filter(logits, 2).softmax(-1)[0])


RECOMPUTE: dict[str, Callable[[], float]] = {
    "top-p-count": _top_p_count,
    "top-k-renormalise": _top2_first,
    "embedding-params-lm": lambda: _meta_count(lambda: meta_embedding(50001, 200)),
    "bilstm-feature-size": _bidirectional_feature_size,
    "lstm-params": lambda: n_params(nn.LSTM(100, 128)),
    "gru-params": lambda: n_params(nn.GRU(100, 128)),
    "bilstm-params": lambda: n_params(nn.LSTM(300, 256, num_layers=2, bidirectional=True)),
    "clip-component": _clipped_first,
    "dot-variance": _dot_variance,
    "bert-base-scale": _attention_divisor,
    "bert-attention-params": lambda: _meta_count(lambda: self_attention(768, 12)),
    "score-entries": _score_entries,
    "causal-allowed": lambda: int(torch.ones(10, 10).tril().sum()),
    "bert-position-params": lambda: _meta_count(lambda: meta_embedding(512, 768)),
    "layernorm-norm-384": _layer_norm_output_norm,
    "layernorm-params": lambda: n_params(nn.LayerNorm(768)),
    "bert-ffn-params": lambda: _meta_count(lambda: nn.Sequential(nn.Linear(768, 3072), nn.Linear(3072, 768))),
    "cls-head-params": lambda: n_params(nn.Linear(768, 5)),
    "frozen-trainable": lambda: n_params(nn.Linear(384, 2)),
    "bert-base-total": _bert_base_total,
    "bert-layer-params": lambda: _meta_count(lambda: nn.TransformerEncoderLayer(768, 12, 3072)),
    "lm-head-params": lambda: _meta_count(lambda: nn.Linear(200, 50001)),
    "tied-lm-total": _tied_lm_total,
    "width-ratio": lambda: n_params(nn.LSTM(256, 256)) / n_params(nn.LSTM(128, 128)),
    "sst-majority-accuracy": lambda: _majority_scores()[0],
    "sst-majority-macro-f1": lambda: _majority_scores()[1],
    "random-accuracy": lambda: float(torch.eye(4).mean()),  # P(guess == gold) over all 4 x 4 pairs
    "uniform-ce": lambda: float(nn.functional.cross_entropy(torch.zeros(1, 5), torch.tensor([3]))),
}


def test_bank_size_and_ids():
    assert len(QUESTIONS) >= 40
    ids = [q.id for q in QUESTIONS]
    assert len(set(ids)) == len(ids)
    assert {q.kind for q in QUESTIONS} == {"true-false", "choice", "number"}
    assert {q.topic for q in QUESTIONS} == set(topic_ids())  # every topic has questions, no stray topics


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_question_is_well_formed(question: Question):
    assert question.prompt.strip() and question.explanation.strip()
    assert question.see and question.see[0] == f"seqlab explain {question.topic}"
    if question.kind == "true-false":
        assert isinstance(question.answer, bool) and not question.options
    elif question.kind == "choice":
        assert isinstance(question.answer, int) and not isinstance(question.answer, bool)
        assert 2 <= len(question.options) <= 8 and len(set(question.options)) == len(question.options)
        assert 0 <= question.answer < len(question.options)
        right = [i for i in range(len(question.options)) if question.is_correct(i)]
        assert right == [question.answer]  # exactly one correct option
    else:
        assert math.isfinite(float(question.answer)) and question.tolerance >= 0
        assert question.id in RECOMPUTE, "add an independent recomputation for every numeric question"
    assert question.is_correct(question.parse(question.answer_key()))


@pytest.mark.parametrize("question_id", sorted(RECOMPUTE))
def test_numeric_answer_recomputed_from_torch(question_id: str):
    question = next(q for q in QUESTIONS if q.id == question_id)
    assert question.kind == "number"
    expected = RECOMPUTE[question_id]()
    slack = 1.0 if question_id == "dot-variance" else 1e-9  # a sampled variance, not an exact count
    assert abs(float(question.answer) - expected) <= max(question.tolerance, slack), (question.answer, expected)


def test_given_examples_from_the_brief():
    by_id = {q.id: q for q in QUESTIONS}
    assert by_id["bert-attention-params"].answer == 4 * 768 * 768 + 4 * 768 == 2_362_368
    assert by_id["lstm-params"].answer == 117_760
    assert by_id["norm-attention-matrix"].answer is False
    assert by_id["bert-sop"].answer is False
    assert by_id["bert-base-total"].answer == 109_482_240


def test_links_point_at_real_topics_and_proofs():
    proofs = pytest.importorskip("seqlab.proofs")
    known = {identity.id for identity in proofs.all_identities()}
    for question in QUESTIONS:
        for command in question.see:
            words = command.split()
            if words[1] == "explain":
                get_topic(words[2])
            if words[1] in ("prove", "check"):
                assert {w for w in words[2:] if not w.startswith("-")} <= known, (question.id, command)


def test_parsing_accepts_plain_forms_and_rejects_others():
    tf = next(q for q in QUESTIONS if q.kind == "true-false")
    mc = next(q for q in QUESTIONS if q.kind == "choice")
    num = next(q for q in QUESTIONS if q.kind == "number")
    assert tf.parse(" T ") is True and tf.parse("no") is False
    assert mc.parse("B") == 1
    assert num.parse("117_760") == 117760 and num.parse("117,760") == 117760 and num.parse("1.5e3") == 1500
    for question, bad in ((tf, "maybe"), (mc, "z"), (mc, "1"), (num, "lots"), (num, "nan"), (num, "")):
        with pytest.raises(AnswerFormatError):
            question.parse(bad)


def test_counts_match_torch_for_other_shapes():
    for cell, module in (("lstm", nn.LSTM), ("gru", nn.GRU)):
        for layers, bidirectional in ((1, False), (3, True)):
            assert counts.rnn_params(cell, 7, 5, layers, bidirectional) == n_params(
                module(7, 5, layers, bidirectional=bidirectional)
            )
    assert counts.transformer_layer_params(32, 64) == n_params(nn.TransformerEncoderLayer(32, 4, 64))
    assert counts.attention_params(48) == n_params(self_attention(48, 6))
