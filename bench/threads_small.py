"""CPU threads for small models: training steps per second at 1, 2 and torch's default thread count.

Models the size of the tour's and `seqlab train`'s defaults (tens of thousands to a few million
parameters) do so little work per step that synchronising intra-op threads can cost more than it saves,
and on a busy machine extra threads wait for cores. This measures one Adam step on batches of 32
random token ids (length 16), each thread setting interleaved with the others, median of --repeats.

    python bench/threads_small.py                # writes bench/results/threads_small.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402

MODELS = {  # name: (family spec, vocabulary)
    "lstm (default, 39.9K)": ({"family": "lstm"}, 100),
    "transformer (tour, 57K)": ({"family": "transformer", "d_ff": 64}, 100),
    "transformer d256 L4 (3.3M)": ({"family": "transformer", "d_model": 256, "n_layers": 4, "d_ff": 1024}, 2000),
}


def step_fn(spec: dict, vocab: int, threads: int):
    """One training step of the model at `threads` intra-op threads (set inside, so rounds interleave)."""
    from seqlab.models.factory import build_classifier

    torch.manual_seed(0)
    model = build_classifier(spec, vocab_size=vocab, num_labels=2, pad_id=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(1, vocab, (32, 16))
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "lengths": torch.full((32,), 16)}
    labels = torch.randint(0, 2, (32,))

    def run() -> None:
        torch.set_num_threads(threads)
        for _ in range(5):
            logits = model(batch["input_ids"], batch["attention_mask"]).logits
            loss = torch.nn.functional.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run, sum(p.numel() for p in model.parameters())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    default = torch.get_num_threads()
    settings = sorted({1, 2, default})
    rows, results = [], []
    for name, (spec, vocab) in MODELS.items():
        contenders, parameters = {}, 0
        for threads in settings:
            contenders[f"{threads} thread(s)"], parameters = step_fn(spec, vocab, threads)
        timings = time_interleaved(contenders, torch.device("cpu"), warmup=1, repeats=args.repeats)
        one = timings.median("1 thread(s)")
        for threads in settings:
            key = f"{threads} thread(s)"
            rows.append([name, threads, 5 / timings.median(key), one / timings.median(key), timings.spread(key)])
            results.append({"model": name, "parameters": parameters, "threads": threads,
                            "steps_per_second": 5 / timings.median(key), "speedup_vs_1": one / timings.median(key)})
    torch.set_num_threads(default)
    print_table("training steps/s by CPU threads (batch 32 x 16 tokens)",
                ["model", "threads", "steps/s", "vs 1 thread", "spread"], rows)
    write_result("threads_small", {"machine": machine_info(torch.device("cpu"), default), "rows": results})


if __name__ == "__main__":
    main()
