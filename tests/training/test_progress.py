"""Training progress: labelled time left for the epoch and the run, running-mean loss, plain lines in logs."""

from __future__ import annotations

import io

from rich.console import Console

from seqlab.training.loop import epoch_line
from seqlab.training.progress import EpochProgress, format_duration


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=80, force_terminal=False), buffer


def test_time_left_is_labelled_for_the_epoch_and_the_run():
    clock = Clock()
    bar = EpochProgress(None, clock=clock)
    bar.start_epoch(1, 3, batches=100)
    for _ in range(25):
        clock.now += 0.2
        bar.advance(32, 0.5)
    epoch_left, run_left = bar.seconds_left()
    assert abs(epoch_left - 15.0) < 1e-6  # 75 batches at 0.2 s
    assert abs(run_left - (15.0 + 2 * 20.0)) < 1e-6  # and two more epochs of 100 batches
    assert bar.time_left_text() == "epoch left 15 s · run left 55 s"


def test_dev_pass_time_counts_in_the_run_estimate():
    clock = Clock()
    bar = EpochProgress(None, clock=clock)
    bar.start_epoch(1, 2, batches=10)
    for _ in range(10):
        clock.now += 1.0
        bar.advance(8, 1.0)
    with bar.evaluating():
        clock.now += 5.0
    bar.start_epoch(2, 2, batches=10)
    clock.now += 1.0
    bar.advance(8, 1.0)
    epoch_left, run_left = bar.seconds_left()
    assert epoch_left == 9.0 and run_left == 9.0 + 5.0  # this epoch, then its dev pass
    assert bar.time_left_text() == "epoch left 9 s"  # the last epoch: no separate run estimate


def test_loss_shown_is_the_last_read_running_mean():
    bar = EpochProgress(None, clock=Clock())
    bar.start_epoch(1, 1, batches=3)
    assert bar.plain_line().split("loss ")[1].startswith("-")  # nothing read yet
    bar.advance(10, 1.0)
    bar.advance(30, None)  # on a GPU the loss is read every few steps; the last value stands
    assert bar.mean_loss == 1.0


def test_the_loop_passes_the_epochs_running_mean_loss(tmp_path, monkeypatch):
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    seen: list[float] = []
    original = EpochProgress.advance

    def record(self, samples, mean_loss):
        if mean_loss is not None:
            seen.append(mean_loss)
        return original(self, samples, mean_loss)

    monkeypatch.setattr(EpochProgress, "advance", record)
    config = TrainConfig(model={"family": "lstm"}, epochs=1, max_train_examples=256, threads=1, device="cpu",
                         log_every=1)
    result = train(config, console=None, runs_dir=tmp_path)
    import json

    records = [json.loads(line) for line in (result.run_dir / "metrics.jsonl").read_text().splitlines()]
    steps = [r["loss"] for r in records if r.get("event") == "step"]
    epoch = next(r["loss"] for r in records if r.get("event") == "epoch" and r.get("split") == "train")
    assert len(seen) == len(steps) >= 4
    assert abs(seen[-1] - epoch) < 1e-9  # the last value shown is the epoch's mean, not the last batch's
    assert abs(seen[0] - steps[0]) < 1e-9 and abs(seen[-1] - steps[-1]) > 1e-6


def test_not_a_terminal_prints_a_plain_line_every_30_seconds_or_10_percent():
    console, buffer = _plain_console()
    clock = Clock()
    with EpochProgress(console, clock=clock) as bar:
        bar.start_epoch(1, 2, batches=1000)
        for _ in range(1000):
            clock.now += 0.5  # a 500 s epoch: 10% every 50 s, so the 30 s heartbeat decides
            bar.advance(32, 0.7)
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert 14 <= len(lines) <= 17, lines
    assert lines[0].startswith("epoch 1/2   6% (60/1000)  loss 0.7000  64 ex/s")
    assert "epoch left" in lines[0] and "run left" in lines[0]
    assert all(len(line) <= 100 for line in lines)


def test_short_epochs_add_no_plain_lines():
    console, buffer = _plain_console()
    clock = Clock()
    with EpochProgress(console, clock=clock) as bar:
        bar.start_epoch(1, 1, batches=100)
        for _ in range(100):
            clock.now += 0.01  # one second in all
            bar.advance(32, 0.7)
    assert buffer.getvalue().strip() == ""


def test_quiet_prints_nothing():
    console, buffer = _plain_console()
    clock = Clock()
    with EpochProgress(console, quiet=True, clock=clock) as bar:
        bar.start_epoch(1, 1, batches=10)
        for _ in range(10):
            clock.now += 10
            bar.advance(1, 1.0)
    assert buffer.getvalue() == ""


def test_epoch_line_fits_80_columns():
    line = epoch_line(10, 10, 0.64661, {"loss": 0.4624, "accuracy": 0.735, "macro_f1": 0.728}, best=True)
    plain = line.replace("[green]", "").replace("[/]", "")
    assert len(plain) <= 80 and plain.endswith("best") and "acc 0.7350" in plain


def test_epoch_time_goes_on_its_own_line_when_it_would_not_fit():
    dev = {"loss": 0.4984, "accuracy": 0.7275, "macro_f1": 0.7196}
    narrow = epoch_line(1, 2, 0.6501, dev, best=True, timing="0.7 s, 4,519 examples/s", width=80)
    first, second = narrow.split("\n")
    assert first.endswith("[green]best[/]") and second == "   [dim]0.7 s, 4,519 examples/s[/]"
    wide = epoch_line(1, 2, 0.6501, dev, best=True, timing="0.7 s, 4,519 examples/s", width=120)
    assert "\n" not in wide and wide.endswith("best[/]  [dim]0.7 s, 4,519 examples/s[/]")


def test_durations_read_as_words():
    assert [format_duration(s) for s in (4.2, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]


def test_small_models_on_cpu_default_to_one_thread(monkeypatch):
    import torch

    from seqlab.device import SMALL_MODEL_PARAMETERS, auto_threads

    monkeypatch.delenv("SEQLAB_THREADS", raising=False)
    cpu = torch.device("cpu")
    assert auto_threads(40_000, cpu, None) == 1
    assert auto_threads(SMALL_MODEL_PARAMETERS, cpu, None) is None  # BERT-size keeps torch's choice
    assert auto_threads(40_000, cpu, 4) is None  # --threads wins
    monkeypatch.setenv("SEQLAB_THREADS", "2")
    assert auto_threads(40_000, cpu, None) is None
