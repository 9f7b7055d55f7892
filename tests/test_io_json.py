"""seqlab.io owns the one JSON conversion: what the console prints and what run files hold agree."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from seqlab.io import append_jsonl, atomic_write_json, to_jsonable


@dataclass(frozen=True)
class _Record:
    path: Path
    scores: tuple[float, ...]
    tensor: torch.Tensor


def test_to_jsonable_gives_plain_json_types() -> None:
    record = _Record(Path("runs/a"), (0.5, math.nan, math.inf), torch.tensor([[1, 2]]))
    assert to_jsonable({"r": record, 3: [np.int64(4)]}) == {
        "r": {"path": "runs/a", "scores": [0.5, None, None], "tensor": [[1, 2]]},
        "3": [4],
    }
    assert to_jsonable(torch.tensor(float("nan"))) is None


def test_file_writers_use_it(tmp_path: Path) -> None:
    payload = {"where": tmp_path, "loss": math.nan, "ids": torch.arange(3)}
    atomic_write_json(tmp_path / "a.json", payload)
    append_jsonl(tmp_path / "b.jsonl", payload)
    expected = {"where": str(tmp_path), "loss": None, "ids": [0, 1, 2]}
    assert json.loads((tmp_path / "a.json").read_text()) == expected
    assert json.loads((tmp_path / "b.jsonl").read_text()) == expected
