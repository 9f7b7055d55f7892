"""Our hand-written BERT against `transformers.BertModel`: same MiniLM weights, same inputs, same threads.

For each sequence length it first checks that both give the same hidden states and pooled output,
then times inference and forward+backward, interleaving the contenders (ours, HF "sdpa" = the
transformers default, HF "eager") after warm-up, and reports the median samples/s and ours/HF ratios.
On CUDA the check runs in float32 (TF32 off), the timing under bf16 autocast, and the table reports model
FLOPs utilisation (MFU); `--graphs` (default on CUDA) adds each model's call replayed as a CUDA graph, the
way `seqlab train` runs its steps on a GPU ("ours+graph"), and HF's call replayed the same way for reference.

Rows have random real lengths in [T/2, T], as in a randomly ordered padded batch. Our BERT runs its
position-wise layers on the real tokens only (seqlab.models.unpad); HF runs them on the padding too. The
FLOP and MFU figures count the padded batch for every contender, so they are effective rates.

    python bench/bert_vs_hf.py                        # CPU, 2 threads, batch 32, lengths 64 and 128
    python bench/bert_vs_hf.py --device cuda --batch-size 64 --lengths 128 512   # GPU: bf16, MFU, graphs
    python bench/bert_vs_hf.py --compile              # also time torch.compile(ours)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, print_table, time_interleaved, write_result  # noqa: E402
from _reference import HF_ATTENTION, load_hf_bert  # noqa: E402

# Dense bf16 peak (no sparsity) of GPUs we know, for MFU; pass --peak-tflops for others.
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L4": 121.0, "A10": 125.0, "4090": 165.0}
CHECK_TOLERANCE = {"cpu": 1e-4, "cuda": 1e-3}  # float32 both; CUDA kernels (and their sums) differ more


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--warmup", type=int, default=2, help="untimed calls per contender first")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds; the median is reported")
    parser.add_argument("--compile", action="store_true", help="add torch.compile(ours) as a contender")
    parser.add_argument("--graphs", action=argparse.BooleanOptionalAction, default=None,
                        help="add CUDA-graph replays of ours and of HF sdpa (default: on for cuda)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="GPU bf16 peak for MFU, if not known")
    parser.add_argument("--name", default=None, help="result file name (default bert_vs_hf_<device>)")
    return parser.parse_args(argv)


def make_inputs(batch: int, length: int, vocab: int, device: torch.device, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random token ids after [CLS], each row a random real length in [length/2, length], padded with 0."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(length // 2, length + 1, (batch,), generator=generator)
    lengths[0] = length  # the batch is as long as its longest row, as with dynamic padding
    ids = torch.randint(1000, vocab, (batch, length), generator=generator)
    ids[:, 0] = 101  # [CLS]
    mask = torch.arange(length)[None, :] < lengths[:, None]
    ids = ids.masked_fill(~mask, 0)
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "segment_ids": torch.zeros_like(ids).to(device),
    }


def ours_forward(model: torch.nn.Module, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(hidden states [B,T,D], pooled [B,D]) from our BertModel."""
    out = model(inputs["input_ids"], inputs["attention_mask"], inputs["segment_ids"])
    return out.last_hidden_state, out.pooled_output


