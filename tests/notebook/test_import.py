"""`import seqlab` stays cheap: no torch, scikit-learn or matplotlib until an API function is used, and
`dir(seqlab)` lists the Python API (seqlab.api)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seqlab.cli import HEAVY_MODULES

REPO = Path(__file__).resolve().parents[2]
API = ["attention", "check", "evaluate", "experiment", "explain", "params", "predict", "prove", "quiz", "train"]

PROBE = """
import json, sys
import seqlab
heavy = [name for name in json.loads(sys.argv[1]) if name in sys.modules]
listed = [name for name in dir(seqlab) if not name.startswith("_")]
print(json.dumps({"heavy": heavy, "listed": listed}))
"""

USED = """
import sys
import seqlab
seqlab.explain  # the first use loads the API (and torch)
import seqlab.explain.catalog as catalog
report = seqlab.explain("softmax")
print(type(report).__name__, catalog.__name__, "torch" in sys.modules)
"""


def _python(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    return done.stdout.strip().splitlines()[-1]


def test_import_seqlab_loads_no_heavy_module_and_lists_the_api() -> None:
    found = json.loads(_python(PROBE, json.dumps(list(HEAVY_MODULES))))
    assert found["heavy"] == []
    assert set(API) <= set(found["listed"])


def test_the_api_loads_on_first_use_and_explain_is_both_function_and_package() -> None:
    assert _python(USED) == "ExplainReport seqlab.explain.catalog True"


def test_an_unknown_name_is_an_attribute_error() -> None:
    import pytest

    import seqlab

    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        seqlab.trian  # noqa: B018
