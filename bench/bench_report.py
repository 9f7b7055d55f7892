"""Turn the benchmark results in bench/results/*.json into docs/results/bench.md.

    python bench/bench_report.py            # writes docs/results/bench.md
    python bench/bench_report.py --stdout   # prints it instead
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PAGE = BENCH.parent / "docs" / "results" / "bench.md"
NOTES = RESULTS / "bench_notes.md"  # hand-written findings, included verbatim


def _machine(payload: dict) -> str:
    m = payload["machine"]
    where = m.get("gpu") or f"{m['cpu']} ({m['cpu_cores']} cores), {m['threads']} thread(s)"
    return (f"{where}; torch {m['torch']}, transformers {m.get('transformers', '-')}; "
            f"load average at start {m.get('load_average_at_start')}")


def bert_section(payload: dict) -> list[str]:
    """Our BERT vs transformers.BertModel: samples/s and ratios per case."""
    settings = payload["settings"]
    has_mfu = any("mfu" in r for r in payload["results"])
    lines = [
        f"## Our BERT vs Hugging Face BertModel ({settings['device']})", "",
        f"`{payload['command']}`  ", f"Machine: {_machine(payload)}.  ",
        f"Batch {settings['batch_size']}, median of {settings['repeats']} interleaved repetitions after "
        f"{settings['warmup']} warm-up calls; forward+backward runs in train mode (dropout on). "
        "Rows with random real lengths in [T/2, T] (padding masked). "
        "x > 1: faster than that reference.", "",
        "| T | mode | contender | samples/s | x vs HF sdpa (default) | x vs HF eager | spread |"
        + (" MFU |" if has_mfu else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if has_mfu else ""),
    ]
    for r in payload["results"]:
        lines.append(
            f"| {r['length']} | {r['mode']} | {r['contender']} | {r['samples_per_second']:.1f} | "
            f"{r['ratio_vs_hf_sdpa']:.2f} | {r['ratio_vs_hf_eager']:.2f} | {r['spread']:.0%} |"
            + (f" {r['mfu']:.1%} |" if has_mfu else "")
        )
    worst = max(max(v.values()) for v in payload["output_check"].values())
    lines += ["", f"Outputs checked before timing: max |ours - HF| over hidden states and pooled output "
              f"= {worst:.1e} (all cases).", ""]
    return lines


def sst_section(payload: dict) -> list[str]:
    """SST fine-tuning epochs, ours vs the plain HF loop."""
    hf, ours = payload.get("hf") or {}, payload.get("ours") or {}
    settings = payload["settings"]
    epochs, device = settings.get("epochs", 1), settings.get("device", "cpu")
    where = "CPU" if device == "cpu" else f"{device}, bf16 autocast both sides"
    if device != "cpu":
        where += ", ours with CUDA graphs" if settings.get("cuda_graphs", True) else ", ours without CUDA graphs"
    lines = [
        f"## {'One epoch' if epochs == 1 else f'{epochs} epochs'} of SST fine-tuning ({where}): seqlab vs a plain "
        "Hugging Face loop"
        + (f" (first {settings['max_train']} sentences)" if settings.get("max_train") else
           " (all 8544 sentences)"), "",
        f"`{payload['command']}`  ", f"Machine: {_machine(payload)}.  ",
        "MiniLM, batch 16, max length 128, AdamW lr 2e-5; ours: `seqlab.training.train` (length-bucketed "
        "batches, dynamic padding); HF: BertForSequenceClassification, random order, each batch padded to its "
        "longest. Train time excludes the dev pass (summed over epochs); CPU time is this process's, all threads.",
        "",
        "| loop | train wall s | train CPU s | tokens incl. padding | real tokens | dev accuracy per epoch |",
        "|---|---|---|---|---|---|",
    ]
    digits = 0 if device == "cpu" else 1
    for name, side in (("seqlab", ours), ("Hugging Face", hf)):
        if side:
            per_epoch = side.get("dev_accuracy_per_epoch") or [side["dev_accuracy"]]
            lines.append(
                f"| {name} | {side['train_seconds']:.{digits}f} | {side['train_cpu_seconds']:.{digits}f} | "
                f"{side['padded_tokens']:,} | {side['real_tokens']:,} | {', '.join(f'{a:.3f}' for a in per_epoch)} |"
            )
    if "speedup" in payload:
        lines += ["", f"Speed-up HF/ours: {payload['speedup']:.2f}x wall, {payload['speedup_cpu_time']:.2f}x CPU time."]
    return lines + [""]


def rnn_section(payload: dict) -> list[str]:
    """LSTM/GRU throughput per packing and batching variant."""
    s = payload["settings"]
    lines = [
        f"## LSTM / GRU training throughput ({s['device']})", "",
        f"`{payload['command']}`  ", f"Machine: {_machine(payload)}.  ",
        f"IMDB, {s['examples']} reviews truncated to {s['max_length']} words, batch {s['batch_size']}, embed "
        f"{s['embed_dim']}, hidden {s['hidden']}, one direction, Adam; median of {s['repeats']} interleaved passes. "
        f"Packed and padded variants give the same logits (max diff "
        f"{max(payload['packed_vs_padded_max_logit_diff'].values()):.1e}).", "",
        "| cell | variant | samples/s | x vs padded + random | padding share |", "|---|---|---|---|---|",
    ]
    for r in payload["results"]:
        lines.append(f"| {r['cell']} | {r['variant']} | {r['samples_per_second']:.0f} | "
                     f"{r['speedup_vs_padded_random']:.2f} | {r['padding_fraction']:.0%} |")
    return lines + [""]


def render() -> str:
    """The whole Markdown page from whatever results exist."""
    lines = ["# Benchmarks (issue 8)", "",
             "Scripts in `bench/` (each `--help`s); raw results in `bench/results/*.json`; this page is "
             "`python bench/bench_report.py`.", ""]
    if NOTES.is_file():
        lines += NOTES.read_text().strip().splitlines() + [""]
    for path in sorted(RESULTS.glob("bert_vs_hf*.json")):
        lines += bert_section(json.loads(path.read_text()))
    for path in sorted(RESULTS.glob("sst_epoch*.json")):
        lines += sst_section(json.loads(path.read_text()))
    for path in sorted(RESULTS.glob("rnn_throughput*.json")):
        lines += rnn_section(json.loads(path.read_text()))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stdout", action="store_true", help="print the page instead of writing it")
    args = parser.parse_args(argv)
    page = render()
    if args.stdout:
        print(page)
        return
    from seqlab.io import atomic_write_text

    atomic_write_text(PAGE, page)
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
