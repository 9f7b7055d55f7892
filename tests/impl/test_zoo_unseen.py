"""Bugs the checks were not written against (tests/impl/zoo_unseen.py): every one fails (never a false "correct"),
and those with a diagnosis are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqlab.impl.check import check_file
from .zoo_unseen import UNSEEN


@pytest.mark.parametrize(("index", "entry"), list(enumerate(UNSEEN)),
                         ids=[f"{k}-{i}-{d or 'undiagnosed'}" for i, (k, _, _, d) in enumerate(UNSEEN)])
def test_unseen_bug_fails(tmp_path: Path, index: int, entry: tuple[str, str, str, str | None]) -> None:
    kind, name, source, expected = entry
    path = tmp_path / f"student_{index}.py"
    path.write_text(source, encoding="utf-8")
    report = check_file(f"{path}:{name}")
    assert report.kind == kind
    assert not report.passed and report.exit_code == 1
    if expected is not None:
        assert expected in [d.name for d in report.diagnoses], [d.name for d in report.diagnoses]


def test_unseen_size() -> None:
    assert len(UNSEEN) >= 12
    assert len({kind for kind, *_ in UNSEEN}) == 9
