"""seqlab.counting's report for a trained run (here because the trained runs are the viz tests' fixture)."""

from __future__ import annotations

from seqlab.counting.presets import run_report


def test_run_report_matches_the_trained_model(tiny_runs):
    from seqlab.training.loading import load_run

    for name in ("transformer", "lm", "lstm"):
        report = run_report(tiny_runs[name])
        model = load_run(tiny_runs[name]).model
        assert report.match
        assert report.total_counted == sum(p.numel() for p in model.parameters())
