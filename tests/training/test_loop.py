"""The fit loop on a tiny model of the tests' own: learning, records, checkpoints, NaN, early stop, resume."""

from __future__ import annotations

import json
import math
import os
import signal

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.training.loop import (
    FitOptions,
    TrainingInterrupted,
    fit,
    lr_schedule,
    restore_resumable,
)
from seqlab.training.runs import read_metrics
from seqlab.training.tasks import ClassificationTask, LanguageModelTask, next_token_loss

from .helpers import TinyClassifier, synthetic_batches, timeless

CPU = torch.device("cpu")
TASK = ClassificationTask(["even", "odd"])


def _setup(lr: float = 0.05, epochs: int = 4, seed: int = 0):
    torch.manual_seed(seed)
    model = TinyClassifier()
    train, dev = synthetic_batches(6), synthetic_batches(3, seed=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = lr_schedule(optimizer, epochs * len(train), warmup_ratio=0.1)
    return model, train, dev, optimizer, scheduler


def _records(run_dir):
    return [json.dumps(r, sort_keys=True) for r in timeless(read_metrics(run_dir))]


def test_fit_learns_writes_records_and_checkpoints(tmp_path):
    model, train, dev, optimizer, scheduler = _setup(epochs=6)
    result = fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=6, log_every=4),
                 device=CPU, run_dir=tmp_path)
    records = read_metrics(tmp_path)
    dev_records = [r for r in records if r["split"] == "dev"]
    train_epochs = [r for r in records if r["split"] == "train" and r["event"] == "epoch"]
    assert [r["epoch"] for r in dev_records] == list(range(1, 7))
    assert train_epochs[-1]["loss"] < train_epochs[0]["loss"]
    assert max(r["accuracy"] for r in dev_records) > 0.6
    assert [r["step"] for r in records if r["event"] == "step"] == [4, 8, 12, 16, 20, 24, 28, 32, 36]
    assert train.epochs_seen == [1, 2, 3, 4, 5, 6]  # the sampler is told every epoch
    assert result.progress.best_score == max(r["accuracy"] for r in dev_records)
    for name in ("model.safetensors", "last.safetensors", "state.pt", "metrics.jsonl"):
        assert (tmp_path / name).is_file(), name


def test_warmup_then_linear_decay():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = lr_schedule(optimizer, total_steps=10, warmup_ratio=0.2)
    rates = []
    for _ in range(10):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([0.5, 1.0, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125])


@pytest.mark.parametrize(("warmup", "expected"), [(0.2, [0.5, 1.0] + [1.0] * 8), (0.0, [1.0] * 10)])
def test_constant_schedule_holds_the_peak_after_warmup(warmup, expected):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = lr_schedule(optimizer, total_steps=10, warmup_ratio=warmup, kind="constant")
    rates = []
    for _ in range(10):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx(expected)


def test_nan_loss_stops_with_advice(tmp_path):
    model, train, dev, optimizer, scheduler = _setup(lr=0.5)  # the message quotes the optimizer's peak rate
    with torch.no_grad():
        model.head.bias.fill_(math.nan)
    with pytest.raises(SeqlabError, match=r"loss became NaN at epoch 1 step 1; lower --lr \(now 0.5\) or enable --grad-clip"):
        fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=2), device=CPU, run_dir=tmp_path)


def test_early_stopping_after_patience_epochs(tmp_path):
    model, train, dev, optimizer, scheduler = _setup(lr=1e-9, epochs=10)  # too small to improve dev accuracy
    result = fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=10, patience=2),
                 device=CPU, run_dir=tmp_path)
    assert result.progress.stopped_early
    assert result.progress.epoch == result.progress.best_epoch + 2


def test_resume_from_state_continues_exactly(tmp_path):
    full, split = tmp_path / "full", tmp_path / "split"
    model, train, dev, optimizer, scheduler = _setup(epochs=4)
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=4), device=CPU, run_dir=full)

    model, train, dev, optimizer, scheduler = _setup(epochs=4)
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=2), device=CPU, run_dir=split)
    torch.manual_seed(123)  # whatever happens between the two processes must not matter
    model, train, dev, optimizer, scheduler = _setup(epochs=4, seed=99)
    start = restore_resumable(split, model, optimizer, scheduler)
    assert start.epoch == 2
    start.finished = False
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=4), device=CPU, run_dir=split, start=start)
    assert _records(split) == _records(full)


