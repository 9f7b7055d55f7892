"""tests/impl runs `seqlab check --impl` many times: in this process (seqlab.impl.isolate.IN_PROCESS), since each
child process costs seconds of torch import; tests/impl/test_isolation.py turns the child back on."""

from __future__ import annotations

from typing import Iterator

import pytest

from seqlab.impl import isolate


@pytest.fixture(autouse=True)
def checks_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Check learners' files in this process (the verdicts are the same; isolation has its own tests)."""
    monkeypatch.setattr(isolate, "IN_PROCESS", True)
    yield
