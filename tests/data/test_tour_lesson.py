"""The tour's lesson frame: takeaways computed from what ran, the synthetic-corpus note, the ending."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from seqlab.tour import TourContext, relative_to, tour_steps
from seqlab.tour.lesson import LESSONS, pictures, print_ending, print_opening, takeaway


def _ctx(tmp_path: Path) -> TourContext:
    return TourContext(out_dir=tmp_path, seed=0, device="cpu", console=Console(record=True, width=80))


def test_every_step_has_a_lesson():
    assert {step.name for step in tour_steps()} <= set(LESSONS)


def test_train_takeaway_says_the_corpus_is_synthetic_only_at_100_percent(tmp_path):
    ctx = _ctx(tmp_path)
    perfect = {"lstm": {"dev_accuracy": 1.0}, "transformer": {"dev_accuracy": 0.9525}, "majority_accuracy": 0.5}
    line = takeaway("train", perfect, ctx)
    assert "LSTM 100.0%" in line and "Transformer 95.2%" in line and "50.0%" in line and "synthetic" in line
    assert "synthetic" not in takeaway("train", {"lstm": {"dev_accuracy": 0.81}}, ctx)


def test_params_takeaway_reads_the_counted_parts(tmp_path):
    summary = {"minilm": {"counted": 1000, "match": True, "parts": {"embeddings.word": 500,
                                                                    "layers.*.feed-forward": 300}},
               "heads_equal": True}
    line = takeaway("params", summary, _ctx(tmp_path))
    assert "1,000" in line and "500 (50%)" in line and "300 (30%)" in line and "matches" in line


def test_a_summary_of_another_shape_loses_only_its_takeaway(tmp_path):
    assert takeaway("train", {"lstm": "not a dict"}, _ctx(tmp_path)) is None
    assert takeaway("no-such-step", {}, _ctx(tmp_path)) is None


def test_opening_and_ending_at_80_columns(tmp_path):
    console = Console(record=True, width=80)
    print_opening(console, tour_steps(), tmp_path, pause=True)
    (tmp_path / "attention" / "tour-transformer-1").mkdir(parents=True)
    (tmp_path / "attention" / "tour-transformer-1" / "attention-grid.png").write_bytes(b"png")
    results = [{"step": "data", "title": "t", "seconds": 0.1}]
    print_ending(console, tmp_path, results, 1.0, ["seqlab quiz"])
    text = console.export_text()
    assert "You will learn" in text and "Press Enter" in text and str(tmp_path) in text
    assert "attention/tour-transformer-1/attention-grid.png" in text and "seqlab quiz" in text
    assert pictures(tmp_path)[0][1].name == "attention-grid.png"
    assert relative_to(tmp_path / "a" / "b.png", tmp_path) == "a/b.png"


def test_proofs_takeaway_separates_the_model_from_stand_ins(tmp_path):
    ok = {"identities": 17, "proved": 17, "checks_passed": 17, "checked_on_model": 11, "stand_ins": 6}
    line = takeaway("proofs", ok, _ctx(tmp_path))
    assert "11 measured on the trained model itself, 6 on stand-in modules" in line and "agree" in line
    failed = takeaway("proofs", {**ok, "checks_passed": 16}, _ctx(tmp_path))
    assert "16 of the 17 checks that apply to the model passed" in failed and "agree" not in failed
    # rows that do not apply are named as such, never read as failures
    some_apply = takeaway("proofs", {**ok, "identities": 27, "proved": 27, "checks_applicable": 17}, _ctx(tmp_path))
    assert "17 of the 17 checks that apply to the model passed (10 do not apply to it)" in some_apply
    assert "agree" in some_apply and "FAIL" not in some_apply


def test_ending_names_each_picture_for_what_it_is(tmp_path):
    minilm = tmp_path / "attention" / "MiniLM-L6-H384"
    minilm.mkdir(parents=True)
    (minilm / "attention-grid.png").write_bytes(b"png")
    labels = dict((path.relative_to(tmp_path).as_posix(), label) for label, path in pictures(tmp_path))
    assert labels == {"attention/MiniLM-L6-H384/attention-grid.png": "MiniLM-L6-H384's attention, every layer and head"}
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "curves.png").write_bytes(b"png")
    (tmp_path / "experiment" / "rnn-width").mkdir(parents=True)
    (tmp_path / "experiment" / "rnn-width" / "curves.png").write_bytes(b"png")
    shown = [path.relative_to(tmp_path).as_posix() for _, path in pictures(tmp_path)]
    assert "figures/curves.png" in shown and "experiment/rnn-width/curves.png" not in shown
