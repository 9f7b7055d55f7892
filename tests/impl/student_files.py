"""Writing a zoo entry to disk as the student would save it."""

from __future__ import annotations

from pathlib import Path


def write(tmp_path: Path, index: int, source: str) -> Path:
    """The student's file, as they would save it."""
    path = tmp_path / f"student_{index}.py"
    path.write_text(source, encoding="utf-8")
    return path
