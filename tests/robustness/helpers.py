"""What the robustness tests share: one `error:` line and exit 2, and a snapshot of the files a user owns."""

from __future__ import annotations

import hashlib
from pathlib import Path

TINY = ["--embed-dim", "8", "--hidden", "8", "--max-length", "16", "--threads", "1", "--device", "cpu", "--quiet"]


def one_error(result, says: str) -> str:
    """The one `error:` line of a failed command (exit 2, no traceback), which must contain `says`."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert says in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links and special files by kind) with the sha256 of its bytes."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_symlink():
            found[str(path)] = "link -> " + str(path.readlink())
        elif path.is_file():
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif not path.is_dir():
            found[str(path)] = "special"
    return found


def rows(labels, prefix: str = "a film") -> str:
    """A text<TAB>label table with one row per label."""
    return "text\tlabel\n" + "".join(f"{prefix} {i}\t{label}\n" for i, label in enumerate(labels))
