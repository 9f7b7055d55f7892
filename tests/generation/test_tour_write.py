"""Tour step "write": a causal LM trained on the built-in text writes one line from the prompt, greedily."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from seqlab.tour import TourContext, tour_steps
from seqlab.tour import write as write_step
from seqlab.tour.lesson import takeaway
from seqlab.training.generation import GenerationConfig, generate
from seqlab.training.loading import load_run


def test_write_step_comes_after_fill():
    names = [step.name for step in tour_steps()]
    assert names.index("write") == names.index("fill") + 1


def test_write_step_trains_an_lm_and_writes_one_greedy_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(write_step, "WRITE_EPOCHS", 1)
    monkeypatch.setattr(write_step, "WRITE_MODEL", {"family": "lm", "dropout": 0.0, "d_model": 16, "n_heads": 2,
                                                    "n_layers": 1, "d_ff": 32})
    console = Console(record=True, width=80)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    summary = write_step.STEP.run(ctx)
    loaded = load_run(Path(summary["run"]))
    assert loaded.task == "lm"
    assert summary["text"].startswith(write_step.WRITE_PROMPT) and summary["continuation"]
    again = generate(loaded, write_step.WRITE_PROMPT,
                     GenerationConfig(max_new_tokens=write_step.WRITE_TOKENS, temperature=0.0, stop_at=(".",)))
    assert again.text == summary["text"]  # greedy: the run writes the same line again
    text = console.export_text()
    line = [row for row in text.splitlines() if row.startswith("the LM writes (greedy): ")]
    assert line and summary["text"].startswith(line[0].removeprefix("the LM writes (greedy): ").rstrip()[:40])
    assert "seqlab generate" in text
    lesson = takeaway("write", summary, ctx)
    assert lesson is not None and summary["text"] in lesson and "perplexity" in lesson
