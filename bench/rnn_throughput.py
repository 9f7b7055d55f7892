"""LSTM and GRU training throughput: packed vs padded sequences, length-bucketed vs random batches.

Trains seqlab's RNNClassifier on real IMDB reviews (word vocabulary, truncated to --max-length) for one
pass over --examples reviews per timed repetition, with Adam. Four variants per cell:

  packed + bucketed   pack_padded_sequence, batches of similar length (`seqlab train` on CUDA, or bidirectional)
  packed + random     packing, batches in random order (padding still costs collation, not recurrence)
  padded + bucketed   the recurrence runs over padding too; the state is read at each text's last token
                      (`seqlab train` for a one-direction RNN on CPU)
  padded + random     the naive loop: every batch runs to its longest review

Variants are interleaved across repetitions and the median samples/s is reported.

    python bench/rnn_throughput.py --data-dir ../shared/data
    python bench/rnn_throughput.py --data-dir ../shared/data --device cuda --examples 8192
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding imdb/train.tsv and test.tsv")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("--examples", type=int, default=2048, help="reviews per timed pass (default 2048)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=256, help="truncate reviews to this many words")
    parser.add_argument("--embed-dim", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru"], choices=["lstm", "gru"])
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes per variant first")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per variant (median reported)")
    parser.add_argument("--name", default=None, help="result file name (default rnn_throughput_<device>)")
    return parser.parse_args(argv)


class RNNPath(nn.Module):
    """An RNNClassifier forced down one of its two paths: packed sequences, or the padded batch read at
    each text's last real step (its forward picks by device and direction). Same weights, same answer
    for a one-direction RNN; only the work differs."""

    def __init__(self, model: nn.Module, *, packed: bool) -> None:
        super().__init__()
        self.inner, self.packed = model, packed

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, segment_ids: Any = None) -> torch.Tensor:
        inner = self.inner
        lengths = attention_mask.long().sum(dim=1).clamp(min=1).cpu()
        embedded = inner.dropout(inner.embedding(input_ids))
        final = (inner._packed_final_state if self.packed else inner._padded_final_state)(embedded, lengths)
        return inner.head(inner.dropout(final))


def _logits(output: Any) -> torch.Tensor:
    return output.logits if hasattr(output, "logits") else output


def check_same_logits(packed: nn.Module, padded: nn.Module, batch: dict[str, torch.Tensor]) -> float:
    """Max |packed - padded| logits on one batch in eval mode: the two variants compute the same model."""
    packed.eval()
    with torch.inference_mode():
        a = _logits(packed(batch["input_ids"], batch["attention_mask"]))
        b = padded(batch["input_ids"], batch["attention_mask"])
    packed.train()  # the two wrappers share one inner model
    return float((a - b).abs().max())


def epoch_fn(model: nn.Module, loader: Any, device: torch.device) -> Callable[[], None]:
    """One training pass over the loader with Adam (lr 1e-3)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [{k: v.to(device) for k, v in batch.items()} for batch in loader]  # collation is not timed

    def run() -> None:
        model.train()
        for batch in batches:
            logits = _logits(model(batch["input_ids"], batch["attention_mask"]))
            loss = F.cross_entropy(logits.float(), batch["labels"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

    return run


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from seqlab.data.batching import encode_examples, make_loader, padding_fraction
    from seqlab.data.registry import load_splits
    from seqlab.data.vocab import Vocab
    from seqlab.device import resolve_device, seed_everything
    from seqlab.models.rnn import RNNClassifier, RNNConfig

    device = resolve_device(args.device)
    torch.set_num_threads(args.threads)
    splits = load_splits("imdb", args.data_dir, seed=0)
    examples = splits.train[: args.examples]
    vocab = Vocab.build([e.text for e in examples], min_freq=2)
    dataset = encode_examples(examples, vocab, splits.labels, args.max_length)
    loaders = {
        "bucketed": make_loader(dataset, args.batch_size, shuffle=True, seed=0, bucket=True),
        "random": make_loader(dataset, args.batch_size, shuffle=True, seed=0, bucket=False),
    }
    padding = {name: padding_fraction(loader) for name, loader in loaders.items()}

    results: list[dict[str, Any]] = []
    rows = []
    checks = {}
    for cell in args.cells:
        seed_everything(0)
        config = RNNConfig(cell=cell, vocab_size=vocab.vocab_size, embed_dim=args.embed_dim,
                           hidden_size=args.hidden, pad_id=vocab.pad_id)
        calls: dict[str, Callable[[], None]] = {}
        for packing in ("packed", "padded"):
            for batching, loader in loaders.items():
                seed_everything(0)
                model: nn.Module = RNNClassifier(config, len(splits.labels)).to(device)
                model = RNNPath(model, packed=packing == "packed")
                calls[f"{packing} + {batching}"] = epoch_fn(model, loader, device)
        probe = RNNClassifier(config, len(splits.labels)).to(device)
        first = {k: v.to(device) for k, v in next(iter(loaders["random"])).items()}
        checks[cell] = check_same_logits(RNNPath(probe, packed=True), RNNPath(probe, packed=False), first)
        timings = time_interleaved(calls, device, args.warmup, args.repeats)
        baseline = timings.median("padded + random")
        for name in calls:
            median = timings.median(name)
            record = {
                "cell": cell, "variant": name, "median_seconds": median,
                "samples_per_second": len(dataset) / median, "speedup_vs_padded_random": baseline / median,
                "spread": timings.spread(name), "padding_fraction": padding[name.split(" + ")[1]],
                "seconds": timings.seconds[name],
            }
            results.append(record)
            rows.append([cell, name, record["samples_per_second"], record["speedup_vs_padded_random"],
                         f"{record['padding_fraction']:.0%}", f"{record['spread']:.0%}"])
    print_table(
        f"RNN training throughput, IMDB {len(dataset)} reviews <= {args.max_length} words, batch {args.batch_size}, "
        f"{device}" + (f", {args.threads} threads" if device.type == "cpu" else ""),
        ["cell", "variant", "samples/s", "x vs padded+random", "padding", "spread"],
        rows,
        caption="padding = share of batch positions that are padding; spread = (max-min)/median",
    )
    write_result(
        args.name or f"rnn_throughput_{device.type}",
        {
            "benchmark": "rnn_throughput",
            "command": "python bench/rnn_throughput.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "machine": machine_info(device, args.threads),
            "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "vocab_size": vocab.vocab_size,
            "packed_vs_padded_max_logit_diff": checks,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
