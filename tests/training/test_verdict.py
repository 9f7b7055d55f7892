"""The verdict line against the majority baseline."""

from __future__ import annotations

from seqlab.training.verdict import judge


def test_levels_follow_the_share_of_the_way_to_perfect():
    assert judge(0.505, 0.5, 5, 5).level == "at chance"
    assert judge(0.40, 0.5, 5, 5).level == "at chance"  # below the baseline is no better
    barely = judge(0.55, 0.5, 3, 3)
    assert barely.level == "barely above chance"
    assert barely.line == "55% vs 50% majority: barely above chance; try --epochs 6"
    assert judge(0.91, 0.9, 5, 5).level == "barely above chance"  # 1 point of 10 left
    assert judge(0.70, 0.5, 5, 2).level == "clearly above chance"
    assert "--lr" in judge(0.70, 0.5, 5, 2).line  # it peaked early: more epochs would not help
    well = judge(0.9625, 0.5, 5, 5)
    assert well.level == "well above chance" and well.line == "96% vs 50% majority: well above chance"


def test_one_epoch_run_is_told_to_train_longer():
    assert judge(0.52, 0.5, 1, 1).line.endswith("try --epochs 3")
