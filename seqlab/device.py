"""Choosing the device, mixed precision and seeds: the only place that asks what hardware is here."""

from __future__ import annotations

import contextlib
import os
import random
from typing import Iterator

import numpy as np
import torch

from seqlab.device_options import check_seed, check_threads
from seqlab.errors import SeqlabError


def resolve_device(name: str = "auto") -> torch.device:
    """Return the torch device for `name` ("auto" picks cuda, then mps, then cpu)."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise SeqlabError(f"unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SeqlabError("--device cuda was asked for but no CUDA GPU is visible; use --device cpu or auto")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise SeqlabError("--device mps was asked for but MPS is not available; use --device cpu or auto")
    return device


def autocast(device: torch.device, enabled: bool = True, cache_enabled: bool = True) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA (where it speeds up matmuls); a no-op elsewhere. `cache_enabled=False` while
    recording a CUDA graph (cached weight casts would not outlive the recording)."""
    if enabled and device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16, cache_enabled=cache_enabled)
    return contextlib.nullcontext()


def seed_everything(seed: int) -> torch.Generator:
    """Seed python, numpy and torch (all devices); return a CPU generator seeded the same way.

    A seed outside 0..2**32-1 (which numpy cannot take) is a SeqlabError naming --seed.
    """
    check_seed(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


@contextlib.contextmanager
def cpu_threads(n: int | None) -> Iterator[None]:
    """Temporarily limit torch's intra-op CPU threads (None leaves the setting alone)."""
    if n is None:
        yield
        return
    check_threads(n)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# Below this many parameters one intra-op thread trains at least as fast as more: measured by
# bench/threads_small.py (bench/results/threads_small.json; 1 thread was 10-80x faster than 2 up to 3.3M
# parameters on a busy 2-core machine). Bigger models (BERT) keep torch's default.
SMALL_MODEL_PARAMETERS = 5_000_000


def auto_threads(parameters: int, device: torch.device, requested: int | None) -> int | None:
    """Threads for training when --threads is not given: 1 for a small model on CPU, else None (unchanged).

    An explicit --threads, or $SEQLAB_THREADS, always wins.
    """
    if requested is not None or os.environ.get("SEQLAB_THREADS") or device.type != "cpu":
        return None
    return 1 if parameters < SMALL_MODEL_PARAMETERS else None
