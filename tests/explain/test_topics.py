"""Topics: every one renders with its live demo, demos compute what they claim, lookups and errors."""

from __future__ import annotations

import json
import math
import re

import pytest
import torch

from seqlab.cli import app
from seqlab.io import to_jsonable
from seqlab.errors import SeqlabError
from seqlab.explain import all_topics, get_topic, topic_ids
from seqlab.explain.catalog import ALIASES
from seqlab.explain.render import formula_lines
from seqlab.explain.demos.text import greedy_wordpiece

REQUIRED_TOPICS = {
    "tokenization",
    "embeddings",
    "rnn",
    "lstm-gru",
    "gradients",
    "optimizers",
    "attention",
    "scaling",
    "multi-head",
    "masks",
    "positions",
    "residual",
    "layer-norm",
    "encoder-decoder",
    "objectives",
    "cls-pooling",
    "fine-tuning",
    "parameters",
    "compound-scaling",
    "bias-probes",
    "metrics",
}


@pytest.fixture(scope="module")
def demos():
    """Every topic's demo computed once with seed 0 (shared by the tests below)."""
    return {topic.id: topic.demo(0) for topic in all_topics()}


def test_catalog_covers_the_syllabus():
    ids = topic_ids()
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)
    assert REQUIRED_TOPICS <= set(ids)
    for alias, target in ALIASES.items():
        assert target in ids, alias
        assert get_topic(alias).id == target


def test_every_topic_has_complete_text():
    for topic in all_topics():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", topic.id)
        for text in (topic.title, topic.summary, topic.idea, topic.formula):
            assert text.strip(), topic.id
        assert len(topic.summary) < 110, topic.id  # one line in the list
        assert topic.misconceptions and all(m.strip() for m in topic.misconceptions)
        assert topic.commands and all(c.startswith("seqlab ") for c in topic.commands)
        assert all(len(line) <= 80 for line in formula_lines(topic.formula)), topic.id


def test_every_topic_renders_with_its_demo(demos):
    from rich.console import Console

    from seqlab.explain.render import print_topic

    for topic in all_topics():
        console = Console(record=True, width=100)
        print_topic(topic, demos[topic.id], console)
        text = console.export_text()
        assert topic.title in text and "computed live" in text and demos[topic.id].title[:30] in text
        for misconception in topic.misconceptions:
            assert misconception.split()[0] in text
        assert (
            json.loads(json.dumps(to_jsonable(topic.as_dict(demos[topic.id]))))["demo"]["title"]
            == demos[topic.id].title
        )


def test_explain_command_renders(runner):
    for name in ("attention", "lstm", "bias-probes"):  # an id, an alias, and one with a trained demo
        result = runner.invoke(app, ["explain", name, "--seed", "3"])
        assert result.exit_code == 0, result.output
        assert get_topic(name).title in result.output and "See it run" in result.output
    short = runner.invoke(app, ["explain", "masks", "--short"])
    assert short.exit_code == 0 and "Common misconceptions" not in short.output


def test_demos_are_seeded(demos):
    for topic in all_topics():
        again = topic.demo(0)
        assert again.rows == demos[topic.id].rows, topic.id
        assert again.notes == demos[topic.id].notes, topic.id
    assert get_topic("attention").demo(1).rows != demos["attention"].rows


def test_attention_demo_rows_are_distributions(demos):
    probs = torch.tensor(demos["attention"].values["probabilities"])
    assert probs.shape == (4, 4)
    assert torch.allclose(probs.sum(-1), torch.ones(4), atol=1e-3)
    assert (probs > 0).all()


def test_masks_demo_zeroes_pads(demos):
    probs = torch.tensor(demos["masks"].values["probabilities"])
    allowed = torch.tensor(demos["masks"].values["allowed"])[:3]
    assert (probs[~allowed] == 0).all()
    assert torch.allclose(probs.sum(-1), torch.ones(3), atol=1e-3)
    assert not allowed[:, 3:].any() and allowed[:, :3].all()  # the encoder case: padding mask only


