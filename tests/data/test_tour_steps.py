"""The tour's data and tokenize steps run on the built-in corpus and report what they showed."""

from __future__ import annotations

from rich.console import Console

from seqlab.tour import TourContext, tour_steps
from seqlab.tour.data import STEP as DATA_STEP
from seqlab.tour.tokenize import STEP as TOKENIZE_STEP


def test_data_then_tokenize_come_first_in_the_tour():
    assert [s.name for s in tour_steps()][:2] == ["data", "tokenize"]


def test_steps_run_and_summarise(tmp_path):
    console = Console(record=True, width=100)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    data = DATA_STEP.run(ctx)
    assert data == {"examples": {"train": 3000, "dev": 400, "test": 600}, "labels": ["neg", "pos"]}
    tokens = TOKENIZE_STEP.run(ctx)
    assert tokens["word_unknown"] > tokens["wordpiece_unknown"]
    text = console.export_text()
    assert "length histogram" in text and "WordPiece" in text and "##" in text


def test_every_step_heading_fits_80_columns_uncut() -> None:
    from rich.console import Console

    from seqlab.tour import tour_steps

    steps = tour_steps()
    console = Console(width=80, record=True, force_terminal=False)
    for index, step in enumerate(steps, 1):
        console.rule(f"{index}/{len(steps)}  {step.title}")
    text = console.export_text()
    assert "…" not in text, text
    for step in steps:
        assert step.title in text
