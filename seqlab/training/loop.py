"""The fit loop: epochs of optimizer steps, a dev pass after each, best/last checkpoints, resumable state."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import torch
from rich.console import Console
from torch import nn

from seqlab.device import autocast
from seqlab.errors import SeqlabError
from seqlab.io import append_jsonl
from seqlab.training import checkpoint
from seqlab.training.distributed import DistContext, sum_across
from seqlab.training.progress import EpochProgress
from seqlab.training.runs import BEST_WEIGHTS, LAST_WEIGHTS, METRICS_FILE, STATE_FILE
from seqlab.training.tasks import Task, to_device


class TrainingInterrupted(SeqlabError):
    """Ctrl-C during training: the last finished epoch is saved and the message names the resume command."""

    exit_code = 130


@dataclass
class FitProgress:
    """The counters that, with the weights, optimizer, scheduler and RNG states, make a run resumable."""

    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps taken
    best_score: float = -math.inf
    best_epoch: int = 0
    bad_epochs: int = 0  # epochs in a row without a better dev score
    finished: bool = False
    stopped_early: bool = False


@dataclass(frozen=True)
class FitOptions:
    """How long to train and how to keep the loss in check."""

    epochs: int
    grad_clip: float | None = None
    patience: int | None = None
    log_every: int = 20
    lr: float = 1e-3  # only quoted in the NaN message
    resume_hint: str = "seqlab train --resume RUN"


@dataclass(frozen=True)
class FitResult:
    """What the loop did: the best epoch and score, how it stopped, and the per-epoch dev records."""

    progress: FitProgress
    history: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    samples_per_second: float = 0.0


def save_resumable(
    run_dir: Path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any, progress: FitProgress
) -> None:
    """Write last.safetensors and state.pt (weights, optimizer, scheduler, RNG states, counters) atomically.

    state.pt carries its own copy of the weights, so a kill between the two writes cannot pair the
    weights of one epoch with the optimizer of another.
    """
    checkpoint.save_weights(model, run_dir / LAST_WEIGHTS)
    state = {
        **asdict(progress),
        "model": checkpoint.unwrap(model).state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": checkpoint.rng_state(),
    }
    checkpoint.save_state(run_dir / STATE_FILE, state)


def restore_resumable(run_dir: Path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any) -> FitProgress:
    """Load what `save_resumable` wrote back into the model, optimizer, scheduler and RNGs."""
    state = checkpoint.load_state(run_dir / STATE_FILE)
    try:
        checkpoint.unwrap(model).load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        checkpoint.set_rng_state(state["rng"])
        return FitProgress(**{k: state[k] for k in FitProgress.__dataclass_fields__})
    except (KeyError, ValueError, TypeError, RuntimeError):
        raise SeqlabError(f"{run_dir / STATE_FILE} does not match this run's optimizer; start a new training") from None


def linear_schedule(optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate rising linearly over the first `warmup_ratio` of steps, then falling linearly to 0."""
    warmup = int(total_steps * warmup_ratio)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _set_epoch(loader: Iterable[Any], epoch: int) -> None:
    for holder in (getattr(loader, "batch_sampler", None), getattr(loader, "sampler", None)):
        if hasattr(holder, "set_epoch"):
            holder.set_epoch(epoch)
            return


def _nan_message(epoch: int, step: int, options: FitOptions) -> str:
    fix = (
        f"or a smaller --grad-clip (now {options.grad_clip})" if options.grad_clip else "or enable --grad-clip"
    )
    return f"loss became NaN at epoch {epoch} step {step}; lower --lr (now {options.lr}) {fix}"


