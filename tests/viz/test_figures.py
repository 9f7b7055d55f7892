"""Figures are real images of the expected size; SVG and PDF are well-formed; nothing is overwritten."""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from seqlab.errors import SeqlabError
from seqlab.viz.attention_maps import attention_grid, head_average, single_head, tile_grid
from seqlab.outputs import fresh_name, output_folder
from seqlab.viz.figures import DPI, check_format, save_figure
from seqlab.viz.positions_masks import mask_matrices, masks_figure, positions_figure

TOKENS = ["[CLS]", "costs", "$5", "</script>", '"quoted"', "[SEP]"]


def _probs(layers: int, heads: int, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(layers, heads, n, n))
    return (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(np.float32)


def test_grid_png_has_the_predicted_pixel_size(tmp_path):
    cell = 1.7
    path = save_figure(attention_grid(_probs(6, 12, len(TOKENS)), TOKENS, cell=cell), tmp_path / "grid.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (round((cell * 12 + 2.6) * DPI), round((cell * 6 + 2.0) * DPI))


def test_tiles_keep_each_map_and_leave_gaps():
    probs = _probs(2, 3, 4)
    mosaic = tile_grid(probs)
    assert mosaic.shape == (2 * 5 - 1, 3 * 5 - 1)
    np.testing.assert_array_equal(mosaic[5:9, 10:14], probs[1, 2])
    assert np.isnan(mosaic[4]).all()


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_formats_are_well_formed(tmp_path, fmt):
    path = save_figure(single_head(_probs(1, 1, len(TOKENS))[0, 0], TOKENS), tmp_path / f"head.{fmt}", fmt)
    data = path.read_bytes()
    if fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
    else:
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_head_average_and_pictures_of_positions_and_masks(tmp_path):
    for name, figure in (
        ("avg", head_average(_probs(3, 4, 5), TOKENS[:5])),
        ("pos", positions_figure(50, 32)),
        ("masks", masks_figure(6, 2)),
    ):
        with Image.open(save_figure(figure, tmp_path / f"{name}.png")) as image:
            image.verify()


def test_masks_are_what_attention_uses():
    masks = mask_matrices(5, 2)
    np.testing.assert_array_equal(masks["causal"], np.tril(np.ones((5, 5), dtype=np.int8)))
    assert masks["padding"][:, 3:].sum() == 0 and masks["padding"][:, :3].all()
    np.testing.assert_array_equal(masks["causal + padding"], masks["causal"] & masks["padding"])
    with pytest.raises(SeqlabError):
        mask_matrices(4, 4)


def test_format_and_folder_rules(tmp_path):
    assert check_format("SVG") == "svg"
    with pytest.raises(SeqlabError, match="png, svg, pdf"):
        check_format("gif")
    (tmp_path / "a.png").write_bytes(b"x")
    assert fresh_name(tmp_path, "a", ".png").name == "a-2.png"
    first, second = output_folder(None, "x", tmp_path / "figs"), output_folder(None, "x", tmp_path / "figs")
    assert first != second and first.is_dir() and second.is_dir()
    with pytest.raises(SeqlabError, match="is a file"):
        output_folder(tmp_path / "a.png", "x")


def test_positions_figure_uses_the_formulas_pair_index():
    """The formula's i is a pair index: a dimension is j (j = 2i or 2i+1), never 'dimension i', and the formula
    it refers to is the figure's title (issue 30.9)."""
    from .layout import assert_clean_layout

    fig = positions_figure(50, 32)
    texts = [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes] + [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert not any(re.search(r"dimension i\b|dim i\b|\[p, i\]", t) for t in texts), texts
    assert "dimension j (j = 2i: sin, j = 2i+1: cos; i is the pair)" in texts and "PE[p, j]" in texts
    assert "j = 1 = 2i+1, i = 0" in texts and "j = 0 = 2i, i = 0" in texts and "j = 6 = 2i, i = 3" in texts
    assert fig._suptitle.get_text() == "PE[p, 2i] = sin(p / 10000^(2i/d)),   PE[p, 2i+1] = cos(p / 10000^(2i/d))"
    assert_clean_layout(fig)
