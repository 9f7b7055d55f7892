"""`seqlab generate` through the CLI (typer's CliRunner) on tiny LM runs, checked against the live model."""

from __future__ import annotations

import json

import pytest
import torch

from seqlab.cli import app
from seqlab.training.loading import load_run

PROMPT = "the film was"


def _generate(runner, run, *options: str) -> dict:
    result = runner.invoke(app, ["generate", str(run), PROMPT, *options, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


WORD_NEVER_WRITTEN = [0, 2]  # <pad> and <cls> of a word vocabulary: no training text continues with them


def _model_logits(run, tokens_before: list[int]) -> torch.Tensor:
    """The run's next-token logits after `tokens_before`, computed here from the model itself, with the tokens
    no text continues with taken out."""
    loaded = load_run(run)
    ids = torch.tensor([tokens_before])
    with torch.no_grad():
        logits = loaded.model(ids, torch.ones_like(ids, dtype=torch.bool)).logits[0, -1].double()
    logits[WORD_NEVER_WRITTEN] = float("-inf")
    return logits


def _prompt_ids(run) -> list[int]:
    return load_run(run).encoder.encode(PROMPT).ids


def test_greedy_is_deterministic_and_writes_the_argmax(runner, gen_runs):
    run = gen_runs["lm"]
    first = _generate(runner, run, "--max-new-tokens", "6")
    again = _generate(runner, run, "--max-new-tokens", "6", "--seed", "123")  # the seed plays no part in greedy
    assert first["text"] == again["text"] and len(first["tokens"]) == 6
    assert first["settings"]["mode"] == "greedy"
    ids = _prompt_ids(run)
    for step in first["steps"]:
        assert step["token_id"] == int(_model_logits(run, ids).argmax())
        ids.append(step["token_id"])


def test_seeded_sampling_same_seed_same_text_other_seeds_differ(runner, gen_runs):
    run = gen_runs["lm"]
    options = ("--temperature", "1.5", "--max-new-tokens", "12")
    texts = {seed: _generate(runner, run, *options, "--seed", str(seed))["text"] for seed in (0, 1, 2, 3)}
    assert _generate(runner, run, *options, "--seed", "2")["text"] == texts[2]
    assert len(set(texts.values())) > 1, texts


def test_temperature_zero_and_one_distributions(runner, gen_runs):
    run = gen_runs["lm"]
    model = torch.softmax(_model_logits(run, _prompt_ids(run)), -1)
    greedy = _generate(runner, run, "--max-new-tokens", "1")["steps"][0]
    sampled = _generate(runner, run, "--max-new-tokens", "1", "--temperature", "1")["steps"][0]
    sharp = _generate(runner, run, "--max-new-tokens", "1", "--temperature", "0.5")["steps"][0]
    assert [c["probability"] for c in greedy["candidates"]] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert greedy["kept"] == 1
    ids = [load_run(run).encoder.words.index(c["token"]) for c in sampled["candidates"]]
    for candidate, token_id in zip(sampled["candidates"], ids):  # t = 1: drawn with the model's own softmax
        assert candidate["probability"] == pytest.approx(candidate["model_probability"], abs=1e-6)
        assert candidate["model_probability"] == pytest.approx(float(model[token_id]), abs=1e-5)
    tempered = torch.softmax(torch.log(model) / 0.5, -1)
    for candidate, token_id in zip(sharp["candidates"], ids):
        assert candidate["tempered_probability"] == pytest.approx(float(tempered[token_id]), abs=1e-5)
    assert sharp["candidates"][0]["probability"] > sampled["candidates"][0]["probability"]


def test_top_k_and_top_p_truncate_as_computed_by_hand(runner, gen_runs):
    run = gen_runs["lm"]
    steps = _generate(runner, run, "--max-new-tokens", "1", "--temperature", "1", "--top-k", "3")["steps"][0]
    p = [c["model_probability"] for c in steps["candidates"]]
    assert steps["kept"] == 3
    assert [c["probability"] for c in steps["candidates"]] == pytest.approx([p[0] / sum(p[:3]), p[1] / sum(p[:3]),
                                                                             p[2] / sum(p[:3]), 0.0, 0.0], abs=1e-6)
    nucleus = p[0] + p[1] + p[2] / 2  # reached within the third token: the nucleus holds exactly three
    steps = _generate(runner, run, "--max-new-tokens", "1", "--temperature", "1", "--top-p", f"{nucleus:.6f}")
    step = steps["steps"][0]
    assert step["kept"] == 3
    assert [c["probability"] for c in step["candidates"]][:3] == pytest.approx([q / sum(p[:3]) for q in p[:3]],
                                                                               abs=1e-5)


def test_stops_at_the_context_length_with_a_note(runner, gen_runs):
    out = _generate(runner, gen_runs["short"], "--max-new-tokens", "40")
    assert out["stopped"] == "context" and out["context_length"] == 8
    assert len(out["prompt_tokens"]) + len(out["tokens"]) == 8
    assert "context length: 8 tokens" in out["note"]
    shown = runner.invoke(app, ["generate", str(gen_runs["short"]), PROMPT, "--max-new-tokens", "40"])
    assert shown.exit_code == 0 and "stopped at the context length" in shown.output


def test_wordpiece_lm_continues_without_the_closing_sep(runner, gen_runs, wordpiece_family):
    out = _generate(runner, gen_runs["wordpiece"], "--max-new-tokens", "5", "--temperature", "0.7", "--seed", "1")
    assert out["prompt_tokens"] == ["[CLS]", "the", "film", "was"]
    assert out["text"].startswith("the film was")
    assert not {"[PAD]", "[CLS]", "[MASK]"} & set(out["tokens"])
    assert out["stopped"] in ("max-new-tokens", "end")


def test_show_probs_prints_each_step_in_a_table(runner, gen_runs):
    result = runner.invoke(app, ["generate", str(gen_runs["lm"]), PROMPT, "--max-new-tokens", "2", "--show-probs",
                                 "--temperature", "0.7", "--top-k", "4"], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "p at t=1" in result.output and "p at t=0.7" in result.output and "p drawn" in result.output
    assert "✓" in result.output and "top-k 4" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize("kind, says", [("classifier", "a classifier run"), ("mlm", "a masked-LM run")])
def test_refuses_a_run_that_is_not_a_causal_lm(runner, gen_runs, kind, says):
    result = runner.invoke(app, ["generate", str(gen_runs[kind]), PROMPT])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0]
    assert "seqlab train --model lm --task lm" in lines[0] and "Traceback" not in result.output


@pytest.mark.parametrize("options, says", [
    (("--temperature", "-1"), "--temperature"),
    (("--top-p", "0"), "--top-p"),
    (("--max-new-tokens", "0"), "--max-new-tokens"),
])
def test_bad_options_are_one_error_line(runner, gen_runs, options, says):
    result = runner.invoke(app, ["generate", str(gen_runs["lm"]), PROMPT, *options])
    assert result.exit_code == 2 and says in result.output and len(result.output.strip().splitlines()) == 1


def test_a_prompt_as_long_as_the_context_is_refused(runner, gen_runs):
    result = runner.invoke(app, ["generate", str(gen_runs["short"]), "a b c d e f g h i j"])
    assert result.exit_code == 2 and "shorten the prompt" in result.output


def test_stop_at_ends_after_the_token(runner, gen_runs):
    full = _generate(runner, gen_runs["lm"], "--max-new-tokens", "15")
    stop = full["tokens"][2]  # greedy: the same tokens again, so stopping at the third one cuts there
    cut = _generate(runner, gen_runs["lm"], "--max-new-tokens", "15", "--stop-at", stop, "--stop-at", "zzz")
    first = full["tokens"].index(stop)
    assert cut["tokens"] == full["tokens"][: first + 1] and cut["stopped"] == "stop-at"
    assert "--stop-at" in cut["note"]
