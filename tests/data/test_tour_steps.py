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


def test_attention_step_without_the_pretrained_extra_says_how_to_get_minilm(tmp_path, monkeypatch):
    import seqlab.paths
    from seqlab.tour.attention import STEP as ATTENTION_STEP

    monkeypatch.setattr(seqlab.paths, "has_pretrained", lambda: False)
    console = Console(record=True, width=80)
    summary = ATTENTION_STEP.run(TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console))
    text = " ".join(console.export_text().split())
    assert 'pip install -e ".[pretrained]"' in text and "not installed" in text
    assert not any("MiniLM" in key for key in summary)  # the step went on with the fresh model alone
