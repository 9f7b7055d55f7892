"""The live checks of seqlab.proofs.cost (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from seqlab.proofs.base import CheckResult, MODEL, STAND_IN
from seqlab.proofs.cost import AttentionVersusRecurrentCost, attention_flops, recurrent_flops
from seqlab.proofs.live.recurrent import gru_step, lstm_step
from seqlab.proofs.target import LiveTarget, attention_modules, find_modules


ATTENTION_SIZES = {"n": (32, 64, 128, 256), "d": (32, 64, 128)}
RECURRENT_SIZES = {"n": (8, 16, 32), "d": (16, 32, 64)}
RELATIVE_TOLERANCE = 1e-6  # counted FLOPs are integers; the formulas count the same multiply-adds
SLOPE_TOLERANCE = 0.05
GATES = {"LSTM": 4, "GRU": 3}


def log_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x (the exponent of a power law)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def _recurrent_class(target: LiveTarget) -> tuple[Callable[..., nn.RNNBase], str]:
    """The model's recurrent class (LSTM or GRU), or nn.LSTM with a note when it has none."""
    found = find_modules(target.model, (torch.nn.LSTM, torch.nn.GRU))
    if found:
        return type(found[0][1]), ""
    return torch.nn.LSTM, "; the model has no recurrent layer, so a fresh nn.LSTM was counted"


def _count_attention(cls: Callable[..., nn.Module], n: int, d: int, target: LiveTarget) -> tuple[int, int]:
    """(all FLOPs, projection FLOPs) of one forward of cls(d, 4) on [1, n, d], explicit path."""
    torch.manual_seed(target.seed)
    module = cls(d, 4).to(target.device).eval()
    x = torch.randn(1, n, d, device=target.device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(x, need_weights=True)
    counts = counter.get_flop_counts()
    root = next(name for name in counts if name != "Global" and "." not in name)
    projections = sum(sum(ops.values()) for name, ops in counts.items() if name.startswith(root + ".") and name.count(".") == 1)
    return counter.get_total_flops(), projections


def _counter_sees(cls: Callable[..., nn.RNNBase], target: LiveTarget) -> bool:
    """Whether FlopCounterMode counts this recurrent class's own kernel on this device (CPU's fused LSTM: no)."""
    module = cls(4, 4, batch_first=True).to(target.device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(torch.zeros(1, 1, 4, device=target.device))
    return counter.get_total_flops() > 0


def _count_recurrent(cls: Callable[..., nn.RNNBase], n: int, d: int, target: LiveTarget, by_hand: bool) -> int:
    """FLOPs of one recurrent layer over n steps: torch's own kernel, or `by_hand` steps with the same weights."""
    torch.manual_seed(target.seed)
    module = cls(d, d, batch_first=True).to(target.device).eval()
    x = torch.randn(1, n, d, device=target.device)
    h = torch.zeros(1, d, device=target.device)
    c = torch.zeros(1, d, device=target.device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        if not by_hand:
            module(x)
        else:
            for t in range(n):
                if isinstance(module, torch.nn.LSTM):
                    step = lstm_step(module, x[:, t], h, c)
                    h, c = step["h"], step["c"]
                else:
                    h = gru_step(module, x[:, t], h)["h"]
    return counter.get_total_flops()


def check_attention_versus_recurrent_cost(identity: AttentionVersusRecurrentCost, target: LiveTarget) -> CheckResult:
    """Count FLOPs with torch's FlopCounterMode at several n and d; compare with the formulas, fit exponents."""
    attention_list, attention_note, attention_on = attention_modules(target)
    attention_cls = type(attention_list[0][1])
    recurrent_cls, recurrent_note = _recurrent_class(target)
    gates = GATES[recurrent_cls.__name__] if recurrent_cls.__name__ in GATES else GATES["LSTM"]

    worst = 0.0
    scores: dict[tuple[int, int], int] = {}
    for d in ATTENTION_SIZES["d"]:
        for n in ATTENTION_SIZES["n"]:
            total, projections = _count_attention(attention_cls, n, d, target)
            worst = max(worst, abs(total / attention_flops(n, d) - 1))
            scores[(n, d)] = total - projections
    recurrent: dict[tuple[int, int], int] = {}
    counted_by_hand = not _counter_sees(recurrent_cls, target)
    for d in RECURRENT_SIZES["d"]:
        for n in RECURRENT_SIZES["n"]:
            flops = _count_recurrent(recurrent_cls, n, d, target, by_hand=counted_by_hand)
            worst = max(worst, abs(flops / recurrent_flops(n, d, gates) - 1))
            recurrent[(n, d)] = flops

    d_mid, n_mid = ATTENTION_SIZES["d"][1], ATTENTION_SIZES["n"][2]
    rd_mid, rn_mid = RECURRENT_SIZES["d"][1], RECURRENT_SIZES["n"][1]
    slopes = {
        "attention scores, n": log_slope(list(ATTENTION_SIZES["n"]), [scores[(n, d_mid)] for n in ATTENTION_SIZES["n"]]),
        "attention scores, d": log_slope(list(ATTENTION_SIZES["d"]), [scores[(n_mid, d)] for d in ATTENTION_SIZES["d"]]),
        "recurrent, n": log_slope(list(RECURRENT_SIZES["n"]), [recurrent[(n, rd_mid)] for n in RECURRENT_SIZES["n"]]),
        "recurrent, d": log_slope(list(RECURRENT_SIZES["d"]), [recurrent[(rn_mid, d)] for d in RECURRENT_SIZES["d"]]),
    }
    expected = {"attention scores, n": 2, "attention scores, d": 1, "recurrent, n": 1, "recurrent, d": 2}
    slope_error = max(abs(slopes[k] - expected[k]) for k in slopes)
    passed = worst <= RELATIVE_TOLERANCE and slope_error <= SLOPE_TOLERANCE
    how = (
        f"{recurrent_cls.__name__}'s fused kernel is invisible to the counter here, so its step was run by hand "
        "with the same weights"
        if counted_by_hand
        else f"{recurrent_cls.__name__} counted as torch runs it"
    )
    detail = (
        f"FlopCounterMode on {attention_cls.__name__} (explicit path) at n in {ATTENTION_SIZES['n']}, "
        f"d in {ATTENTION_SIZES['d']} and on {recurrent_cls.__name__} at n in {RECURRENT_SIZES['n']}, "
        f"d in {RECURRENT_SIZES['d']} ({how}); measured = max |counted / formula - 1|; fitted exponents "
        + ", ".join(f"{k} {v:.3f} (want {expected[k]})" for k, v in slopes.items())
        + attention_note
        + recurrent_note
    )
    # FLOPs are counted on new modules of the model's classes at several sizes: measured on the model when one
    # of the two classes is its own, else only on stand-ins.
    on = MODEL if attention_on == MODEL or not recurrent_note else STAND_IN
    return CheckResult(worst, RELATIVE_TOLERANCE, passed, detail, extra=slopes, measured_on=on)
