"""Which code made a number: the git commit of a checkout ('+dirty' with uncommitted changes), or $SEQLAB_CODE_VERSION."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CODE_VERSION_VARIABLE = "SEQLAB_CODE_VERSION"  # set when running a clean `git archive COMMIT` copy outside the repository


def _git(directory: Path, *args: str) -> str:
    """git's output for `args` run in `directory`; "" when git is missing or fails."""
    try:
        return subprocess.run(["git", *args], cwd=directory, capture_output=True, text=True, check=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def code_version(directory: Path, pathspec: str | None = None) -> str:
    """$SEQLAB_CODE_VERSION when set; else the commit of the checkout holding `directory`, with '+dirty' when tracked
    files (under `pathspec` only, when given) have uncommitted changes; 'unknown' outside a checkout."""
    if os.environ.get(CODE_VERSION_VARIABLE):
        return os.environ[CODE_VERSION_VARIABLE]
    commit = _git(directory, "rev-parse", "HEAD")
    if not commit:
        return "unknown"
    status = ["status", "--porcelain", "--untracked-files=no", *(["--", pathspec] if pathspec else [])]
    return commit + ("+dirty" if _git(directory, *status) else "")
