"""The recurrent kinds: lstm-cell and gru-cell told apart by forward's signature (and an error naming both when it
cannot tell), and a GRU cell that wraps torch's own nn.GRUCell passes with the torch parity row."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.impl.check import check, check_file
from seqlab.impl.kinds import infer_kind
from .zoo_recurrent import CHO_GRU


def cell(forward_args: str) -> type:
    """A class Cell(input_size, hidden_size) whose forward takes `forward_args`."""
    namespace: dict = {}
    exec(f"def forward(self, {forward_args}):\n    return x\n", namespace)
    return type("Cell", (nn.Module,), {"__init__": lambda self, input_size, hidden_size: nn.Module.__init__(self),
                                       "forward": namespace["forward"]})


@pytest.mark.parametrize(("args", "kind"), [("x, h", "gru-cell"), ("x, hidden", "gru-cell"),
                                            ("x, state", "lstm-cell"), ("x, hc", "lstm-cell"),
                                            ("x, state=None", "lstm"), ("x, h=None", "gru")])
def test_cell_kind_is_read_off_forward(args: str, kind: str) -> None:
    assert infer_kind(cell(args)) == kind


def test_a_layer_forward_that_cannot_tell_names_both_layer_signatures() -> None:
    with pytest.raises(SeqlabError) as error:
        infer_kind(cell("x, hx=None"))
    assert "--kind lstm (" in str(error.value) and "--kind gru (" in str(error.value)


@pytest.mark.parametrize(("name", "args", "kind"), [("LSTMCell", "x, state", "lstm-cell"), ("MyLSTM", "x, state=None",
                                                    "lstm"), ("GRUCell", "x, hx", "gru-cell"), ("GRU", "x", "gru")])
def test_the_class_name_tells_lstm_from_gru(name: str, args: str, kind: str) -> None:
    cls = cell(args)
    cls.__name__ = name
    assert infer_kind(cls) == kind


def test_a_cell_forward_that_cannot_tell_names_both_signatures() -> None:
    with pytest.raises(SeqlabError) as error:
        infer_kind(cell("x, hx"))
    message = str(error.value)
    assert "--kind lstm-cell" in message and "--kind gru-cell" in message and "forward(x [B, I], h [B, H])" in message


class TorchGRU(nn.Module):
    """A GRU cell that is torch's own, wrapped."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.x2g = nn.Linear(input_size, 3 * hidden_size)
        self.h2g = nn.Linear(hidden_size, 3 * hidden_size)

    def forward(self, x, h):  # noqa: ANN001, ANN201 - a student's file
        r_x, z_x, n_x = self.x2g(x).chunk(3, -1)
        r_h, z_h, n_h = self.h2g(h).chunk(3, -1)
        r, z = (r_x + r_h).sigmoid(), (z_x + z_h).sigmoid()
        return (1 - z) * (n_x + r * n_h).tanh() + z * h


def test_torch_convention_gets_the_nn_grucell_row() -> None:
    report = check(TorchGRU)
    assert report.kind == "gru-cell" and report.passed, report.rows
    assert "same step as torch's nn.GRUCell" in [row.name for row in report.rows]


def test_cho_variant_is_named_in_the_reference_row(tmp_path: Path) -> None:
    path = tmp_path / "cho.py"
    path.write_text(CHO_GRU)
    report = check_file(f"{path}:GRUCell")
    assert report.passed
    detail = next(row.detail for row in report.rows if row.name == "same step as the GRU equations")
    assert "Cho et al. 2014" in detail and "textbook" in detail


def test_time_first_outputs_are_one_line_naming_the_shape(tmp_path: Path) -> None:
    path = tmp_path / "time_first.py"
    path.write_text("""import torch
from torch import nn


class GRU(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size)

    def forward(self, x, h=None):
        out, h_n = self.gru(x.transpose(0, 1))
        return out, h_n
""")
    report = check_file(f"{path}:GRU")
    assert report.exit_code == 1 and "batch first" in report.problem and "[6, 3, 7]" in report.problem
