"""The fit loop: epochs of optimizer steps, a dev pass after each, best/last checkpoints, resumable state."""

from __future__ import annotations

import math
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import torch
from rich.console import Console
from rich.markup import escape
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.io import append_jsonl
from seqlab.training import checkpoint
from seqlab.training.distributed import DistContext, sum_across
from seqlab.training.progress import EpochProgress
from seqlab.training.runs import BEST_WEIGHTS, LAST_WEIGHTS, METRICS_FILE, STATE_FILE
from seqlab.training.step import TrainStep
from seqlab.training.tasks import Task, to_device


class TrainingInterrupted(SeqlabError):
    """Ctrl-C during training: the state is saved and the message names the resume command."""

    exit_code = 130


class StopRequest:
    """Turns the first Ctrl-C (SIGINT) into a request that the loop honours at the next step boundary.

    Stopping between steps means the saved weights, optimizer and RNG states are never half-updated, so
    `--resume` continues as if nothing happened. A second Ctrl-C stops at once (KeyboardInterrupt), and
    the run then resumes from the last state saved. Only the main thread can own signal handlers; elsewhere
    Ctrl-C keeps its default behaviour.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "StopRequest":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


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
    # a run stopped inside an epoch: batches of epoch+1 already trained on, and that epoch's loss sums so far
    batches_done: int = 0
    epoch_loss: float = 0.0
    epoch_items: int = 0
    window_loss: float = 0.0
    window_items: int = 0
    epoch_seconds: float = 0.0  # wall time of this epoch's training steps so far (dev passes not counted)


@dataclass(frozen=True)
class FitOptions:
    """How long to train and how to keep the loss in check."""

    epochs: int
    grad_clip: float | None = None
    patience: int | None = None
    log_every: int = 20
    resume_hint: str = "seqlab train --resume RUN"
    cuda_graphs: bool = False  # replay each batch shape's step as a CUDA graph (seqlab.training.step)


@dataclass(frozen=True)
class FitResult:
    """What the loop did: the best epoch and score, how it stopped, and the per-epoch dev records."""

    progress: FitProgress
    history: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    samples_per_second: float = 0.0  # mean over this call's epochs: items trained / training-step seconds


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
        return FitProgress(**{k: state[k] for k in FitProgress.__dataclass_fields__ if k in state})
    except (KeyError, ValueError, TypeError, RuntimeError):
        raise SeqlabError(f"{run_dir / STATE_FILE} does not match this run's optimizer; start a new training") from None


def lr_schedule(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float, kind: str = "linear"
) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate rising linearly over the first `warmup_ratio` of steps, then falling linearly to 0
    ("linear") or held at its peak ("constant", the plain loop of most reference scripts)."""
    warmup = int(total_steps * warmup_ratio)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if kind == "constant":
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def peak_lr(optimizer: torch.optim.Optimizer) -> float:
    """The learning rate the optimizer was made with (--lr): the schedule's peak, whatever step it is at."""
    group = optimizer.param_groups[0]
    return float(group.get("initial_lr", group["lr"]))  # initial_lr: set by the schedule, the peak it scales


def _epoch_batches(loader: Iterable[Any], *, resumed: bool) -> Iterable[Any]:
    """The loader's iterator for one epoch; on an epoch resumed mid-way, without touching the global RNG.

    Creating a DataLoader iterator draws a seed from torch's global RNG. An uninterrupted run made that
    draw before the epoch's first step, so the RNG state saved mid-epoch already includes it; drawing
    again on resume would shift every later dropout mask.
    """
    if not resumed:
        return iter(loader)
    rng = checkpoint.rng_state()
    iterator = iter(loader)
    checkpoint.set_rng_state(rng)
    return iterator


def _set_epoch(loader: Iterable[Any], epoch: int) -> None:
    for holder in (getattr(loader, "batch_sampler", None), getattr(loader, "sampler", None)):
        if hasattr(holder, "set_epoch"):
            holder.set_epoch(epoch)
            return


SHORT_METRIC_NAMES = {"accuracy": "acc", "macro_f1": "F1", "perplexity": "ppl", "nsp_accuracy": "NSP acc",
                      "sop_accuracy": "SOP acc"}