def test_layer_norm_demo_measures_sqrt_d(demos):
    norms = demos["layer-norm"].values["norms"]
    assert norms["biased var, eps = 0"] == pytest.approx(math.sqrt(8), abs=1e-9)
    assert norms["unbiased var (Annotated Transformer)"] == pytest.approx(math.sqrt(7), abs=1e-9)
    assert norms["biased var, eps = 1e-5 (torch default)"] < math.sqrt(8)
    assert demos["layer-norm"].values["max_abs_difference_torch"] < 1e-9
    for point in demos["layer-norm"].values["two_d"]:
        assert sorted(point) == pytest.approx([-1.0, 1.0], abs=1e-6)


def test_recurrent_demos_match_torch(demos):
    assert demos["rnn"].values["max_abs_difference"] < 1e-6
    lstm = demos["lstm-gru"].values
    assert lstm["lstm_max_abs_error"] < 1e-6 and lstm["gru_max_abs_error"] < 1e-6
    assert lstm["max_abs_f_plus_i_minus_1"] > 0.01
    assert demos["padding-packing"].values["packed_error"] < 1e-6
    assert demos["padding-packing"].values["naive_error"] > 1e-3


def test_gradient_demo_vanishes_for_small_weights_and_clips(demos):
    norms = demos["gradients"].values["gradient_norms"]
    assert norms["0.5"] < 1e-6 < norms["3.0"]
    assert demos["gradients"].values["clipped"] == pytest.approx([0.6, 0.8], abs=1e-4)


