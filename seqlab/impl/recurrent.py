"""What the recurrent kinds share: building the learner's cell seeded in float64, and reading their weights as one
(W_x, W_h, b_x, b_h) block per gate from the usual layouts of nn.Linear."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from seqlab.impl.student import ContractError, call

GateBlock = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]  # W_x [H, I], W_h [H, H], b_x [H], b_h [H]


def build(cls: type, where: Path | None, seed: int, what: str, input_size: int, hidden_size: int) -> nn.Module:
    """The learner's `what` (e.g. "an LSTM cell") built as cls(input_size, hidden_size), seeded, in float64."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError(f"{what} must be an nn.Module class with __init__(input_size, hidden_size)")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = call(cls, input_size, hidden_size, where=where)
    return module.to(torch.float64)


def bias_of(linear: nn.Linear) -> torch.Tensor:
    """The Linear's bias, zeros without one."""
    return linear.bias.detach() if linear.bias is not None else torch.zeros(linear.out_features, dtype=torch.float64)


def gate_blocks(module: nn.Module, gates: int, input_size: int, hidden_size: int) -> list[GateBlock]:
    """The learner's weights as `gates` blocks in their order: a torch nn.LSTM/GRU(Cell) inside (torch's gate order),
    Linear(I, gH) + Linear(H, gH), one Linear(I + H, gH) on [x, h], one Linear(I + H, H) per gate, a Linear(I, H)
    and a Linear(H, H) per gate, or bare Parameters per gate (parameter_blocks); [] for another layout."""
    wide = gates * hidden_size
    for inner in module.modules():
        if isinstance(inner, (nn.LSTM, nn.LSTMCell, nn.GRU, nn.GRUCell)) and inner is not module:
            return torch_blocks(inner, gates, input_size, hidden_size)
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    shapes = {(m.in_features, m.out_features): m for m in linears}
    if len(linears) == 2 and (input_size, wide) in shapes and (hidden_size, wide) in shapes:
        wx, wh = shapes[(input_size, wide)], shapes[(hidden_size, wide)]
        return list(zip(wx.weight.detach().chunk(gates), wh.weight.detach().chunk(gates), bias_of(wx).chunk(gates),
                        bias_of(wh).chunk(gates)))
    zero = torch.zeros(hidden_size, dtype=torch.float64)
    if len(linears) == 1 and (input_size + hidden_size, wide) in shapes:
        fused = shapes[(input_size + hidden_size, wide)]
        return [(w[:, :input_size], w[:, input_size:], b, zero)
                for w, b in zip(fused.weight.detach().chunk(gates), bias_of(fused).chunk(gates))]
    if len(linears) == gates and all((m.in_features, m.out_features) == (input_size + hidden_size, hidden_size)
                                     for m in linears):
        return [(m.weight.detach()[:, :input_size], m.weight.detach()[:, input_size:], bias_of(m), zero)
                for m in linears]
    xs = [m for m in linears if (m.in_features, m.out_features) == (input_size, hidden_size)]
    hs = [m for m in linears if (m.in_features, m.out_features) == (hidden_size, hidden_size)]
    if len(linears) == 2 * gates and len(xs) == gates and len(hs) == gates:
        return [(x.weight.detach(), h.weight.detach(), bias_of(x), bias_of(h)) for x, h in zip(xs, hs)]
    return parameter_blocks(module, gates, input_size, hidden_size) if not linears else []


def parameter_blocks(module: nn.Module, gates: int, input_size: int, hidden_size: int) -> list[GateBlock]:
    """Gate blocks from bare nn.Parameters, as written from scratch: per gate (in the order defined) a W_x [I, H]
    used as x @ W_x (or [H, I] used as W_x x), a W_h [H, H] used the same way round and at most one bias [H]; []
    when the parameters are not that."""
    params = [p.detach() for p in module.parameters()]
    xs = [p for p in params if tuple(p.shape) in ((input_size, hidden_size), (hidden_size, input_size))]
    hs = [p for p in params if tuple(p.shape) == (hidden_size, hidden_size)]
    bs = [p.reshape(-1) for p in params if p.numel() == hidden_size and p.dim() <= 2]
    if len(xs) != gates or len(hs) != gates or len(bs) not in (0, gates) or len(params) != len(xs + hs + bs):
        return []
    zero = torch.zeros(hidden_size, dtype=torch.float64)
    bs = bs or [zero] * gates
    return [(wx.T, wh.T, b, zero) if tuple(wx.shape) == (input_size, hidden_size) else (wx, wh, b, zero)
            for wx, wh, b in zip(xs, hs, bs)]


def parameter_count(module: nn.Module) -> int:
    """How many numbers the learner's module trains."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def torch_blocks(inner: nn.Module, gates: int, input_size: int, hidden_size: int) -> list[GateBlock]:
    """The gate blocks of a torch nn.LSTM/nn.GRU (its first layer) or nn.LSTMCell/nn.GRUCell; [] when its sizes are
    not (input_size, gates * hidden_size)."""
    suffix = "_l0" if isinstance(inner, (nn.LSTM, nn.GRU)) else ""
    parts = [getattr(inner, f"{name}{suffix}", None) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if parts[0] is None or tuple(parts[0].shape) != (gates * hidden_size, input_size):
        return []
    zero = torch.zeros(gates * hidden_size, dtype=torch.float64)
    return list(zip(*[(p.detach() if p is not None else zero).chunk(gates) for p in parts]))


def without_bias(module: nn.Module, gates: int, input_size: int, hidden_size: int) -> bool:
    """Whether the learner's module trains exactly the weights of `gates` gates and no bias at all."""
    return parameter_count(module) == gates * (input_size * hidden_size + hidden_size * hidden_size)


@contextmanager
def float64_default() -> Iterator[None]:
    """torch's default dtype is float64 inside (restored after): a learner's torch.zeros(B, H) state matches the
    float64 inputs the check runs on."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(before)
