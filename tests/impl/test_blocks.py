"""The add & norm kind: every correct student module (legitimate variants included) passes with every row measured
on its code; every broken one fails with its bug named; its starter is accepted as not implemented; the CLI says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.impl.check import check_file
from seqlab.impl.kinds import infer_kind
from seqlab.impl.templates import write_template
from seqlab.proofs.base import MODEL

from .zoo_blocks import GOOD, ZOO_BLOCKS


def _write(tmp_path: Path, index: int, source: str) -> Path:
    path = tmp_path / f"student_{index}.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize(("index", "entry"), list(enumerate(ZOO_BLOCKS)),
                         ids=[f"{k}-{d or 'correct'}" for k, _, _, d in ZOO_BLOCKS])
def test_zoo_blocks(tmp_path: Path, index: int, entry: tuple[str, str, str, str | None]) -> None:
    kind, name, source, expected = entry
    report = check_file(f"{_write(tmp_path, index, source)}:{name}")
    assert report.kind == kind and not report.problem, report.problem
    assert all(row.measured_on == MODEL for row in report.rows)
    if expected is None:
        assert report.passed and report.exit_code == 0 and not report.diagnoses, \
            [(row.name, row.detail) for row in report.rows if not row.passed]
    else:
        assert not report.passed and report.exit_code == 1
        assert expected in [d.name for d in report.diagnoses], [d.name for d in report.diagnoses]


def test_add_norm_is_told_from_a_layer_norm_by_forward_taking_two_inputs(tmp_path: Path) -> None:
    import importlib.util

    path = _write(tmp_path, 99, GOOD)
    spec = importlib.util.spec_from_file_location("student_addnorm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert infer_kind(module.AddNorm) == "add-norm"

    from torch import nn

    class LayerNorm(nn.Module):
        def __init__(self, d_model, eps=1e-5):
            super().__init__()

        def forward(self, x):
            return x

    assert infer_kind(LayerNorm) == "layernorm"


def test_the_starter_is_reported_as_not_implemented(tmp_path: Path) -> None:
    path = write_template("add-norm", tmp_path / "add_norm.py")
    report = check_file(f"{path}:AddNorm")
    assert report.kind == "add-norm" and report.problem.startswith("not implemented yet")


def test_cli_names_the_bug_in_json_and_exits_1(runner, tmp_path: Path) -> None:
    path = _write(tmp_path, 7, ZOO_BLOCKS[2][2])
    result = runner.invoke(app, ["check", "--impl", f"{path}:AddNorm", "--json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    assert "no residual" in json.dumps(payload)
