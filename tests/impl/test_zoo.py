"""Every student file of the zoos (functions and cells, add & norm, encoder blocks, classifier heads): a correct one
(legitimate variants included) passes with every row measured on its code; a broken one fails and is diagnosed by
name."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqlab.impl.check import check_file
from seqlab.proofs.base import MODEL
from .student_files import write
from .zoo import ZOO
from .zoos import EVERY_ZOO


@pytest.mark.parametrize(("index", "entry"), list(enumerate(EVERY_ZOO)),
                         ids=[f"{k}-{d or 'correct'}" for k, _, _, d in EVERY_ZOO])
def test_zoo(tmp_path: Path, index: int, entry: tuple[str, str, str, str | None]) -> None:
    kind, name, source, expected = entry
    report = check_file(f"{write(tmp_path, index, source)}:{name}")
    assert report.kind == kind, "the kind is read off the signature"
    assert not report.problem, report.problem
    assert all(row.measured_on == MODEL for row in report.rows), [r.name for r in report.rows if r.measured_on != MODEL]
    if expected is None:
        assert report.passed, [(row.name, row.detail) for row in report.rows if not row.passed]
        assert report.exit_code == 0
        assert not report.diagnoses
    else:
        assert not report.passed and report.exit_code == 1
        assert expected in [d.name for d in report.diagnoses], [d.name for d in report.diagnoses]


def test_zoo_size() -> None:
    broken = [entry for entry in ZOO if entry[3] is not None]
    assert len(broken) >= 25
    assert len({kind for kind, *_ in ZOO}) >= 7
