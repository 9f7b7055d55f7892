"""One optimizer step on a batch: written out plainly, and replayed as a CUDA graph on a GPU.

A small model on a GPU spends most of its step launching kernels, not running them: MiniLM's forward,
backward and clipping are ~600 launches of a few microseconds of work each. A CUDA graph records those
launches once per batch shape and replays them with one call. Batches come in a few shapes (lengths are
padded to a multiple of `seqlab.data.batching.CUDA_LENGTH_MULTIPLE`), so a run records a handful of graphs.

The step is the same either way: zero the gradients, forward under autocast, loss, backward, clip, optimizer
step. For a graph, the batch is copied into fixed input buffers, the gradients live in fixed buffers that
each replay zeroes and fills, and the (fused) optimizer step runs after the replay. The first batch of each
shape trains eagerly on the capture stream (CUDA asks for such a warm-up before recording); the second
records the graph and replays it. Nothing in a step waits for the device: the loss stays a device tensor.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from seqlab.device import autocast
from seqlab.errors import SeqlabError

Batch = dict[str, torch.Tensor]
LossFn = Callable[[nn.Module, Batch], tuple[torch.Tensor, int]]


def graphs_supported(model: nn.Module, device: torch.device, *, distributed: bool, compiled: bool) -> bool:
    """True when steps of `model` on `device` can be replayed as CUDA graphs.

    Needs a CUDA device, a model whose forward never waits for the device (it says so with a class
    attribute `cuda_graph_safe = True`: the Transformer and BERT classifiers; RNNs pack with lengths on
    the host), and neither DDP (its backward hooks communicate) nor torch.compile (which has its own graphs).
    """
    return (device.type == "cuda" and not distributed and not compiled
            and bool(getattr(model, "cuda_graph_safe", False)))


class TrainStep:
    """Runs training steps; `step(batch)` returns (the batch's mean loss as a device tensor, items averaged)."""

    def __init__(self, model: nn.Module, loss_fn: LossFn, optimizer: torch.optim.Optimizer, *,
                 device: torch.device, grad_clip: float | None, use_graphs: bool = False,
                 on_fallback: Callable[[str], None] | None = None) -> None:
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.device = device
        self.grad_clip = grad_clip
        self.use_graphs = use_graphs
        self.parameters = [p for p in model.parameters() if p.requires_grad]
        self.on_fallback = on_fallback
        self.graphs: dict[tuple, _ShapeGraph] = {}
        self._seen: set[tuple] = set()
        if use_graphs:
            self._stream = torch.cuda.Stream(device)
            self._pool = torch.cuda.graph_pool_handle()
            for parameter in self.parameters:  # fixed gradient buffers that every graph writes into
                if parameter.grad is None:
                    parameter.grad = torch.zeros_like(parameter)

    def __call__(self, batch: Batch) -> tuple[torch.Tensor, int]:
        """Train on `batch` (already on the device): one optimizer step."""
        if not self.use_graphs:
            return self._eager(batch, zero=lambda: self.optimizer.zero_grad(set_to_none=True))
        key = _shape_key(batch)
        graph = self.graphs.get(key)
        if graph is None and key not in self._seen:
            self._seen.add(key)
            return self._on_capture_stream(lambda: self._eager(batch, zero=self._zero_grads))
        if graph is None:
            try:
                graph = self._on_capture_stream(lambda: self._record(batch))
            except RuntimeError as error:  # something in the step waits for the device: train eagerly instead
                return self._fall_back(batch, error)
            self.graphs[key] = graph
        loss, items = graph.replay(batch)
        self.optimizer.step()
        return loss, items

    def _fall_back(self, batch: Batch, error: RuntimeError) -> tuple[torch.Tensor, int]:
        """Stop using graphs for the rest of the run (the failed recording ran nothing) and step eagerly."""
        torch.cuda.synchronize(self.device)
        _release_random_state(self.device)
        self.use_graphs, self.graphs = False, {}
        if self.on_fallback is not None:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            self.on_fallback(f"CUDA graphs could not record this model's step ({reason}); training without them")
        return self._eager(batch, zero=self._zero_grads)

    def _zero_grads(self) -> None:
        """Zero the fixed gradient buffers in place (their addresses are baked into the graphs)."""
        torch._foreach_zero_([p.grad for p in self.parameters])

    def _forward_backward(self, batch: Batch, zero: Callable[[], None], cache: bool = True) -> tuple[torch.Tensor, int]:
        zero()
        with autocast(self.device, cache_enabled=cache):
            loss, items = self.loss_fn(self.model, batch)
        loss.backward()
        if self.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.parameters, self.grad_clip, foreach=self.device.type == "cuda" or None)
        return loss.detach(), items

    def _eager(self, batch: Batch, zero: Callable[[], None]) -> tuple[torch.Tensor, int]:
        loss, items = self._forward_backward(batch, zero)
        self.optimizer.step()
        return loss, items

    def _on_capture_stream(self, work: Callable[[], Any]) -> Any:
        """Run `work` on the side stream that records graphs, ordered after everything queued before it."""
        current = torch.cuda.current_stream(self.device)
        self._stream.wait_stream(current)
        with torch.cuda.stream(self._stream):
            result = work()
        current.wait_stream(self._stream)
        return result

    def _record(self, batch: Batch) -> "_ShapeGraph":
        inputs = {key: value.clone() for key, value in batch.items()}
        graph = torch.cuda.CUDAGraph()
        # autocast's weight cache must be off while recording: cached casts would be freed after capture
        with torch.cuda.graph(graph, pool=self._pool, stream=self._stream):
            loss, items = self._forward_backward(inputs, self._zero_grads, cache=False)
        return _ShapeGraph(graph, inputs, loss, items)


class _ShapeGraph:
    """A recorded forward+backward(+clip) for one batch shape, with its fixed input and loss buffers."""

    def __init__(self, graph: torch.cuda.CUDAGraph, inputs: Batch, loss: torch.Tensor, items: int) -> None:
        self.graph, self.inputs, self.loss, self.items = graph, inputs, loss, items

    def replay(self, batch: Batch) -> tuple[torch.Tensor, int]:
        for key, value in batch.items():
            self.inputs[key].copy_(value, non_blocking=True)
        self.graph.replay()
        return self.loss.clone(), self.items  # a copy: the next replay of this graph overwrites the buffer


def _shape_key(batch: Batch) -> tuple:
    return tuple(sorted((key, tuple(value.shape), value.dtype) for key, value in batch.items()))


def _release_random_state(device: torch.device) -> None:
    """After a recording failed half-way, give the device's random generator a fresh state (same seed and offset).

    A recording that breaks off leaves the generator believing a capture is still open, and then every later
    dropout mask fails ("Offset increment outside graph capture"). If that cannot be repaired, say what to do.
    """
    index = device.index if device.index is not None else torch.cuda.current_device()
    generator = torch.cuda.default_generators[index]
    try:
        fresh = torch.Generator(device=f"cuda:{index}")
        fresh.set_state(generator.get_state())
        generator.graphsafe_set_state(fresh.graphsafe_get_state())
        torch.rand(1, device=device)  # a draw outside any capture must work again
    except RuntimeError:
        raise SeqlabError("CUDA graphs could not record this model's training step and left the GPU's random "
                          "generator unusable; run again with --no-cuda-graphs") from None
