"""Model tests run on one CPU thread: their tensors are tiny, and extra threads only wait on each other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seqlab.device import cpu_threads


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    with cpu_threads(1):
        yield
