"""Multi-process data parallel training: set up from torchrun's environment, average across ranks."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from seqlab.errors import SeqlabError


@dataclass(frozen=True)
class DistContext:
    """Where this process sits: its rank among `world_size` processes (1 means plain single-process)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        """True when training runs in more than one process."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0 writes the run directory and prints."""
        return self.rank == 0


def from_environment() -> DistContext:
    """Read RANK/WORLD_SIZE/LOCAL_RANK as torchrun sets them; single-process when WORLD_SIZE is unset or 1."""
    world_size = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world_size <= 1:
        return DistContext()
    return DistContext(int(os.environ.get("RANK", "0")), world_size, int(os.environ.get("LOCAL_RANK", "0")))


def init(context: DistContext, device: torch.device) -> torch.device:
    """Join the process group (nccl on CUDA, gloo on CPU); return this rank's device."""
    if not context.enabled:
        return device
    if device.type == "cuda":
        device = torch.device("cuda", context.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return device


def wait_for_all(context: DistContext) -> None:
    """Block until every rank gets here (a no-op single-process).

    Called once training succeeded, so that no rank leaves the process group while another is still in a
    collective: a rank that left early could abort with "terminate called without an active exception".
    Only on success: a rank that failed never arrives, and torchrun then stops the ranks waiting here.
    """
    if context.enabled and dist.is_initialized():
        dist.barrier()


def shutdown(context: DistContext) -> None:
    """Leave the process group."""
    if context.enabled and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: nn.Module, context: DistContext, device: torch.device) -> nn.Module:
    """Wrap the model in DistributedDataParallel when there is more than one process."""
    if not context.enabled:
        return model

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def sum_across(values: list[float], context: DistContext, device: torch.device) -> list[float]:
    """Elementwise sum of `values` over all ranks (the values themselves when single-process)."""
    if not context.enabled:
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def per_rank_batch_size(batch_size: int, context: DistContext) -> int:
    """Each rank's share of the global batch; the global batch must split evenly."""
    if batch_size % context.world_size:
        raise SeqlabError(
            f"--batch-size {batch_size} does not split over {context.world_size} processes; "
            f"use a multiple of {context.world_size}"
        )
    return batch_size // context.world_size
