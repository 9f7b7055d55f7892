"""Safe file writing: atomic writes, unique run directories, and paths kept inside an output folder."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from filelock import FileLock, Timeout

from seqlab.errors import SeqlabError

TMP_SUFFIX = ".tmp"
LOCK_FILE = ".lock"


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_path(path: Path) -> Path:
    """A fresh hidden `.NAME.XXXX.tmp` file next to `path`, for `replace_from`.

    Every atomic write goes through one of these, so `clean_temporaries` knows what a killed writer left.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def replace_from(tmp: Path, path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write(tmp)`, then rename `tmp` over `path`; on any failure remove `tmp` and keep the old `path`.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600, whoever wrote it, so a
    teammate who can read a shared run folder can read its weights too.
    """
    try:
        with naming(path):
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(path)


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Give an OSError raised in the block without a file name (a write() on a full disk) `path` as its name,
    so the one error line says which file, and so which disk, failed."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path)) from None
        raise


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so that readers see the old file or the new one, never half of one."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    return replace_from(temp_path(path), Path(path), write)


def atomic_write_text(path: Path, text: str) -> Path:
    """Atomically write UTF-8 text to `path`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(value: Any) -> Any:
    """`value` in plain JSON types: dataclasses as dicts, tuples and sets as lists, paths as strings,
    tensors and numpy values as numbers and lists, and NaN or infinite floats as None (JSON has neither)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "tolist"):  # torch.Tensor, numpy arrays and scalars
        return to_jsonable(value.tolist())
    if hasattr(value, "item"):
        return value.item()
    return value


def atomic_write_json(path: Path, payload: Any) -> Path:
    """Atomically write `payload` as indented JSON to `path`."""
    return atomic_write_text(path, json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False) + "\n")


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON record as a line (flushed and fsynced, so a crash loses at most this line)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with naming(path), open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(to_jsonable(record), ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


SLUG_LIMIT = 80  # characters; file systems allow 255 bytes per name, and the time stamp is added


def slugify(name: str) -> str:
    """A file-name-safe version of `name` (no slashes, no '..', at most SLUG_LIMIT characters)."""
    slug = _SLUG.sub("-", name).strip("-.")[:SLUG_LIMIT].strip("-.")
    return slug or "run"


# the folder names new_run_dir makes: NAME-YYYYmmdd-HHMMSS, and -N when two started in the same second
RUN_STAMP = re.compile(r"^(?P<prefix>.+?)-(?P<date>\d{8})-(?P<time>\d{6})(?P<repeat>-\d+)?$")


def new_run_dir(root: Path, name: str) -> Path:
    """Create and return a fresh directory under `root` named after `name` and the time; never reuses one.

    Two processes starting at the same moment get different directories, because creation uses
    mkdir without exist_ok and retries with a counter.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise SeqlabError(f"{root} is a file, not a folder; point SEQLAB_RUNS (or --out) at a folder")
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


def resolved_path(path: Path, option: str = "the path") -> Path:
    """`path` made absolute with its symbolic links followed; a link loop is one SeqlabError naming `option`.

    (Path.resolve raises RuntimeError for a loop before Python 3.13; 3.13 returns the path, and the readers'
    check_regular_file reports the loop when the file is opened.)"""
    try:
        return Path(path).resolve()
    except RuntimeError:
        pass
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
    raise SeqlabError(f"{option} {path} is a symbolic link that leads back to itself (a loop); "
                      "point the option at the file itself")


def safe_child(root: Path, relative: str) -> Path:
    """Resolve `relative` under `root`, refusing anything that would land outside it."""
    root = Path(root).resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise SeqlabError(f"refusing to write {relative!r}: it points outside the output folder {root}")
    return target


# what os.link raises where the file system has no hard links (FAT, some network shares, Windows' FAT)
NO_HARD_LINKS = frozenset(getattr(errno, name) for name in ("EPERM", "EOPNOTSUPP", "ENOTSUP", "EXDEV", "EMLINK",
                                                          "EINVAL", "ENOSYS") if hasattr(errno, name))


def atomic_create_bytes(path: Path, data: bytes) -> Path:
    """Write a NEW file atomically: FileExistsError when `path` exists, never a half-written or replaced file.

    The bytes go to a temporary file that is then hard-linked to `path` (linking fails if `path` exists)."""
    path = Path(path)
    temporary = temp_path(path)
    try:
        with naming(path), open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError as exc:  # a file system without hard links: exclusive create, then write
            if exc.errno not in NO_HARD_LINKS:
                raise  # a full disk, a read-only folder, no permission: one line, like every failed write
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        os.unlink(temporary)
    return path


def atomic_create_text(path: Path, text: str) -> Path:
    """A NEW UTF-8 text file, as `atomic_create_bytes` writes one (FileExistsError when `path` exists)."""
    return atomic_create_bytes(path, text.encode("utf-8"))


# what safetensors' save_file (Rust's tempfile crate) named its temporary files before seqlab wrote weights
# through atomic_write_bytes: a run killed mid-write by an older seqlab may still hold them
FOREIGN_TMP = re.compile(r"^\.tmp[A-Za-z0-9]{6}$")
OWN_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")  # temp_path's names: .NAME.XXXXXXXX.tmp


def is_temporary(path: Path) -> bool:
    """True for a temporary file a killed writer can leave: seqlab's `.NAME.XXXX.tmp`, or `.tmpXXXXXX`."""
    name = Path(path).name
    return bool(OWN_TMP.match(name) or FOREIGN_TMP.match(name))


def clean_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files a killed writer left in `folder` and its sub-folders; return them.

    Call it only while holding the folder's lock (`locked_folder`), so no live writer's file is removed.
    """
    removed = []
    for tmp in Path(folder).rglob(".*"):
        if is_temporary(tmp) and tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


@contextlib.contextmanager
def locked_folder(folder: Path, what: str = "run") -> Iterator[None]:
    """Hold an exclusive OS lock on `folder` for the block; a second writer gets one SeqlabError.

    The lock (filelock: flock on Linux and macOS, msvcrt's locking on Windows) lives on FOLDER/.lock and ends
    with the process, so a killed writer never leaves a stale lock behind. Leftover temporary files of an
    earlier, killed writer are removed once the lock is held.
    """
    folder = Path(folder)
    lock = FileLock(folder / LOCK_FILE, timeout=0)
    try:
        with naming(folder / LOCK_FILE):
            lock.acquire()
    except Timeout:
        raise SeqlabError(
            f"{what} {folder} is in use by another seqlab process; wait for it to finish "
            "(or stop it), then run the command again"
        ) from None
    try:
        clean_temporaries(folder)
        yield
    finally:
        lock.release()
