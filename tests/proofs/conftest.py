"""Proof checks run many tiny tensor ops, where one CPU thread beats thread hand-offs on a shared 2-core box."""

from __future__ import annotations

import pytest

from seqlab.device import cpu_threads


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with cpu_threads(1):
        yield
