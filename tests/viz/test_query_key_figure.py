"""The q·k slide: 16:9 at slide size, every text inside the canvas and no title overlapping another text, for a
bidirectional BERT (MiniLM) and a causal LM with masked keys; the pixel size follows inches x dpi."""

from __future__ import annotations

import pytest
from PIL import Image

from seqlab.viz.attention_steps import steps_from_pretrained, steps_from_run
from seqlab.viz.figures import save_figure
from seqlab.viz.query_key_figure import SLIDE_INCHES, query_key_figure
from .layout import assert_clean_layout

SENTENCE = "the acting was not good but the story was fun and moving"


def _titles(figure) -> list[str]:
    return [ax.get_title() for ax in figure.axes if ax.get_title()]


def test_minilm_slide_is_clean_and_16_by_9(minilm_dir, tmp_path):
    steps = steps_from_pretrained(SENTENCE, 3, 7, "but")
    figure = query_key_figure(steps)
    assert tuple(figure.get_size_inches()) == pytest.approx(SLIDE_INCHES)
    assert any("q·k" in t for t in _titles(figure)) and any("softmax" in t for t in _titles(figure))
    assert "numbered from 0" in figure.get_supxlabel()
    assert_clean_layout(figure)
    path = save_figure(figure, tmp_path / "qk.png", dpi=100)
    assert Image.open(path).size == (1333, 750)


def test_causal_slide_marks_masked_keys(tiny_runs):
    steps = steps_from_run(tiny_runs["lm"], SENTENCE, 0, 1, "good")
    figure = query_key_figure(steps)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    masked = int((~steps.allowed).sum())
    assert masked > 0 and sum(text.endswith("masked") for text in texts) == 2 * masked  # scaled and softmax panels
    assert any("masked (causal)" in t for t in _titles(figure))
    assert_clean_layout(figure)