class _InterruptAt:
    """Wraps a task and raises KeyboardInterrupt (as Ctrl-C would) at a given training step."""

    def __init__(self, task, step: int) -> None:
        self.task, self.step, self.calls = task, step, 0

    def loss(self, model, batch):
        self.calls += 1
        if self.calls == self.step:
            raise KeyboardInterrupt
        return self.task.loss(model, batch)

    def evaluate(self, model, loader, device):
        return self.task.evaluate(model, loader, device)


def test_ctrl_c_keeps_a_resumable_state_and_names_the_resume_command(tmp_path):
    model, train, dev, optimizer, scheduler = _setup()
    options = FitOptions(epochs=4, resume_hint=f"seqlab train --resume {tmp_path}")
    with pytest.raises(TrainingInterrupted, match=f"as of epoch 1; continue with: seqlab train --resume {tmp_path}") as info:
        fit(model, _InterruptAt(TASK, 9), train, dev, optimizer, scheduler, options, device=CPU, run_dir=tmp_path)
    assert info.value.exit_code == 130
    assert restore_resumable(tmp_path, *_setup()[0:1], *_setup()[3:5]).epoch == 1


class _CtrlCAt:
    """Wraps a task and delivers SIGINT to this process (a real Ctrl-C) at the given loss calls (repeat = twice)."""

    def __init__(self, task, *calls: int) -> None:
        self.task, self.at, self.calls = task, list(calls), 0

    def loss(self, model, batch):
        self.calls += 1
        for _ in range(self.at.count(self.calls)):
            os.kill(os.getpid(), signal.SIGINT)
        return self.task.loss(model, batch)

    def evaluate(self, model, loader, device):
        return self.task.evaluate(model, loader, device)


def test_ctrl_c_mid_epoch_saves_that_step_and_resume_matches_an_uninterrupted_run(tmp_path):
    full, split = tmp_path / "full", tmp_path / "split"
    full.mkdir(), split.mkdir()
    model, train, dev, optimizer, scheduler = _setup()
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=4, log_every=2), device=CPU, run_dir=full)

    model, train, dev, optimizer, scheduler = _setup()
    with pytest.raises(TrainingInterrupted, match="as of epoch 2, batch 3 of 6; continue with") as info:
        fit(model, _CtrlCAt(TASK, 9), train, dev, optimizer, scheduler, FitOptions(epochs=4, log_every=2),
            device=CPU, run_dir=split)
    assert info.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back

    torch.manual_seed(123)  # a new process: nothing but the saved state may carry over
    model, train, dev, optimizer, scheduler = _setup(seed=99)
    start = restore_resumable(split, model, optimizer, scheduler)
    assert (start.epoch, start.batches_done, start.step) == (1, 3, 9)
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=4, log_every=2), device=CPU,
        run_dir=split, start=start)
    assert _records(split) == _records(full)


def test_second_ctrl_c_stops_at_once_and_keeps_the_last_saved_state(tmp_path):
    model, train, dev, optimizer, scheduler = _setup()
    with pytest.raises(TrainingInterrupted, match="as of epoch 1; continue with"):
        fit(model, _CtrlCAt(TASK, 8, 8), train, dev, optimizer, scheduler, FitOptions(epochs=4), device=CPU,
            run_dir=tmp_path)
    assert restore_resumable(tmp_path, *_setup()[0:1], *_setup()[3:5]).epoch == 1


def test_ctrl_c_on_the_last_batch_stops_after_the_epoch_is_scored(tmp_path):
    model, train, dev, optimizer, scheduler = _setup()
    with pytest.raises(TrainingInterrupted, match="as of epoch 1; continue with"):
        fit(model, _CtrlCAt(TASK, 6), train, dev, optimizer, scheduler, FitOptions(epochs=4), device=CPU,
            run_dir=tmp_path)
    assert [r["epoch"] for r in read_metrics(tmp_path) if r.get("split") == "dev"] == [1]


def test_non_main_rank_writes_nothing(tmp_path):
    model, train, dev, optimizer, scheduler = _setup()
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=1), device=CPU, run_dir=None)
    assert list(tmp_path.iterdir()) == []


def test_next_token_loss_ignores_padding():
    logits = torch.zeros(1, 4, 5)
    logits[0, 0, 2] = 10.0  # position 0 predicts token 2 confidently
    ids = torch.tensor([[1, 2, 0, 0]])
    mask = torch.tensor([[True, True, False, False]])
    loss, count = next_token_loss(logits, ids, mask)
    assert count == 1
    assert float(loss) == pytest.approx(float(torch.nn.functional.cross_entropy(logits[0, :1], ids[0, 1:2])))
    assert isinstance(LanguageModelTask().evaluate, object)
