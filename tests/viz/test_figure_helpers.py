"""Small pieces behind the figures: titles, bins, smooth position curves, part names, tick labels, dpi."""

from __future__ import annotations

import numpy as np
import pytest

from seqlab.errors import SeqlabError
from seqlab.viz.attention_export import display_name, sentence_of
from seqlab.viz.attention_source import AttentionCapture
from seqlab.viz.figures import check_dpi, shorten
from seqlab.viz.lengths import word_bins
from seqlab.viz.param_chart import _count, readable_part
from seqlab.viz.positions_masks import sinusoid


def test_shorten_cuts_at_a_word():
    assert shorten("a  b\nc") == "a b c"
    assert shorten("the acting was not good but the story was great", 24) == "the acting was not good…"


def test_title_sentence_joins_pieces_and_marks_the_pair():
    tokens = ("[CLS]", "un", "##like", "it", "[SEP]", "fine", "[SEP]")
    capture = AttentionCapture("m", tokens, np.zeros((1, 1, 7, 7), np.float32), 5, False)
    assert sentence_of(capture) == "unlike it | fine"
    assert display_name("builtin-sentiment-transformer-20261128-171841") == "builtin-sentiment-transformer"
    assert display_name("MiniLM-L6-H384") == "MiniLM-L6-H384"


def test_word_bins_are_whole_words():
    edges = word_bins(3, 10)
    assert edges[0] == 2.5 and np.all(np.diff(edges) == 1) and edges[-1] >= 10.5
    wide = word_bins(1, 400, bins=40)
    assert np.all(np.diff(wide) == 10) and np.all((wide + 0.5) % 1 == 0) and wide[-1] >= 400.5


def test_smooth_positions_agree_with_the_table_at_whole_positions():
    from seqlab.models.positions import sinusoidal_table

    table = sinusoidal_table(20, 16).numpy()
    for dim in (0, 1, 7, 8, 15):
        np.testing.assert_allclose(sinusoid(np.arange(20.0), dim, 16), table[:, dim], atol=1e-5)


def test_part_names_and_counts_read_as_words():
    assert readable_part("layers.*.feed-forward", 6) == "feed-forward (all 6 layers)"
    assert readable_part("blocks.*.ffn", 2) == "feed-forward (all 2 layers)"
    assert readable_part("embeddings.word") == "word embeddings"
    assert readable_part("rnn.layer 0") == "RNN layer 0"
    assert [_count(v) for v in (0, 500, 45_000, 12_000_000, 2.5e9)] == ["0", "500", "45k", "12M", "2.5B"]


def test_dpi_range():
    assert check_dpi(200) == 200
    with pytest.raises(SeqlabError, match="50..600"):
        check_dpi(10)
