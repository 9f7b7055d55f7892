"""The Pareto front: cheapest-first, each point strictly better than every cheaper one."""

from __future__ import annotations

from seqlab.experiments.pareto import pareto_front


def test_front_keeps_only_undominated_points_sorted_by_cost():
    points = [(100, 0.70), (50, 0.60), (200, 0.65), (400, 0.80), (50, 0.55), (300, 0.80)]
    assert pareto_front(points) == [1, 0, 5]


def test_equal_cost_keeps_the_better_score_and_duplicates_once():
    assert pareto_front([(10, 0.5), (10, 0.7), (10, 0.7)]) == [1]


def test_empty_and_single():
    assert pareto_front([]) == []
    assert pareto_front([(1.0, 0.1)]) == [0]
