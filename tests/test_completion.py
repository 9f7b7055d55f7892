"""Issue 33: Typer's shell completion is on (`seqlab --install-completion`, `--show-completion`), and completing a
command line, which the shell does at every Tab, starts without torch, scikit-learn or matplotlib."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seqlab.cli import HEAVY_MODULES, app

REPO = Path(__file__).resolve().parents[1]

# What the shell runs at a Tab: the app with _SEQLAB_COMPLETE set; then which heavy modules got imported.
PROBE = """
import json, sys
from seqlab.cli import HEAVY_MODULES, app
try:
    app(prog_name="seqlab")
except SystemExit:
    pass
print("\\nHEAVY " + json.dumps([name for name in HEAVY_MODULES if name in sys.modules]))
"""


def complete(words: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """Bash's completions of `words` (the last one being completed) and the heavy modules that completing loaded."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SEQLAB_RUNS": str(tmp_path), "_SEQLAB_COMPLETE": "complete_bash",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=60, check=True)
    body, heavy = done.stdout.rsplit("\nHEAVY ", 1)
    return body.split(), json.loads(heavy)


def test_completing_commands_and_options_loads_no_heavy_module(tmp_path: Path) -> None:
    commands, heavy = complete("seqlab tr", tmp_path)
    assert commands == ["train"] and heavy == []
    options, heavy = complete("seqlab train --con", tmp_path)
    assert options == ["--config"] and heavy == []
    subcommands, heavy = complete("seqlab experiment r", tmp_path)
    assert subcommands == ["run"] and heavy == []
    assert set(HEAVY_MODULES) == {"torch", "sklearn", "matplotlib", "ray"}


def test_show_completion_prints_the_script_for_the_shell(runner) -> None:
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="seqlab")
    assert result.exit_code == 0, result.output
    assert "_SEQLAB_COMPLETE=complete_bash" in result.output and "complete -o default -F" in result.output
    listed = runner.invoke(app, ["--help"]).output
    assert "--install-completion" in listed and "--show-completion" in listed
