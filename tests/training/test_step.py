"""The training step and the loop's deferred loss reads, on the CPU (the CUDA graph side: test_cuda_training.py)."""

from __future__ import annotations

import json
import math

import pytest
import torch

from seqlab.data.batching import collate
from seqlab.errors import SeqlabError
from seqlab.models.factory import build_classifier, default_spec
from seqlab.training import loop
from seqlab.training.loop import FitOptions, fit, lr_schedule, sync_interval
from seqlab.training.runs import read_metrics
from seqlab.training.step import TrainStep, graphs_supported
from seqlab.training.tasks import ClassificationTask

from .helpers import TinyClassifier, synthetic_batches, timeless

CPU = torch.device("cpu")
TASK = ClassificationTask(["even", "odd"])


def _setup(seed: int = 0):
    torch.manual_seed(seed)
    model = TinyClassifier()
    train, dev = synthetic_batches(6), synthetic_batches(3, seed=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    scheduler = lr_schedule(optimizer, 3 * len(train), warmup_ratio=0.1)
    return model, train, dev, optimizer, scheduler


def test_the_loss_is_read_every_step_on_cpu_and_at_log_points_on_a_gpu() -> None:
    options = FitOptions(epochs=1, log_every=25)
    assert sync_interval(CPU, options) == 1
    assert sync_interval(torch.device("cuda"), options) == 25


def test_reading_the_loss_every_few_steps_records_the_same_run(tmp_path, monkeypatch) -> None:
    every_step, deferred = tmp_path / "every", tmp_path / "deferred"
    every_step.mkdir(), deferred.mkdir()
    model, train, dev, optimizer, scheduler = _setup()
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=3, log_every=4), device=CPU, run_dir=every_step)
    monkeypatch.setattr(loop, "sync_interval", lambda device, options: options.log_every)
    model, train, dev, optimizer, scheduler = _setup()
    fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=3, log_every=4), device=CPU, run_dir=deferred)
    first, second = timeless(read_metrics(every_step)), timeless(read_metrics(deferred))
    assert [(r["event"], r["epoch"], r["step"]) for r in first] == [(r["event"], r["epoch"], r["step"]) for r in second]
    for a, b in zip(first, second):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-6)  # the same losses, summed in another order
        assert {k: v for k, v in a.items() if k != "loss"} == {k: v for k, v in b.items() if k != "loss"}


def test_nan_found_at_a_deferred_read_names_the_steps_it_could_be(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(loop, "sync_interval", lambda device, options: 4)
    model, train, dev, optimizer, scheduler = _setup()
    with torch.no_grad():
        model.head.bias.fill_(math.nan)
    with pytest.raises(SeqlabError, match=r"loss became NaN at epoch 1 one of steps 1-4; lower --lr"):
        fit(model, TASK, train, dev, optimizer, scheduler, FitOptions(epochs=2, log_every=4), device=CPU,
            run_dir=tmp_path)


def test_eager_step_is_zero_grad_forward_backward_clip_step() -> None:
    _, train, _, _, _ = _setup()
    model, reference = TinyClassifier(dropout=0.0), TinyClassifier(dropout=0.0)
    reference.load_state_dict(model.state_dict())
    step = TrainStep(model, TASK.loss, torch.optim.SGD(model.parameters(), lr=0.1), device=CPU, grad_clip=0.5)
    loss, items = step(train[0])
    expected = TASK.loss(reference, train[0])[0]
    expected.backward()
    torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.5)
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    assert float(loss.detach()) == pytest.approx(float(expected.detach())) and items == len(train[0]["labels"])
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("family, expected", [("bert", True), ("transformer", True), ("lstm", False), ("gru", False)])
def test_graphs_only_for_models_whose_forward_never_waits_on_the_device(family: str, expected: bool) -> None:
    model = build_classifier(default_spec(family), vocab_size=30, num_labels=2, pad_id=0)
    cuda = torch.device("cuda")
    assert graphs_supported(model, cuda, distributed=False, compiled=False) is expected
    assert not graphs_supported(model, CPU, distributed=False, compiled=False)
    assert not graphs_supported(model, cuda, distributed=True, compiled=False)
    assert not graphs_supported(model, cuda, distributed=False, compiled=True)


def test_collate_rounds_the_length_up_with_padding() -> None:
    items = [{"ids": torch.tensor([2, 5, 3]), "segment_ids": torch.zeros(3, dtype=torch.long), "length": 3, "label": 0},
             {"ids": torch.tensor([2, 3]), "segment_ids": torch.zeros(2, dtype=torch.long), "length": 2, "label": 1}]
    batch = collate(items, pad_id=0, pad_multiple=16)
    assert batch["input_ids"].shape == (2, 16) and batch["segment_ids"].shape == (2, 16)
    assert batch["attention_mask"].sum(1).tolist() == [3, 2]
    assert batch["input_ids"][0, :3].tolist() == [2, 5, 3] and not batch["input_ids"][:, 3:].any()
    assert collate(items, pad_id=0)["input_ids"].shape == (2, 3)


def test_collate_never_rounds_past_the_longest_length_the_model_takes() -> None:
    items = [{"ids": torch.arange(2, 22), "segment_ids": torch.zeros(20, dtype=torch.long), "length": 20, "label": 0}]
    assert collate(items, pad_id=0, pad_multiple=16, pad_limit=24)["input_ids"].shape == (1, 24)
    assert collate(items, pad_id=0, pad_multiple=16, pad_limit=40)["input_ids"].shape == (1, 32)
