"""The rules every encoder shares: truncating a pair, and one position at least."""

from __future__ import annotations

from seqlab.data.encoded import at_least_one_position, truncate_pair


def test_an_empty_encoding_becomes_one_unknown_token() -> None:
    assert at_least_one_position([], [], unk_id=7) == ([7], [0])
    assert at_least_one_position([3, 4], [0, 1], unk_id=7) == ([3, 4], [0, 1])


def test_truncate_pair_shortens_the_longer_side_first() -> None:
    assert truncate_pair([1, 2, 3, 4], [5, 6], 4) == ([1, 2], [5, 6])
    assert truncate_pair([1, 2], [5, 6], 3) == ([1, 2], [5])  # a tie shortens the second text
    assert truncate_pair([1, 2, 3], None, 2) == ([1, 2], None)
    assert truncate_pair([1, 2, 3], None, -1) == ([], None)
