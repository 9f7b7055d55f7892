"""Safe file writing: atomic writes, unique run directories, and paths kept inside an output folder."""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Atomically write UTF-8 text to `path`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, payload: Any) -> Path:
    """Atomically write `payload` as indented JSON to `path`."""
    from seqlab.console import _to_jsonable

    return atomic_write_text(path, json.dumps(_to_jsonable(payload), indent=2, ensure_ascii=False) + "\n")


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON record as a line (flushed and fsynced, so a crash loses at most this line)."""
    from seqlab.console import _to_jsonable

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(_to_jsonable(record), ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def slugify(name: str) -> str:
    """A file-name-safe version of `name` (no slashes, no '..')."""
    slug = _SLUG.sub("-", name).strip("-.")
    return slug or "run"


def new_run_dir(root: Path, name: str) -> Path:
    """Create and return a fresh directory under `root` named after `name` and the time; never reuses one.

    Two processes starting at the same moment get different directories, because creation uses
    mkdir without exist_ok and retries with a counter.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{slugify(name)}-{stamp}"
    for attempt in range(1000):
        candidate = root / (base if attempt == 0 else f"{base}-{attempt}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise SeqlabError(f"could not create a new run directory under {root}; clean up old runs there")


def safe_child(root: Path, relative: str) -> Path:
    """Resolve `relative` under `root`, refusing anything that would land outside it."""
    root = Path(root).resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise SeqlabError(f"refusing to write {relative!r}: it points outside the output folder {root}")
    return target


def atomic_create_text(path: Path, text: str) -> Path:
    """Write a NEW file atomically: FileExistsError when `path` exists, never a half-written or replaced file.

    The text goes to a temporary file that is then hard-linked to `path` (linking fails if `path` exists)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create, then write
            with open(path, "x", encoding="utf-8", newline="") as handle:
                handle.write(text)
    finally:
        os.unlink(temporary)
    return path
