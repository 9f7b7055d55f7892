"""seqlab's error style reaches Typer without importing typer.rich_utils at start-up (it costs tens of ms)."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

from seqlab.commands._help import when_imported

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import seqlab.cli
print("loaded at start-up:", "typer.rich_utils" in sys.modules)
from typer.testing import CliRunner
result = CliRunner().invoke(seqlab.cli.app, ["params", "--no-such-option"])
print("exit:", result.exit_code)
print(result.output, end="")
print("hook left:", any(type(f).__name__ == "_PatchOnImport" for f in sys.meta_path))
"""


def test_rich_utils_is_imported_only_for_an_error_and_still_restyled():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "TERM": "dumb"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "loaded at start-up: False"
    assert lines[1] == "exit: 2"
    assert lines[2] == "error: no such option: --no-such-option (see seqlab params --help)"  # one line, no box
    assert lines[3] == "hook left: False"


def test_when_imported_patches_a_module_already_loaded_at_once():
    seen: list[types.ModuleType] = []
    when_imported("os", seen.append)
    assert seen == [os]
