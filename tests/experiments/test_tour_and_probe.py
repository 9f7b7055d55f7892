"""The tour step runs and reruns without training; counterfactual pairs differ in exactly the swapped word."""

from __future__ import annotations

from rich.console import Console

from seqlab.experiments.bias_probe import counterfactual_pairs
from seqlab.tour import TourContext
from seqlab.tour.experiment import STEP


def test_tour_step_reports_and_rerun_trains_nothing(tmp_path):
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=Console(record=True, width=120))
    summary = STEP.run(ctx)
    assert summary["rerun_trained"] == 0 and summary["trials"] >= 2
    assert "hidden" in ctx.console.export_text()


def test_pairs_differ_only_in_the_swapped_word():
    pairs = counterfactual_pairs()
    assert {p.category for p in pairs} == {"pronoun", "name: gender", "name: origin", "profession"}
    for pair in pairs:
        a, b = pair.a.split(), pair.b.split()
        changed = [(x, y) for x, y in zip(a, b) if x != y]
        assert len(a) == len(b) and len(changed) == 1
        assert changed[0] == tuple(s.split(": ")[-1] for s in pair.swap)
