"""Positions: the sinusoidal table follows the formula and holds no parameters; learned ones do."""

from __future__ import annotations

import math

import pytest

from seqlab.errors import SeqlabError
from seqlab.models.positions import LearnedPositions, SinusoidalPositions, make_positions, sinusoidal_table


@pytest.mark.parametrize("d_model", [8, 7])
def test_table_follows_vaswani_formula(d_model: int) -> None:
    table = sinusoidal_table(50, d_model)
    assert table.shape == (50, d_model)
    for p in (0, 1, 17, 49):
        for i in range(d_model):
            angle = p / 10000 ** ((i - i % 2) / d_model)
            expected = math.sin(angle) if i % 2 == 0 else math.cos(angle)
            assert table[p, i].item() == pytest.approx(expected, abs=1e-5)


def test_sinusoidal_has_no_parameters_and_is_not_saved() -> None:
    positions = SinusoidalPositions(16, 32)
    assert list(positions.parameters()) == []
    assert positions.state_dict() == {}
    assert positions(5).shape == (5, 16)


def test_learned_positions_have_max_len_times_width_parameters() -> None:
    positions = LearnedPositions(16, 32)
    assert sum(p.numel() for p in positions.parameters()) == 16 * 32
    assert positions(5).shape == (5, 16)


def test_too_long_sequence_and_unknown_kind_are_clear_errors() -> None:
    with pytest.raises(SeqlabError, match="longer than the model's max_len 4"):
        SinusoidalPositions(8, 4)(5)
    with pytest.raises(SeqlabError, match="unknown positions 'rotary'"):
        make_positions("rotary", 8, 4)
