"""The add & norm kind (its zoo runs in test_zoo.py): it is told from a layer norm by forward's two inputs, its
starter is accepted as not implemented, and the CLI names the bug."""

from __future__ import annotations

import json
from pathlib import Path


from seqlab.cli import app
from seqlab.impl.check import check_file
from seqlab.impl.kinds import infer_kind
from seqlab.impl.templates import write_template

from .student_files import write
from .zoo_blocks import GOOD, ZOO_BLOCKS


def test_add_norm_is_told_from_a_layer_norm_by_forward_taking_two_inputs(tmp_path: Path) -> None:
    import importlib.util

    path = write(tmp_path, 99, GOOD)
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
    path = write(tmp_path, 7, ZOO_BLOCKS[2][2])
    result = runner.invoke(app, ["check", "--impl", f"{path}:AddNorm", "--json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    assert "no residual" in json.dumps(payload)
