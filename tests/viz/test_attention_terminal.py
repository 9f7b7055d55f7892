"""Attention in the terminal: the rich renderables at 80 columns, `seqlab attention` and --query, in a pty too."""

from __future__ import annotations

import json
import os
from pathlib import Path
import re
import sys

import numpy as np
import pytest
from rich.console import Console

from seqlab.cli import app
from seqlab.viz.attention_heads import notable_heads, rank_heads, summarize_heads
from seqlab.viz.attention_terminal import head_matrix, overview, query_view

from .sample_attention import TOKENS, sample_attention


def _render(renderable, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text().splitlines()


def test_overview_shows_the_chosen_head_and_the_notable_ones_in_80_columns():
    probs = sample_attention()
    summaries = summarize_heads(probs, TOKENS)
    lines = _render(overview(probs, TOKENS, rank_heads(summaries), notable_heads(summaries)))
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= 80
    assert "most informative head: L0 H1: tokens -> 'but' 0.85" in text
    assert "L1 H2  attends to the previous token (0.83)" in text
    assert "1 of 6 heads rest on [CLS]/[SEP]" in text
    assert "[b]ok[/]" in text and "$x$" in text  # tokens are shown literally, never as markup
    row = next(line for line in lines if line.startswith("  4 not"))
    assert row.endswith("→ but 0.85") and "█" in row


def test_matrix_of_a_long_input_is_cut_to_the_width_and_says_so():
    n = 60
    probs = np.full((n, n), 1.0 / n)
    lines = _render(head_matrix(probs, [f"w{i}" for i in range(n)], "long", width=80))
    assert max(len(line) for line in lines) <= 80
    assert any("keys shown" in line for line in lines)


def test_causal_rows_leave_the_future_blank():
    probs = np.tril(np.ones((4, 4))) / np.arange(1, 5)[:, None]
    lines = _render(head_matrix(probs, ["a", "b", "c", "d"], "causal", causal=True))
    first = next(line for line in lines if line.startswith("  0 a"))
    assert first.split("→")[0].rstrip().endswith("█")  # one key seen, the rest blank


def test_query_view_lists_every_layer_and_head():
    lines = _render(query_view(sample_attention(), TOKENS, 4))
    heads = [line for line in lines if re.match(r"L\d H\d", line)]
    assert len(heads) == 6 and max(len(line) for line in lines) <= 80
    assert heads[1].endswith("→ but 0.85")
    average = next(line for line in lines if line.startswith("averaged over all heads:"))
    assert "but 0.20" in average
    assert heads[0].endswith("→ spread out")  # a uniform row names no key


def test_attention_command_prints_the_terminal_view(runner, tiny_runs, tmp_path):
    result = runner.invoke(app, ["attention", str(tiny_runs["transformer"]), "the film was not good",
                                 "--out", str(tmp_path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "most informative head: L" in result.output and "notable heads" in result.output
    # only a written file's path may pass 80 columns: it stays whole on a line of its own, to be copied
    long_lines = [line.strip() for line in result.output.splitlines() if len(line) > 80]
    assert all(Path(line).exists() for line in long_lines), long_lines


def test_attention_query_and_json_fields(runner, tiny_runs, tmp_path):
    run = str(tiny_runs["transformer"])
    result = runner.invoke(app, ["attention", run, "the film was not good", "--query", "not", "--out", str(tmp_path)],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "where #3 'not' looks" in result.output
    assert len(re.findall(r"^L\d H\d", result.output, flags=re.M)) == 4
    payload = json.loads(runner.invoke(app, ["attention", run, "the film", "--out", str(tmp_path), "--json"]).stdout)
    assert {"tokens", "attention", "files", "layers", "heads"} <= set(payload)  # what scripts already read
    best = payload["most_informative"]
    assert (payload["files"]["layer"], payload["files"]["head_index"]) == (best["layer"], best["head"])
    assert payload["heads"] == 2 and len(payload["head_summaries"]) == 4 and "selection_rule" in payload
    bad = runner.invoke(app, ["attention", run, "the film", "--query", "cat", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "not one of the tokens" in bad.output and "Traceback" not in bad.output
    dpi = runner.invoke(app, ["attention", run, "the film", "--dpi", "5000", "--out", str(tmp_path)])
    assert dpi.exit_code == 2 and "--dpi 5000 is out of range" in dpi.output


def test_attention_in_a_real_terminal_of_80_columns(tiny_runs, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "80", "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["-m", "seqlab", "attention", str(tiny_runs["transformer"]),
                                           "the film was not good", "--out", str(tmp_path)],
                          env=env, dimensions=(50, 80), encoding="utf-8", timeout=120)
    child.expect(pexpect.EOF)
    child.close()
    output = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    assert child.exitstatus == 0, output
    assert "\x1b[" in child.before  # coloured
    assert "most informative head" in output
    # only a written file's path may pass 80 columns (whole on a line of its own; the terminal soft-wraps it)
    long_lines = [line.strip() for line in output.splitlines() if len(line.rstrip("\r")) > 80]
    assert all(Path(line).exists() for line in long_lines), long_lines


def test_query_view_opens_with_a_summary_of_the_heads_that_read_a_word():
    lines = _render(query_view(sample_attention(), TOKENS, 4))
    # the 6 heads of sample_attention(): L0 H1 -> 'but', L1 H2 -> previous token 'was', L1 H0 rests on [CLS], 3 uniform
    summary = next(line for line in lines if "heads look hardest at a word" in line)
    assert summary.startswith("2 of 6 heads look hardest at a word; 1 at [CLS]/[SEP]")
    assert "3 spread out" in " ".join(lines)
    strongest = next(line for line in lines if line.strip().startswith("strongest:"))
    assert "L0 H1 → but 0.85" in strongest and "L1 H2 → was" in strongest
    assert lines.index(summary) < next(i for i, line in enumerate(lines) if line.startswith("L0 H0"))


def test_word_reading_heads_leave_out_cls_sep_and_spread_rows():
    from seqlab.viz.attention_terminal import word_reading_heads

    probs = sample_attention()
    found = word_reading_heads(probs, TOKENS, 4)
    assert [(layer, head) for layer, head, _, _ in found] == [(0, 1), (1, 2)]
    assert found[0][3] >= found[1][3]


def test_attention_query_on_minilm_summarises_before_the_72_rows(runner, tmp_path):
    import seqlab.paths

    if not seqlab.paths.has_pretrained():
        pytest.skip("needs the [pretrained] extra (MiniLM), which the [test] extra installs")
    result = runner.invoke(app, ["attention", "--pretrained", "the cat sat on the mat", "--query", "cat",
                                 "--out", str(tmp_path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    summary = next(i for i, line in enumerate(lines) if "of 72 heads look hardest at a word" in line)
    assert summary < next(i for i, line in enumerate(lines) if line.startswith("L0 H0"))
    assert "[CLS]/[SEP]" in " ".join(lines[summary:summary + 2])


def test_a_row_whose_strongest_key_is_off_screen_names_it_and_says_so():
    tokens = ["[CLS]"] + [f"w{j}" for j in range(48)] + ["[SEP]"]
    n = len(tokens)
    probs = np.full((n, n), 0.001)
    for i in range(n):
        probs[i, n - 1] = 1.0  # every query on [SEP], the last key: off screen at 80 columns
    probs[3] = 0.001
    probs[3, 2] = 1.0  # query 3 on key 2: on screen
    probs /= probs.sum(-1, keepdims=True)
    lines = _render(head_matrix(probs, tokens, "L0 H0"))
    assert all(len(line) <= 80 for line in lines)
    row = next(line for line in lines if line.startswith("  0 [CLS]"))
    assert "→ [SEP] 0.95" in row and row.endswith(f"›{n - 1}") and "spread out" not in row
    assert "→ w1 " in next(line for line in lines if line.startswith("  3 w2"))
    assert "strongest key of all 50, ›N when key N is off screen" in " ".join(lines)
    keys = " ".join(line for line in lines if line.startswith("keys:") or "·" in line)
    assert "0 [CLS]" in keys and "49 [SEP]" in keys