def hf_forward(model: torch.nn.Module, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(hidden states [B,T,D], pooled [B,D]) from transformers.BertModel."""
    out = model(
        input_ids=inputs["input_ids"],
        attention_mask=inputs["attention_mask"].long(),
        token_type_ids=inputs["segment_ids"],
    )
    return out.last_hidden_state, out.pooler_output


def check_equal(
    ours: torch.nn.Module, reference: torch.nn.Module, inputs: dict[str, torch.Tensor], device: torch.device
) -> dict[str, float]:
    """Max |ours - HF| over real tokens' hidden states and over pooled outputs, in eval mode, in float32.

    bf16 differences of ~0.1 after six layers are expected rounding, so equality is checked without autocast
    (and without TF32 on CUDA); the timing then runs under bf16.
    """
    ours.eval()
    reference.eval()
    tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.inference_mode():
            hidden, pooled = ours_forward(ours, inputs)
            ref_hidden, ref_pooled = hf_forward(reference, inputs)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = tf32
    real = inputs["attention_mask"]
    return {
        "hidden_max_abs_diff": float((hidden.float() - ref_hidden.float())[real].abs().max()),
        "pooled_max_abs_diff": float((pooled.float() - ref_pooled.float()).abs().max()),
    }


def step_fn(
    model: torch.nn.Module,
    forward: Callable[[torch.nn.Module, dict[str, torch.Tensor]], tuple[torch.Tensor, torch.Tensor]],
    inputs: dict[str, torch.Tensor],
    device: torch.device,
    backward: bool,
    cache: bool = True,
) -> Callable[[], None]:
    """One timed call: a forward (no grad) or a forward+backward in train mode (dropout on). `cache=False`
    turns autocast's weight cache off, as recording a CUDA graph requires."""
    from seqlab.device import autocast

    if not backward:
        def infer() -> None:
            with torch.inference_mode(), autocast(device, cache_enabled=cache):
                forward(model, inputs)

        return infer

    def train_step() -> None:
        model.zero_grad(set_to_none=True)
        with autocast(device, cache_enabled=cache):
            hidden, pooled = forward(model, inputs)
            loss = hidden.float().pow(2).mean() + pooled.float().mean()
        loss.backward()

    return train_step


def graph_replay(call: Callable[[], None]) -> Callable[[], None]:
    """`call` recorded once as a CUDA graph (after warm-up on a side stream); returns its replay."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            call()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        call()
    return graph.replay


def model_flops(config: dict[str, Any], batch: int, length: int, backward: bool) -> float:
    """Matmul FLOPs of one call (padding included): projections, feed-forward, attention; x3 with backward."""
    d, ffn, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    tokens = batch * length
    per_layer = 2 * tokens * (4 * d * d + 2 * d * ffn) + 2 * 2 * tokens * length * d
    forward = layers * per_layer + 2 * batch * d * d  # + pooler
    return forward * (3 if backward else 1)


def peak_flops(device: torch.device, override: float | None) -> float | None:
    """The GPU's dense bf16 peak in FLOP/s, when known."""
    if override:
        return override * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, tflops in PEAK_BF16_TFLOPS.items():
        if key in name:
            return tflops * 1e12
    return None


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from seqlab.device import resolve_device
    from seqlab.models.bert_loading import load_bert
    from seqlab.paths import pretrained_bert_dir

    device = resolve_device(args.device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model_dir = pretrained_bert_dir()
    import json

    hf_config = json.loads((model_dir / "config.json").read_text())
    ours = load_bert(model_dir).to(device)
    contenders_models: dict[str, tuple[torch.nn.Module, Callable]] = {"ours": (ours, ours_forward)}
    if args.compile:
        contenders_models["ours+compile"] = (torch.compile(ours), ours_forward)
    for impl in HF_ATTENTION:
        contenders_models[f"hf-{impl}"] = (load_hf_bert(model_dir, impl).to(device), hf_forward)
    peak = peak_flops(device, args.peak_tflops)
    graphs = args.graphs if args.graphs is not None else device.type == "cuda"
    if graphs and device.type != "cuda":
        raise SystemExit("--graphs needs --device cuda")
    graphed = {"ours+graph": "ours", "hf-sdpa+graph": "hf-sdpa"} if graphs else {}

    results: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    rows = []
    for length in args.lengths:
        inputs = make_inputs(args.batch_size, length, hf_config["vocab_size"], device)
        tolerance = CHECK_TOLERANCE.get(device.type, 1e-3)
        for name, (model, _) in contenders_models.items():
            if not name.startswith("ours"):
                continue
            for impl in HF_ATTENTION:
                diff = check_equal(model, contenders_models[f"hf-{impl}"][0], inputs, device)
                checks[f"T={length} {name} vs hf-{impl}"] = diff
                if max(diff.values()) > tolerance:
                    raise SystemExit(f"{name} differs from hf-{impl} at length {length}: {diff}; not timing")
        for backward in (False, True):
            for model, _ in contenders_models.values():
                model.train(backward)
            calls = {
                name: step_fn(model, forward, inputs, device, backward)
                for name, (model, forward) in contenders_models.items()
            }
            for name, base in graphed.items():
                model, forward = contenders_models[base]
                calls[name] = graph_replay(step_fn(model, forward, inputs, device, backward, cache=False))
            timings = time_interleaved(calls, device, args.warmup, args.repeats)
            flops = model_flops(hf_config, args.batch_size, length, backward)
            mode = "forward+backward" if backward else "inference"
            default = timings.median("hf-sdpa")
            for name in calls:
                median = timings.median(name)
                record = {
                    "length": length,
                    "mode": mode,
                    "contender": name,
                    "median_seconds": median,
                    "samples_per_second": args.batch_size / median,
                    "spread": timings.spread(name),
                    "ratio_vs_hf_sdpa": default / median,
                    "ratio_vs_hf_eager": timings.median("hf-eager") / median,
                    "seconds": timings.seconds[name],
                    "tflops": flops / median / 1e12,
                }
                if peak:
                    record["mfu"] = flops / median / peak
                results.append(record)
                rows.append([
                    f"T={length} {mode}", name, record["samples_per_second"], record["ratio_vs_hf_sdpa"],
                    record["ratio_vs_hf_eager"], f"{record['spread']:.0%}",
                    f"{record['mfu']:.1%}" if peak else f"{record['tflops'] * 1e3:.0f} GFLOP/s",
                ])
    print_table(
        f"BERT (MiniLM-L6-H384) ours vs Hugging Face, batch {args.batch_size}, {device}"
        + (f", {args.threads} threads" if device.type == "cpu" else ", bf16 autocast"),
        ["case", "contender", "samples/s", "x vs HF sdpa", "x vs HF eager", "spread", "MFU" if peak else "speed"],
        rows,
        caption="x > 1 means ours is faster; spread = (max-min)/median of the timed repetitions",
    )
    print_table("outputs checked equal before timing", ["case", "hidden max |diff|", "pooled max |diff|"],
                [[k, f"{v['hidden_max_abs_diff']:.2e}", f"{v['pooled_max_abs_diff']:.2e}"] for k, v in checks.items()])
    write_result(
        args.name or f"bert_vs_hf_{device.type}",
        {
            "benchmark": "bert_vs_hf",
            "command": "python bench/bert_vs_hf.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "machine": machine_info(device, args.threads),
            "settings": vars(args) | {"device": str(device)},
            "output_check": checks,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
