"""Every results page is what its run records make: a number that differs from its record fails here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import accuracy_report  # noqa: E402
import results_pages  # noqa: E402


def test_committed_pages_match_their_records():
    assert results_pages.stale_pages() == []


def test_a_changed_record_changes_the_results_page():
    records = {r["name"]: r for r in accuracy_report.read_records()}
    page = results_pages.RESULTS_PAGE.read_text(encoding="utf-8")
    record = json.loads(json.dumps(records["lm-scratch-sst"]))
    record["result"]["dev"]["accuracy"] = 0.123456
    records["lm-scratch-sst"] = record
    table = results_pages.accuracy_table(records)
    assert "dev 0.123" in table and table not in page


def test_speed_numbers_must_appear_in_the_bench_page():
    results = "## Speed\n\n| what | command | ours vs reference |\n|---|---|---|\n| x | y | **1.34x** and 2.71x |\n"
    assert results_pages.check_speed_table(results, "| 1.34 | ... 12.71 |") == ["2.71x"]


def test_short_command_drops_shared_flags_and_names_lm_runs():
    record = {"command": "SEQLAB_RUNS=runs/a seqlab train --data sst --model lm --init-from /x/run-1 --epochs 5 "
                         "--data-dir /d --seed 0 --device cpu --threads 1 --name n"}
    assert results_pages.short_command(record) == "`--data sst --model lm --init-from LMRUN --epochs 5`"


def test_note_scores_must_come_from_a_record():
    records = [{"result": {"dev": {"accuracy": 0.48594}}, "curve": [0.7001, 12]}]
    notes = "dev 0.486 then 0.700, and a made-up 0.512 (version 10.123 is not a score)"
    assert results_pages.unbacked_note_numbers(notes, records) == ["0.512"]


def test_reproduce_compares_scores_within_the_tolerance():
    import reproduce

    recorded = {"name": "r", "result": {"best_dev": 0.887}, "evaluate": {"test": {"exit_code": 0,
                                                                                 "metrics": {"accuracy": 0.875}}}}
    same = json.loads(json.dumps(recorded))
    assert reproduce.differences(same, recorded, 0.0) == []
    same["result"]["best_dev"] = 0.897
    assert reproduce.differences(same, recorded, 0.02) == []
    assert reproduce.differences(same, recorded, 0.0) == ["r: best dev 0.897 vs recorded 0.887"]
