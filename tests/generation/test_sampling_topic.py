"""`seqlab explain sampling`: its live demo trains a tiny LM (seeded, global RNG untouched) whose numbers say what
the topic says, and the CLI renders it."""

from __future__ import annotations

import json

import pytest
import torch

from seqlab.cli import app
from seqlab.explain.catalog import get_topic
from seqlab.explain.demos.generation import CORPUS, PROMPT, TOP_K, TOP_P, sampling_demo


@pytest.fixture(scope="module")
def demo():
    return sampling_demo(0)


def test_the_demo_is_seeded_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = sampling_demo(5)
    assert torch.equal(torch.get_rng_state(), before)
    from seqlab.explain.demos.generation import tiny_lm

    tiny_lm.cache_clear()
    assert sampling_demo(5).values == first.values


def test_the_lm_learned_its_corpus(demo):
    # after "the film was" the corpus continues with great (3 times), very, not, a (once each)
    follows = [text.split()[3] for text in CORPUS if text.startswith(PROMPT + " ")]
    share = follows.count("great") / len(follows)
    values = demo.values
    assert values["tokens"][0] == "great"
    assert values["probabilities"]["1"][0] == pytest.approx(share, abs=0.05)


def test_temperature_sharpens_and_flattens_without_reordering(demo):
    p = demo.values["probabilities"]
    assert p["0.5"][0] > p["1"][0] > p["2"][0]
    for t in ("0.5", "1", "2"):
        assert p[t][0] == max(p[t])


def test_top_k_and_top_p_columns_match_a_hand_computation(demo):
    p = demo.values["probabilities"]["1"]
    top_k, top_p = demo.values["top_k"], demo.values["top_p"]
    assert sum(v > 0 for v in top_k) == TOP_K
    assert top_k[:TOP_K] == pytest.approx([q / sum(p[:TOP_K]) for q in p[:TOP_K]], abs=2e-4)
    kept = sum(v > 0 for v in top_p)
    assert sum(p[:kept]) >= TOP_P - 1e-3 > sum(p[:kept - 1])  # the fewest likeliest tokens reaching p


def test_greedy_writes_the_likeliest_token_and_seeds_repeat(demo):
    assert demo.values["greedy"].startswith(f"{PROMPT} {demo.values['tokens'][0]}")
    assert sampling_demo(0).values["samples_t1"] == demo.values["samples_t1"]
    assert all(text.startswith(PROMPT) for text in demo.values["samples_t1"])


def test_explain_sampling_renders_and_aliases(runner):
    assert get_topic("top-p").id == get_topic("temperature").id == "sampling"
    result = runner.invoke(app, ["explain", "sampling", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["demo"]["values"]["prompt"] == PROMPT
    shown = runner.invoke(app, ["explain", "sampling"], terminal_width=80)
    assert shown.exit_code == 0 and "greedy (t = 0)" in shown.output and "top-p 0.9" in shown.output
