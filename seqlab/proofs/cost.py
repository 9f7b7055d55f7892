"""Cost: self-attention is O(n^2 d + n d^2) in sequence length n and width d, a recurrent layer is O(n d^2)."""

from __future__ import annotations

import math
from typing import Callable

import sympy as sp
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from seqlab.proofs.base import MODEL, STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.recurrent import gru_step, lstm_step
from seqlab.proofs.target import LiveTarget, attention_modules, find_modules


ATTENTION_SIZES = {"n": (32, 64, 128, 256), "d": (32, 64, 128)}
RECURRENT_SIZES = {"n": (8, 16, 32), "d": (16, 32, 64)}
RELATIVE_TOLERANCE = 1e-6  # counted FLOPs are integers; the formulas count the same multiply-adds
SLOPE_TOLERANCE = 0.05
GATES = {"LSTM": 4, "GRU": 3}


def attention_flops(n: int, d: int) -> int:
    """Matmul FLOPs of one self-attention layer: 4 projections 8 n d^2, scores and weighted sum 4 n^2 d."""
    return 8 * n * d * d + 4 * n * n * d


def recurrent_flops(n: int, d: int, gates: int) -> int:
    """Matmul FLOPs of one recurrent layer with input = hidden = d: n steps of gates x 2 matmuls d x d."""
    return n * gates * 2 * (d * d + d * d)


def log_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x (the exponent of a power law)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


class AttentionVersusRecurrentCost(Identity):
    """FLOP formulas for attention and recurrence, and the exponents they imply."""

    id = "attention-cost"
    part = "attention"
    title = "attention costs O(n^2 d + n d^2), a recurrent layer O(n d^2)"
    conditions = (
        "one layer, batch 1, sequence length n, width d (recurrent input = hidden = d), counting matmul FLOPs "
        "(2 per multiply-add; biases, softmax and activations are lower order): attention 8 n d^2 + 4 n^2 d, "
        "of which the scores and weighted sum are 4 n^2 d; LSTM 16 n d^2, GRU 12 n d^2."
    )

    def prove(self) -> ProofResult:
        """Write the FLOP counts as polynomials; read off degrees and the log-log slopes as n or d grow."""
        n, d = sp.symbols("n d", positive=True)
        projections = 4 * 2 * n * d * d
        scores = 2 * n * n * d + 2 * n * n * d
        attention = projections + scores
        lstm = n * 4 * 2 * (d * d + d * d)

        def slope(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
            return sp.limit(var * sp.diff(expr, var) / expr, var, sp.oo)

        crossover = sp.solve(sp.Eq(scores, lstm), n)
        whole_crossover = sp.solve(sp.Eq(attention, lstm), n)
        checks = [
            is_zero(attention - attention_flops(n, d)),  # the formula the live side uses
            is_zero(lstm - recurrent_flops(n, d, 4)),
            sp.degree(scores, n) == 2 and sp.degree(scores, d) == 1,
            sp.degree(lstm, n) == 1 and sp.degree(lstm, d) == 2,
            slope(attention, n) == 2,
            slope(lstm, n) == 1 and slope(lstm, d) == 2,
            crossover == [4 * d],
            whole_crossover == [2 * d],
        ]
        steps = (
            ProofStep("Q, K, V and output projections: 4 matmuls [n,d]x[d,d]", eq("F_proj", projections)),
            ProofStep("scores Q K^T [n,d]x[d,n] and weights x V [n,n]x[n,d]", eq("F_scores", scores)),
            ProofStep("one attention layer", eq("F_attn", attention)),
            ProofStep("exponent of n as n grows: d log F / d log n -> 2", eq("slope_n(F_attn)", slope(attention, n))),
            ProofStep("LSTM: n steps, 4 gates, each [d]x[d,d] for the input and for the state", eq("F_lstm", lstm)),
            ProofStep("its exponents in n and d", eq("(slope_n, slope_d)", sp.Tuple(slope(lstm, n), slope(lstm, d)))),
            ProofStep("the score matmuls alone cost more than an LSTM layer once n exceeds", eq("n*", crossover[0])),
            ProofStep(
                "the whole attention layer, projections included (8 n d^2 + 4 n^2 d), costs more than an LSTM layer "
                "(16 n d^2) once n exceeds",
                eq("n*", whole_crossover[0]),
            ),
        )
        return ProofResult(
            "attention FLOPs are 8 n d^2 + 4 n^2 d (O(n^2 d + n d^2)), recurrent FLOPs O(n d^2); attention costs more than "
            "an LSTM layer once n > 2d",
            steps,
            all(checks),
        )

    def check(self, target: LiveTarget) -> CheckResult:
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
