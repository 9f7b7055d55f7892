"""Run names shortened for narrow terminals in `seqlab runs` and `seqlab compare`."""

from __future__ import annotations

from seqlab.training.render import short_run_names


def test_a_unique_prefix_drops_the_stamp() -> None:
    assert short_run_names(["tour-lstm-20261128-184250", "tour-transformer-20261128-184251"]) == [
        "tour-lstm", "tour-transformer"]


def test_a_shared_prefix_keeps_the_time_and_a_full_clash_keeps_the_name() -> None:
    names = ["sst-bert-20261128-101010", "sst-bert-20261129-121212", "sst-bert-20261130-121212", "my-run",
             "sst-bert-20261128-131313-2"]
    assert short_run_names(names) == ["sst-bert …101010", "sst-bert-20261129-121212", "sst-bert-20261130-121212",
                                      "my-run", "sst-bert-20261128-131313-2"]