def epoch_line(epoch: int, epochs: int, train_loss: float, dev: dict[str, float], best: bool,
               timing: str = "", width: int | None = None) -> str:
    """The line after each epoch: train loss, the dev metrics, 'best' when it improved, then the epoch's time.

    Without `timing` it fits 80 columns; when the time would not fit `width` too, it goes on a second,
    indented line (a terminal's own wrap would split it from 'best' mid-number).
    """
    shown = "  ".join(f"{SHORT_METRIC_NAMES.get(k, k)} {v:.4f}" for k, v in dev.items())
    head = f"epoch {epoch}/{epochs}  train loss {train_loss:.4f} | dev {shown}"
    line = head + ("  [green]best[/]" if best else "")
    if not timing:
        return line
    shown_width = len(head) + (len("  best") if best else 0) + 2 + len(timing)
    return line + ("\n   " if width is not None and shown_width > width else "  ") + f"[dim]{timing}[/]"


def _saved_point(progress: FitProgress) -> str:
    """Where a saved run stands, in words: "the start", "epoch 2", or "epoch 3, batch 40"."""
    if progress.batches_done:
        return f"epoch {progress.epoch + 1}, batch {progress.batches_done}"
    return f"epoch {progress.epoch}" if progress.epoch else "the start"


def _interrupted(saved: str, options: FitOptions) -> TrainingInterrupted:
    """The error for a stopped run: where it is saved, and the command that continues it."""
    return TrainingInterrupted(f"interrupted; training is saved as of {saved}; continue with: {options.resume_hint}")


def _nan_message(epoch: int, step: int, options: FitOptions, lr: float, window: int = 1) -> str:
    fix = (
        f"or a smaller --grad-clip (now {options.grad_clip})" if options.grad_clip else "or enable --grad-clip"
    )
    where = f"step {step}" if window <= 1 else f"one of steps {step - window + 1}-{step}"
    return f"loss became NaN at epoch {epoch} {where}; lower --lr (now {lr}) {fix}"


