"""The Pareto front of (cost, score) points: the configurations no other one beats on both."""

from __future__ import annotations

from typing import Sequence


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points not dominated by another (lower-or-equal cost and higher-or-equal score, one strictly).

    Sorted by cost. Of exact duplicates, only the first is kept.
    """
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1], i))
    front: list[int] = []
    best_score = float("-inf")
    for index in order:
        score = points[index][1]
        if score > best_score:  # cheapest-first: a point joins only if it beats every cheaper one
            front.append(index)
            best_score = score
    return front
