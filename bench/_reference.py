"""The Hugging Face side of the benchmarks: the reference model and the plain fine-tuning loop we race.

Kept free of seqlab code on purpose, so the reference cannot inherit our speed-ups or our bugs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch

HF_ATTENTION = ("sdpa", "eager")  # "sdpa" is the transformers default for BERT


def load_hf_bert(directory: Path, attn_implementation: str = "sdpa"):
    """transformers.BertModel with the checkpoint's weights, offline, float32, in eval mode."""
    from transformers import BertModel

    model = BertModel.from_pretrained(
        str(directory), local_files_only=True, attn_implementation=attn_implementation, add_pooling_layer=True
    )
    return model.eval()


def read_minbert(path: Path) -> list[tuple[int, str]]:
    """(label, sentence) pairs from a minbert-format file (`LABEL ||| SENTENCE` per line)."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, text = line.split(" ||| ", 1)
            pairs.append((int(label), text))
    return pairs


@dataclass(frozen=True)
class FinetuneConfig:
    """The plain Hugging Face fine-tuning loop's settings (kept equal to ours in the benchmark)."""

    batch_size: int = 16
    max_length: int = 128
    lr: float = 2e-5
    seed: int = 0
    eval_batch_size: int = 64
    device: str = "cpu"  # on "cuda" both passes run under bf16 autocast, as ours does
    epochs: int = 1


@dataclass(frozen=True)
class FinetuneResult:
    """Wall and CPU seconds of the training epoch and of the dev pass, and dev accuracy after the epoch.

    CPU seconds (this process, all threads) are less disturbed than wall seconds when other work
    shares the machine.
    """

    train_seconds: float
    eval_seconds: float
    train_cpu_seconds: float
    eval_cpu_seconds: float
    dev_accuracy: float  # after the last epoch
    train_examples: int
    padded_tokens: int  # tokens the model processed, padding included
    real_tokens: int
    dev_accuracy_per_epoch: tuple[float, ...] = ()


def hf_finetune_epoch(
    model_dir: Path,
    train: list[tuple[int, str]],
    dev: list[tuple[int, str]],
    num_labels: int,
    config: FinetuneConfig,
) -> FinetuneResult:
    """`config.epochs` epochs of BertForSequenceClassification fine-tuning, batches in random order padded
    per batch, with a dev pass after each; times summed over the epochs."""
    import contextlib

    from transformers import BertForSequenceClassification, BertTokenizerFast

    device = torch.device(config.device)
    torch.manual_seed(config.seed)
    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir), local_files_only=True)
    model = BertForSequenceClassification.from_pretrained(
        str(model_dir), num_labels=num_labels, local_files_only=True, dtype=torch.float32
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr)
    train_ids = tokenizer([t for _, t in train], truncation=True, max_length=config.max_length)["input_ids"]
    dev_ids = tokenizer([t for _, t in dev], truncation=True, max_length=config.max_length)["input_ids"]
    train_labels = torch.tensor([label for label, _ in train])

    def mixed() -> contextlib.AbstractContextManager:
        cuda = device.type == "cuda"
        return torch.autocast("cuda", dtype=torch.bfloat16) if cuda else contextlib.nullcontext()

    def wait() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    generator = torch.Generator().manual_seed(config.seed)
    padded = real = 0
    train_seconds = train_cpu = eval_seconds = eval_cpu = 0.0
    accuracies = []
    for _ in range(config.epochs):
        order = torch.randperm(len(train), generator=generator).tolist()
        model.train()
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(0, len(order), config.batch_size):
            index = order[i : i + config.batch_size]
            batch = tokenizer.pad({"input_ids": [train_ids[j] for j in index]}, return_tensors="pt")
            padded += batch["input_ids"].numel()
            real += int(batch["attention_mask"].sum())
            with mixed():
                loss = model(**batch.to(device), labels=train_labels[index].to(device)).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        wait()
        train_seconds += time.perf_counter() - start
        train_cpu += time.process_time() - cpu_start

        model.eval()
        correct = 0
        start, cpu_start = time.perf_counter(), time.process_time()
        with torch.inference_mode():
            for i in range(0, len(dev), config.eval_batch_size):
                batch = tokenizer.pad({"input_ids": dev_ids[i : i + config.eval_batch_size]}, return_tensors="pt")
                with mixed():
                    predicted = model(**batch.to(device)).logits.argmax(-1).cpu()
                gold = torch.tensor([label for label, _ in dev[i : i + config.eval_batch_size]])
                correct += int((predicted == gold).sum())
        eval_seconds += time.perf_counter() - start
        eval_cpu += time.process_time() - cpu_start
        accuracies.append(correct / len(dev))
    return FinetuneResult(train_seconds, eval_seconds, train_cpu, eval_cpu, accuracies[-1], len(train), padded, real,
                          tuple(accuracies))