def fit(
    model: nn.Module,
    task: Task,
    train_loader: Iterable[dict[str, torch.Tensor]],
    dev_loader: Iterable[dict[str, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    options: FitOptions,
    *,
    device: torch.device,
    run_dir: Path | None,
    dist: DistContext = DistContext(),
    start: FitProgress | None = None,
    console: Console | None = None,
    quiet: bool = False,
) -> FitResult:
    """Train for `options.epochs`, evaluating on dev after each epoch; return how it went.

    Rank 0 (the only process when not distributed) writes to `run_dir`: metrics.jsonl records, the best
    weights (model.safetensors), and last.safetensors + state.pt after every epoch so that training can
    resume exactly. Other ranks pass run_dir=None. `start` continues from a restored FitProgress.
    """
    progress = start or FitProgress()
    writes = run_dir is not None
    if writes and start is None:  # an epoch-0 state, so even Ctrl-C in the first epoch is resumable
        save_resumable(run_dir, model, optimizer, scheduler, progress)
    history: list[dict[str, Any]] = []
    started = time.perf_counter()
    samples_per_second = 0.0
    bar = EpochProgress(console, quiet=quiet or not dist.is_main)
    model.train()
    try:
        with bar:
            for epoch in range(progress.epoch + 1, options.epochs + 1):
                if progress.finished:
                    break
                _set_epoch(train_loader, epoch)
                bar.start_epoch(epoch, options.epochs, len(train_loader))  # type: ignore[arg-type]
                epoch_loss, epoch_items, window_loss, window_items = 0.0, 0, 0.0, 0
                for batch in train_loader:
                    batch = to_device(batch, device)
                    with autocast(device):
                        loss, items = task.loss(model, batch)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    if options.grad_clip:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), options.grad_clip)
                    optimizer.step()
                    scheduler.step()
                    progress.step += 1
                    loss_sum, count = sum_across([float(loss.detach()) * items, float(items)], dist, device)
                    if not math.isfinite(loss_sum):
                        raise SeqlabError(_nan_message(epoch, progress.step, options))
                    epoch_loss, epoch_items = epoch_loss + loss_sum, epoch_items + int(count)
                    window_loss, window_items = window_loss + loss_sum, window_items + int(count)
                    bar.advance(int(count), loss_sum / max(count, 1))
                    if writes and progress.step % options.log_every == 0:
                        append_jsonl(run_dir / METRICS_FILE, {
                            "event": "step", "epoch": epoch, "step": progress.step, "split": "train",
                            "loss": window_loss / max(window_items, 1), "lr": scheduler.get_last_lr()[0],
                        })
                        window_loss, window_items = 0.0, 0
                samples_per_second = bar.samples_per_second
                evaluation = task.evaluate(checkpoint.unwrap(model), dev_loader, device)
                model.train()
                train_record = {"event": "epoch", "epoch": epoch, "step": progress.step, "split": "train",
                                "loss": epoch_loss / max(epoch_items, 1)}
                dev_record = {"event": "epoch", "epoch": epoch, "step": progress.step, "split": "dev",
                              **evaluation.record}
                history.append(dev_record)
                improved = evaluation.score > progress.best_score
                progress.epoch = epoch
                if improved:
                    progress.best_score, progress.best_epoch, progress.bad_epochs = evaluation.score, epoch, 0
                else:
                    progress.bad_epochs += 1
                if options.patience is not None and progress.bad_epochs >= options.patience:
                    progress.stopped_early = True
                progress.finished = progress.stopped_early or epoch == options.epochs
                if writes:
                    append_jsonl(run_dir / METRICS_FILE, train_record)
                    append_jsonl(run_dir / METRICS_FILE, dev_record)
                    if improved:
                        checkpoint.save_weights(model, run_dir / BEST_WEIGHTS)
                    save_resumable(run_dir, model, optimizer, scheduler, progress)
                if console is not None and not quiet and dist.is_main:
                    shown = ", ".join(f"{k} {v:.4f}" for k, v in evaluation.record.items())
                    mark = " [green]best[/]" if improved else ""
                    console.print(
                        f"epoch {epoch}/{options.epochs}  train loss {train_record['loss']:.4f}  dev {shown}{mark}",
                        soft_wrap=True,
                    )
    except KeyboardInterrupt:
        saved = f"epoch {progress.epoch}" if progress.epoch else "the start"
        raise TrainingInterrupted(
            f"interrupted; training is saved as of {saved}; continue with: {options.resume_hint}"
        ) from None
    return FitResult(progress, history, time.perf_counter() - started, samples_per_second)
