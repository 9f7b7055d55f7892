"""Every figure seqlab draws passes the layout check (text inside the canvas, no title overlaps), and
text from users ($x$, a\\b, <i>) is drawn literally, as editable SVG text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from seqlab.viz.attention_maps import attention_grid, head_average, single_head
from seqlab.viz.confusion import Confusion, confusion_figure, read_confusion
from seqlab.viz.curves import RunCurves, curves_figure, curves_title, read_curves
from seqlab.viz.figures import pyplot, save_figure
from seqlab.viz.lengths import lengths_figure
from seqlab.viz.param_chart import params_figure
from seqlab.counting.presets import preset_report
from seqlab.viz.positions_masks import masks_figure, positions_figure
from .layout import assert_clean_layout, layout_problems

PAIR = ["[CLS]", "the", "acting", "was", "not", "good", "[SEP]", "the", "film", "was", "fun", "[SEP]"]
USER_TEXT = ["$x$", "a\\b", "<i>"]


def _probs(layers: int, heads: int, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(layers, heads, n, n)) * 2
    return (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(np.float32)


def _lengths() -> dict[str, list[int]]:
    rng = np.random.default_rng(0)
    return {split: list(rng.integers(3, 60, size=size)) for split, size in (("train", 300), ("dev", 60), ("test", 80))}


FIGURES = {
    "grid, MiniLM shape, a pair": lambda: attention_grid(_probs(6, 12, len(PAIR)), PAIR, '"the acting"\nMiniLM',
                                                         sentence_b_start=7),
    "grid, small": lambda: attention_grid(_probs(2, 4, 6), PAIR[:6], '"s"\nmodel'),
    "one head": lambda: single_head(_probs(1, 1, len(PAIR))[0, 0], PAIR, '"s"\nmodel: layer 0, head 0',
                                    sentence_b_start=7),
    "one head, long input": lambda: single_head(_probs(1, 1, 40)[0, 0], [f"w{i}" for i in range(40)], "t"),
    "average, 6 layers": lambda: head_average(_probs(6, 12, len(PAIR)), PAIR, '"s"\nMiniLM: average',
                                              sentence_b_start=7),
    "average, 5 layers": lambda: head_average(_probs(5, 2, 5), PAIR[:5], "five layers"),
    "average, 1 layer": lambda: head_average(_probs(1, 2, 5), PAIR[:5], "one layer"),
    "positions": lambda: positions_figure(100, 64),
    "masks": lambda: masks_figure(8, 3),
    "lengths": lambda: lengths_figure(_lengths(), "a dataset: words per example"),
    "params, minilm": lambda: params_figure(preset_report("minilm")),
    "params, lstm": lambda: params_figure(preset_report("lstm")),
    "confusion, SST names": lambda: confusion_figure(
        Confusion("sst-run", tuple("01234"), np.arange(25).reshape(5, 5) * 7, "sst", "dev", "bert-pretrained")
    ),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_has_a_clean_layout(name):
    figure = FIGURES[name]()
    try:
        assert_clean_layout(figure)
    finally:
        pyplot().close(figure)


def test_run_figures_have_a_clean_layout(tiny_runs):
    curves = [read_curves(tiny_runs[name]) for name in ("transformer", "lstm")]
    for figure in (
        curves_figure(curves[:1], curves_title(curves[0])),
        curves_figure(curves, "training curves"),
        confusion_figure(read_confusion(tiny_runs["transformer"])),
    ):
        assert_clean_layout(figure)
        pyplot().close(figure)


def test_the_check_catches_text_outside_and_titles_overlapping():
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("a title")
    figure.text(1.05, 0.5, "off the edge")
    title_box = ax.title
    figure.canvas.draw()
    ax.text(0.5, 1.0, "on the title", transform=ax.transAxes, va="bottom", ha="center",
            fontsize=title_box.get_fontsize())
    problems = layout_problems(figure)
    plt.close(figure)
    assert any("'off the edge' falls outside" in p for p in problems)
    assert any("'a title' overlaps text 'on the title'" in p for p in problems)


def _svg_texts(path) -> str:
    root = ET.fromstring(path.read_bytes())
    return " ".join("".join(node.itertext()) for node in root.iter() if node.tag.endswith("text"))


def test_user_text_is_drawn_literally_as_svg_text(tmp_path):
    title = " ".join(USER_TEXT)
    figures = {
        "grid": attention_grid(_probs(1, 2, 3), USER_TEXT, f"\u201c{title}\u201d\nmodel"),
        "head": single_head(_probs(1, 1, 3)[0, 0], USER_TEXT, title),
        "average": head_average(_probs(2, 2, 3), USER_TEXT, title),
        "lengths": lengths_figure(_lengths(), f"{title}: words per example"),
        "confusion": confusion_figure(Confusion(title, tuple(USER_TEXT), np.eye(3, dtype=int) * 4, title)),
        "curves": curves_figure([RunCurves(title, "lstm", title, "classify",
                                           {"dev": {"accuracy": [(1, 0.5)], "loss": [(1, 0.7)]}})], title),
    }
    for name, figure in figures.items():
        assert not layout_problems(figure), name
        text = _svg_texts(save_figure(figure, tmp_path / f"{name}.svg"))
        for piece in USER_TEXT:
            assert piece in text, (name, piece)


def test_png_default_is_200_dpi(tmp_path):
    from PIL import Image

    plt = pyplot()
    figure, _ = plt.subplots(figsize=(3, 2))
    with Image.open(save_figure(figure, tmp_path / "a.png")) as image:
        assert image.size == (600, 400)
    figure, _ = plt.subplots(figsize=(3, 2))
    with Image.open(save_figure(figure, tmp_path / "b.png", dpi=100)) as image:
        assert image.size == (300, 200)