def sync_interval(device: torch.device, options: FitOptions) -> int:
    """Steps between the moments the loop reads the loss back from the device.

    Reading a value makes the host wait for the device; on a GPU that stall every step costs more than a
    small model's whole step, so the loss is summed on the device and read at each log point. On the CPU
    there is nothing to wait for and every step is read (exact NaN step, live loss in the bar).
    """
    return 1 if device.type == "cpu" else max(1, options.log_every)


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
    on_step: Callable[[int, int, int, int], None] | None = None,
) -> FitResult:
    """Train for `options.epochs`, evaluating on dev after each epoch; return how it went.

    Rank 0 (the only process when not distributed) writes to `run_dir`: metrics.jsonl records, the best
    weights (model.safetensors), and last.safetensors + state.pt after every epoch so that training can
    resume exactly. Other ranks pass run_dir=None. `start` continues from a restored FitProgress.
    `on_step(epoch, epochs, step, steps)` is called as each epoch starts (step 0, or the resumed step) and
    after every training step, for progress shown by a caller (experiments show it under their trial bar).
    """
    progress = start or FitProgress()
    writes = run_dir is not None
    if writes and start is None:  # an epoch-0 state, so even Ctrl-C in the first epoch is resumable
        save_resumable(run_dir, model, optimizer, scheduler, progress)
    saved = _saved_point(progress)
    history: list[dict[str, Any]] = []
    started = time.perf_counter()
    trained_items, trained_seconds = 0, 0.0  # this process's training steps, for the mean rate
    unit = getattr(task, "unit", "examples")  # what a loss item is: examples (classify) or tokens (LM)
    bar = EpochProgress(console, quiet=quiet or not dist.is_main)
    def fallback_note(message: str) -> None:
        if console is not None and not quiet and dist.is_main:
            console.print(f"[yellow]note:[/] {escape(message)}", soft_wrap=True)

    train_step = TrainStep(model, task.loss, optimizer, device=device, grad_clip=options.grad_clip,
                           use_graphs=options.cuda_graphs, on_fallback=fallback_note)
    every = sync_interval(device, options)
    model.train()
    try:
        with bar, StopRequest() as stop:
            for epoch in range(progress.epoch + 1, options.epochs + 1):
                if progress.finished:
                    break
                _set_epoch(train_loader, epoch)
                batches = len(train_loader)  # type: ignore[arg-type]
                bar.start_epoch(epoch, options.epochs, batches, done=progress.batches_done)
                unread_loss, unread_items, unread_steps = None, 0, 0  # summed on the device since the last read
                epoch_started, seconds_before = time.perf_counter(), progress.epoch_seconds
                if on_step is not None:
                    on_step(epoch, options.epochs, progress.batches_done, batches)
                for index, batch in enumerate(_epoch_batches(train_loader, resumed=progress.batches_done > 0)):
                    if index < progress.batches_done:  # trained on before an interruption (same order: seed, epoch)
                        continue
                    loss, items = train_step(to_device(batch, device))
                    scheduler.step()
                    progress.step += 1
                    progress.batches_done = index + 1
                    unread_loss = loss.float() * items if unread_loss is None else unread_loss + loss.float() * items
                    unread_items += items
                    unread_steps += 1
                    if on_step is not None:
                        on_step(epoch, options.epochs, index + 1, batches)
                    # ranks read together (same steps), so every rank learns of a Ctrl-C in the same step
                    if (progress.step % every and progress.batches_done < batches
                            and not (stop.requested and not dist.enabled)):
                        bar.advance(items, None)
                        continue
                    loss_sum, count, stops = sum_across(
                        [float(unread_loss), float(unread_items), float(stop.requested)], dist, device)
                    if not math.isfinite(loss_sum):
                        raise SeqlabError(_nan_message(epoch, progress.step, options, peak_lr(optimizer), unread_steps))
                    unread_loss, unread_items, unread_steps = None, 0, 0
                    progress.epoch_loss += loss_sum
                    progress.epoch_items += int(count)
                    progress.window_loss += loss_sum
                    progress.window_items += int(count)
                    bar.advance(items, progress.epoch_loss / max(progress.epoch_items, 1))  # running mean
                    if writes and progress.step % options.log_every == 0:
                        append_jsonl(run_dir / METRICS_FILE, {
                            "event": "step", "epoch": epoch, "step": progress.step, "split": "train",
                            "loss": progress.window_loss / max(progress.window_items, 1),
                            "lr": scheduler.get_last_lr()[0],
                        })
                        progress.window_loss, progress.window_items = 0.0, 0
                    if stops and progress.batches_done < batches:
                        progress.epoch_seconds = seconds_before + time.perf_counter() - epoch_started
                        if writes:
                            save_resumable(run_dir, model, optimizer, scheduler, progress)
                        raise _interrupted(f"{_saved_point(progress)} of {batches}", options)
                progress.epoch_seconds = seconds_before + time.perf_counter() - epoch_started
                trained_items += progress.epoch_items
                trained_seconds += progress.epoch_seconds
                with bar.evaluating():
                    evaluation = task.evaluate(checkpoint.unwrap(model), dev_loader, device)
                model.train()
                train_record = {"event": "epoch", "epoch": epoch, "step": progress.step, "split": "train",
                                "loss": progress.epoch_loss / max(progress.epoch_items, 1),
                                "seconds": progress.epoch_seconds, "items": progress.epoch_items, "unit": unit}
                dev_record = {"event": "epoch", "epoch": epoch, "step": progress.step, "split": "dev",
                              **evaluation.record}
                history.append(dev_record)
                improved = evaluation.score > progress.best_score
                progress.epoch = epoch
                progress.batches_done, progress.epoch_loss, progress.epoch_items = 0, 0.0, 0
                progress.epoch_seconds = 0.0
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
                    saved = _saved_point(progress)
                if console is not None and not quiet and dist.is_main:
                    rate = train_record["items"] / max(train_record["seconds"], 1e-9)
                    console.print(epoch_line(epoch, options.epochs, train_record["loss"], evaluation.record, improved,
                                             timing=f"{train_record['seconds']:.1f} s, {rate:,.0f} {unit}/s",
                                             width=console.width),
                                  soft_wrap=True, highlight=False)
                stops = sum_across([float(stop.requested)], dist, device)[0]  # Ctrl-C during the dev pass
                if stops and not progress.finished:
                    raise _interrupted(_saved_point(progress), options)
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside the main thread: the last saved state stands
        raise _interrupted(saved, options) from None
    return FitResult(progress, history, time.perf_counter() - started, trained_items / max(trained_seconds, 1e-9))
