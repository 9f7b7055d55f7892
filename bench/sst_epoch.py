"""One epoch of SST fine-tuning: seqlab's training loop against the plain Hugging Face loop.

Both fine-tune the same MiniLM checkpoint on SST (5 classes) with batch 16, max length 128 and AdamW at
a constant lr 2e-5 (no warm-up, no clipping) on the same number of CPU threads. Ours batches by length (dynamic padding inside length buckets,
via `seqlab.training.train`); the reference pads each batch of a random order
(BertForSequenceClassification). Reported: seconds per training epoch, the ratio, tokens processed
(padding included) and dev accuracy after the epoch.

    python bench/sst_epoch.py --data-dir ../shared/data                 # the real figure (8544 sentences)
    python bench/sst_epoch.py --data-dir ../shared/data --max-train 320 # a quick smoke run
    python bench/sst_epoch.py --data-dir ../shared/data --device cuda --epochs 2   # on a GPU, bf16 both sides
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, print_table, read_result, write_result  # noqa: E402
from _reference import FinetuneConfig, hf_finetune_epoch, read_minbert  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding sst/sst-{train,dev}.txt")
    parser.add_argument("--max-train", type=int, default=None, help="use only the first N training sentences")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for both sides (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (bf16 autocast on both sides)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs for both sides (times are summed)")
    parser.add_argument(
        "--side", choices=("both", "ours", "hf"), default="both",
        help="run one side only; the other side's figure is then taken from the last saved result",
    )
    parser.add_argument("--compile", action="store_true", help="also pass compile=True to our training loop")
    parser.add_argument("--no-cuda-graphs", action="store_true", help="run our loop eagerly on the GPU (cuda_graphs=False)")
    parser.add_argument("--name", default="sst_epoch", help="result file name under bench/results/")
    return parser.parse_args(argv)


def run_hf(args: argparse.Namespace, model_dir: Path) -> dict:
    """The reference: one epoch of the plain Hugging Face loop, then dev accuracy."""
    train = read_minbert(args.data_dir / "sst" / "sst-train.txt")
    dev = read_minbert(args.data_dir / "sst" / "sst-dev.txt")
    if args.max_train:
        train = train[: args.max_train]
    result = hf_finetune_epoch(model_dir, train, dev, num_labels=5,
                               config=FinetuneConfig(seed=args.seed, device=args.device, epochs=args.epochs))
    return dataclasses.asdict(result) | {"load_average_after": list(os.getloadavg())}


@dataclass
class LoopMeter:
    """Wall and CPU seconds spent in our fit loop and in its dev passes, and the tokens its batches held.

    Installed by wrapping `seqlab.training.trainer.fit`, ClassificationTask.evaluate and the loop's
    `to_device` for the duration of one benchmark run: it measures seqlab's own loop without changing it.
    Tokens are counted on the host copy of each batch, so the count never makes the loop wait for a GPU
    (and it sees every step, also those replayed as CUDA graphs).
    """

    fit_seconds: float = 0.0
    fit_cpu_seconds: float = 0.0
    eval_seconds: float = 0.0
    eval_cpu_seconds: float = 0.0
    padded_tokens: int = 0
    real_tokens: int = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        from seqlab.training import loop, tasks, trainer

        original_fit, original_move, original_eval = trainer.fit, loop.to_device, tasks.ClassificationTask.evaluate
        meter = self

        def fit(*a: Any, **k: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original_fit(*a, **k)
            finally:
                meter.fit_seconds += time.perf_counter() - wall
                meter.fit_cpu_seconds += time.process_time() - cpu

        def move(batch: dict, device: Any) -> Any:
            meter.padded_tokens += batch["input_ids"].numel()
            meter.real_tokens += int(batch["attention_mask"].sum())
            return original_move(batch, device)

        def evaluate(task: Any, *a: Any, **k: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original_eval(task, *a, **k)
            finally:
                meter.eval_seconds += time.perf_counter() - wall
                meter.eval_cpu_seconds += time.process_time() - cpu

        trainer.fit, loop.to_device, tasks.ClassificationTask.evaluate = fit, move, evaluate
        try:
            yield
        finally:
            trainer.fit, loop.to_device, tasks.ClassificationTask.evaluate = original_fit, original_move, original_eval


def run_ours(args: argparse.Namespace) -> dict:
    """Ours: `seqlab.training.train` for one epoch (length-bucketed batches), timed around its fit loop."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    config = TrainConfig(
        data="sst", data_dir=str(args.data_dir), model={"family": "bert-pretrained"}, optimizer="adamw",
        lr=2e-5, batch_size=16, max_length=128, epochs=args.epochs, seed=args.seed, device=args.device,
        threads=args.threads,
        # the reference is a plain loop: constant lr, no warm-up, no clipping
        schedule="constant", warmup_ratio=0.0, grad_clip=None,
        max_train_examples=args.max_train, compile=args.compile, cuda_graphs=not args.no_cuda_graphs,
        name="bench-sst-epoch",
    )
    meter = LoopMeter()
    with tempfile.TemporaryDirectory(prefix="seqlab-bench-") as runs:
        os.environ["SEQLAB_RUNS"] = runs
        with meter.installed():
            result = train(config, quiet=True)
        from seqlab.experiments.execute import dev_curve

        per_epoch = [r["accuracy"] for r in dev_curve(result.run_dir)]
    # the fit loop also writes checkpoints after the epoch; they are counted as training time (our cost)
    return {
        "train_seconds": meter.fit_seconds - meter.eval_seconds,
        "eval_seconds": meter.eval_seconds,
        "train_cpu_seconds": meter.fit_cpu_seconds - meter.eval_cpu_seconds,
        "eval_cpu_seconds": meter.eval_cpu_seconds,
        "dev_accuracy": result.dev.accuracy if result.dev else None,  # the best epoch's
        "dev_accuracy_per_epoch": per_epoch,
        "train_examples": args.max_train or 8544,
        "padded_tokens": meter.padded_tokens,
        "real_tokens": meter.real_tokens,
        "load_average_after": list(os.getloadavg()),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    from seqlab.paths import pretrained_bert_dir

    model_dir = pretrained_bert_dir()
    previous = read_result(args.name) or {}
    payload = {
        "benchmark": "sst_epoch",
        "command": "python bench/sst_epoch.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine_info(torch.device(args.device), args.threads),
        "settings": {"batch_size": 16, "max_length": 128, "lr": 2e-5, "optimizer": "AdamW", "seed": args.seed,
                     "device": args.device, "epochs": args.epochs, "cuda_graphs": not args.no_cuda_graphs,
                     "schedule": "constant, no warm-up, no clipping (both sides)",
                     "max_train": args.max_train},
        "hf": previous.get("hf") if args.side == "ours" else run_hf(args, model_dir),
        "ours": previous.get("ours") if args.side == "hf" else run_ours(args),
    }
    hf, ours = payload["hf"] or {}, payload["ours"] or {}
    if hf.get("train_seconds") and ours.get("train_seconds"):
        payload["speedup"] = hf["train_seconds"] / ours["train_seconds"]
        payload["speedup_cpu_time"] = hf["train_cpu_seconds"] / ours["train_cpu_seconds"]
    rows = []
    for name, side in (("seqlab (length buckets)", ours), ("Hugging Face (random order)", hf)):
        rows.append([
            name,
            side.get("train_seconds") or float("nan"),
            side.get("train_cpu_seconds") or float("nan"),
            side.get("padded_tokens") or "-",
            side.get("real_tokens") or "-",
            side.get("dev_accuracy") if side.get("dev_accuracy") is not None else float("nan"),
        ])
    caption = (f"HF/ours: {payload['speedup']:.2f}x wall, {payload['speedup_cpu_time']:.2f}x CPU time"
               if "speedup" in payload else None)
    print_table(
        f"SST fine-tuning, {args.epochs} epoch(s), "
        + (f"{args.threads} CPU threads" if args.device == "cpu" else f"{args.device}, bf16 autocast"),
        ["loop", "train wall s", "train CPU s", "tokens (padded)", "tokens (real)", "dev accuracy"],
        rows,
        caption,
    )
    write_result(args.name, payload)


if __name__ == "__main__":
    main()
