"""The --seed and --threads values a run accepts, checked without loading torch (configs validate them early)."""

from __future__ import annotations

import os

from seqlab.errors import SeqlabError


def check_seed(seed: int) -> int:
    """`seed` when numpy, torch and Python can all use it (0 to 2**32 - 1); SeqlabError naming --seed otherwise."""
    if not 0 <= seed < 2**32:
        raise SeqlabError(f"--seed must be from 0 to {2**32 - 1} (got {seed})")
    return seed


def check_threads(threads: int | None) -> int | None:
    """`threads` when it is None or 1 to 4x this machine's CPUs; SeqlabError naming --threads otherwise."""
    if threads is None:
        return None
    cpus = os.cpu_count() or 1
    if not 1 <= threads <= 4 * cpus:
        raise SeqlabError(f"--threads must be at least 1 and at most {4 * cpus} (4 per CPU here) (got {threads})")
    return threads
