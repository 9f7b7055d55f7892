"""Where one query looks in every head (`seqlab attention --query`): one bar chart per head in a layers x heads
grid, the heads that read a word framed and named, every text inside the canvas, MiniLM's 72 heads on a 16:9
slide; the command writes it next to the other pictures and lists it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from seqlab.cli import app
from seqlab.viz.figures import save_figure
from seqlab.viz.head_patterns import word_reading_heads
from seqlab.viz.query_heads_figure import READER, SLIDE_WIDTH, query_heads_figure
from .layout import assert_clean_layout
from .sample_attention import TOKENS, sample_attention


def _framed(ax) -> bool:
    return to_hex(ax.spines["top"].get_edgecolor()) == to_hex(READER)


def test_one_chart_per_head_with_the_readers_framed_and_named():
    figure = query_heads_figure(sample_attention(), TOKENS, 4)
    axes = {ax.get_label(): ax for ax in figure.axes}
    assert sorted(axes) == [f"L{layer} H{head}" for layer in range(2) for head in range(3)]
    assert figure.get_suptitle() == "where #4 'not' looks, in every layer and head"
    assert axes["L0 H1"].get_title() == "L0 H1 → but .85" and axes["L1 H2"].get_title().startswith("L1 H2 → was")
    assert axes["L1 H0"].get_title() == "L1 H0" and axes["L0 H0"].get_title() == "L0 H0"  # [CLS], spread out
    assert {name for name, ax in axes.items() if _framed(ax)} == {"L0 H1", "L1 H2"}
    bottom = [t.get_text() for t in axes["L1 H0"].get_xticklabels() if t.get_visible()]
    assert bottom == TOKENS  # drawn literally: '$x$' is not math, '[b]ok[/]' not markup
    assert [t.get_text() for t in axes["L0 H0"].get_xticklabels() if t.get_visible()] == []  # bottom row only
    assert all(len(ax.containers[0]) == len(TOKENS) for ax in figure.axes)  # one bar per key
    assert "2 of 6 heads" in figure.get_supxlabel() and "numbered from 0" in figure.get_supxlabel()
    assert_clean_layout(figure)


def test_a_causal_query_sees_no_later_key():
    n = len(TOKENS)
    probs = np.tril(np.ones((1, 2, n, n)))
    probs = probs / probs.sum(-1, keepdims=True)
    probs[0, 1, 4] = 0.0
    probs[0, 1, 4, 2] = 1.0  # 'not' -> 'acting'
    figure = query_heads_figure(probs, TOKENS, 4, causal=True)
    heights = [bar.get_height() for bar in figure.axes[1].containers[0]]
    assert heights[2] == 1.0 and all(h == 0 for h in heights[5:])
    assert figure.axes[1].get_title() == "L0 H1 → acting 1.0"
    assert_clean_layout(figure)


def test_minilm_72_heads_fit_a_slide(minilm_dir, tmp_path):
    from seqlab.viz.attention_heads import find_token
    from seqlab.viz.attention_source import attention_from_pretrained

    capture = attention_from_pretrained("the cat sat on the mat")
    index = find_token(capture.tokens, "cat")
    figure = query_heads_figure(capture.probabilities, capture.tokens, index, title="where #2 'cat' looks")
    assert len(figure.axes) == 72
    width, height = figure.get_size_inches()
    assert width <= SLIDE_WIDTH + 1e-6 and height <= 7.5 + 1e-6
    readers = word_reading_heads(capture.probabilities, capture.tokens, index)
    assert sum(_framed(ax) for ax in figure.axes) == len(readers) > 0
    assert_clean_layout(figure)
    path = save_figure(figure, tmp_path / "where.png", dpi=100)
    assert Image.open(path).size == (int(width * 100), int(height * 100))  # inches x dpi


def test_attention_query_writes_the_figure_and_lists_it(runner, tiny_runs, tmp_path):
    run = str(tiny_runs["transformer"])
    result = runner.invoke(app, ["attention", run, "the film was not good", "--query", "not", "--out",
                                 str(tmp_path / "text")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "text").glob("attention-query-*-heads.png"))
    assert len(written) == 1
    lines = result.output.splitlines()
    listed = lines.index("  where #3 'not' looks, every layer and head:")
    assert Path(lines[listed + 1].strip()) == written[0]
    payload = json.loads(runner.invoke(app, ["attention", run, "the film was not good", "--query", "#3", "--out",
                                             str(tmp_path / "json"), "--json"]).stdout)
    assert Path(payload["files"]["query_heads"]).name == "attention-query-3-heads.png"
    assert Path(payload["files"]["query_heads"]).is_file() and payload["query"] == {"token": "not", "index": 3}
    plain = json.loads(runner.invoke(app, ["attention", run, "the film", "--out", str(tmp_path / "plain"),
                                           "--json"]).stdout)
    assert "query_heads" not in plain["files"]