def test_hand_written_optimizers_match_torch_optim():
    from seqlab.explain.demos.recurrent import OPTIMIZER_SETTINGS, _quadratic_grad, optimize_by_hand

    factories = {
        "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
        "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
        "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr),
        "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
        "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    }
    start = torch.tensor([2.0, 1.0], dtype=torch.float64)
    for rule, lr in OPTIMIZER_SETTINGS.values():
        point = start.clone().requires_grad_(True)
        optimizer = factories[rule]([point], lr)
        for _ in range(20):
            optimizer.zero_grad()
            (0.5 * (point[0] ** 2 + 50 * point[1] ** 2)).backward()
            optimizer.step()
        by_hand = optimize_by_hand(rule, start, _quadratic_grad, lr, steps=20)
        assert torch.allclose(by_hand, point.detach(), atol=1e-9), rule


def test_scaling_demo_variance_grows_with_dk(demos):
    values = demos["scaling"].values
    for d_k in ("4", "64", "512"):
        assert values[d_k]["var_dot"] == pytest.approx(int(d_k), rel=0.15)
        assert values[d_k]["var_scaled"] == pytest.approx(1.0, rel=0.15)
    assert values["512"]["peak_unscaled"] > values["512"]["peak_scaled"]


def test_multihead_and_parameter_demos_match_formulas(demos):
    assert set(demos["multi-head"].values["params_by_heads"].values()) == {4 * 768 * 768 + 4 * 768}
    for name, pair in demos["parameters"].values.items():
        assert pair["counted"] == pair["formula"], name


def test_positions_demo_depends_only_on_offset(demos):
    for offset, dots in demos["positions"].values["dot_by_offset"].items():
        assert max(dots) - min(dots) < 1e-9, offset
    assert demos["positions"].values["permutation_difference"] < 1e-5


def test_encoder_decoder_demo_causal_outputs_do_not_move(demos):
    shifts = demos["encoder-decoder"].values["output_shift"]
    assert max(shifts["decoder (GPT, causal)"][:4]) == 0.0
    assert min(shifts["encoder (BERT, bidirectional)"][:4]) > 0.0


def test_objectives_demo_masks_and_shifts(demos):
    values = demos["objectives"].values
    words = "the movie was long but the ending made it worth every minute".split()
    assert values["causal_targets"] == words[1:]
    picked = [i for i, t in enumerate(values["masked_targets"]) if t != "-"]
    assert picked and all(values["masked_targets"][i] == words[i] for i in picked)
    assert all(values["masked_input"][i] == words[i] for i in range(len(words)) if i not in picked)
    for name, expected in values["expected"].items():  # 20,000 maskings: within 5 standard errors
        assert abs(values["shares"][name] - expected) < 5 * (expected * (1 - expected) / (20_000 * 12)) ** 0.5, name


def test_pretraining_objectives_is_a_name_for_the_objectives_topic():
    from seqlab.explain.catalog import get_topic

    assert get_topic("pretraining objectives").id == get_topic("mlm").id == "objectives"


def test_metrics_demo_matches_sklearn():
    from sklearn.metrics import accuracy_score, f1_score

    from seqlab.explain.demos.practice import accuracy_and_macro_f1

    gen = torch.Generator().manual_seed(5)
    gold = torch.randint(4, (300,), generator=gen)
    predicted = torch.where(torch.rand(300, generator=gen) < 0.5, gold, torch.zeros_like(gold))
    for guess in (predicted, torch.zeros_like(gold)):
        accuracy, macro = accuracy_and_macro_f1(gold, guess, 4)
        assert accuracy == pytest.approx(accuracy_score(gold, guess))
        assert macro == pytest.approx(f1_score(gold, guess, average="macro", zero_division=0))


def test_bias_probe_detects_the_planted_bias(demos):
    assert demos["bias-probes"].values["mean_gap"] > 0.05
    assert demos["fine-tuning"].values["body_change"] == 0.0
    assert demos["fine-tuning"].values["head_change"] > 0.0


def test_greedy_wordpiece_longest_match_first():
    vocab = {"un", "##aff", "##able", "unaff", "[UNK]", "token", "##ization"}
    assert greedy_wordpiece("unaffable", vocab) == ["unaff", "##able"]
    assert greedy_wordpiece("tokenization", vocab) == ["token", "##ization"]
    assert greedy_wordpiece("xyz", vocab) == ["[UNK]"]


def test_tokenization_demo_agrees_with_library(demos):
    assert demos["tokenization"].values["hand_matches_library"] is True


def test_explain_json(runner):
    result = runner.invoke(app, ["explain", "layer-norm", "--json", "--seed", "2"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "layer-norm" and data["formula"] and data["misconceptions"]
    assert data["demo"]["values"]["sqrt_d"] == pytest.approx(math.sqrt(8))
    listing = json.loads(runner.invoke(app, ["explain", "--json"]).output)
    assert [row["id"] for row in listing] == topic_ids()


def test_explain_lists_topics(runner):
    result = runner.invoke(app, ["explain"])
    assert result.exit_code == 0
    for topic_id in ("tokenization", "layer-norm", "bias-probes"):
        assert topic_id in result.output


def test_unknown_topic_is_one_line_with_close_matches(runner):
    result = runner.invoke(app, ["explain", "layernrom"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "unknown topic 'layernrom'" in lines[0] and "layer-norm" in lines[0]
    with pytest.raises(SeqlabError, match="known topics"):
        get_topic("zzzzzzzzzzzz")


def test_proof_ids_named_by_topics_exist():
    proofs = pytest.importorskip("seqlab.proofs")
    known = {identity.id for identity in proofs.all_identities()}
    for topic in all_topics():
        for command in topic.commands:
            words = command.split()
            if words[1] in ("prove", "check"):
                named = [w for w in words[2:] if not w.startswith("-")]
                assert set(named) <= known, (topic.id, command)


def test_tokenization_demo_without_pretrained_vocab(monkeypatch):
    import seqlab.paths

    monkeypatch.setattr(seqlab.paths, "has_pretrained", lambda: False)
    demo = get_topic("tokenization").demo(0)
    assert "demo vocabulary" in demo.values["vocabulary"]
    assert demo.values["splits"]["transformers"] == ["transform", "##ers"]
    assert all("[UNK]" not in pieces for pieces in demo.values["splits"].values())


def test_help_lists_explain_and_quiz(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "explain" in result.output and "quiz" in result.output
