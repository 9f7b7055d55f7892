"""Loading a learner's file (`path.py:NAME`) and calling their code, with their errors as one line naming their
file and line, never a seqlab traceback."""

from __future__ import annotations

import importlib.util
import signal
import sys
import threading
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from seqlab.errors import SeqlabError


class StudentError(Exception):
    """The learner's code raised an exception while seqlab called it; the message is one line (file:line: error)."""


class ContractError(StudentError):
    """The learner's code ran but does not follow the kind's signature (it returned the wrong thing)."""


class NotImplementedYet(StudentError):
    """The learner's code raised NotImplementedError (a starter file nobody has filled in yet)."""


TIME_LIMIT_S = 60.0  # the most one check of a learner's code may take (each kind takes a few seconds)


class ImportFailed(SeqlabError):
    """The learner's file raised (or had a syntax error, or ran past the time limit) while it was imported."""


class OutOfTime(BaseException):
    """The learner's code ran past the time limit (a BaseException, so their own `except Exception` cannot eat it)."""


@contextmanager
def time_limit(seconds: float = TIME_LIMIT_S, path: Path | None = None) -> Iterator[None]:
    """Stop the body after `seconds` with a StudentError naming where the learner's code was (an infinite loop, a
    huge computation). Only where SIGALRM exists and on the main thread; elsewhere the body runs unlimited."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise OutOfTime()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except OutOfTime as exc:
        where = where_in(exc, path)
        raise StudentError(f"{where + ': ' if where else ''}still running after {seconds:g} s (an endless loop?)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class LoadedObject:
    """A learner's function or class, the file it came from and the name it had there."""

    obj: Any
    path: Path
    name: str


def parse_spec(spec: str) -> tuple[Path, str]:
    """Split "path/to/file.py:NAME" into the path and the name; SeqlabError when the form is wrong."""
    path_text, colon, name = spec.rpartition(":")
    if not colon or not path_text or not name.isidentifier():
        raise SeqlabError(f"--impl wants FILE.py:NAME (e.g. my_attention.py:attention), not {spec!r}")
    path = Path(path_text)
    if path.suffix != ".py":
        raise SeqlabError(f"--impl {spec}: {path} is not a .py file; give FILE.py:NAME")
    if not path.is_file():
        raise SeqlabError(f"--impl {spec}: no file {path}; check the path (it is relative to where you run seqlab)")
    return path, name


def where_in(exc: BaseException, path: Path | None) -> str:
    """'file.py line 12' for the deepest frame of `exc` inside `path` (else its deepest frame), '' without one."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    chosen = frames[-1]
    if path is not None:
        resolved = str(path.resolve())
        inside = [frame for frame in frames if str(Path(frame.filename).resolve()) == resolved]
        chosen = inside[-1] if inside else chosen
    return f"{Path(chosen.filename).name} line {chosen.lineno}"


def one_line(exc: BaseException, path: Path | None) -> str:
    """The learner's exception as one line: where it happened, its type and its message."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    where = where_in(exc, path)
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"{where}: {text}" if where else text


def load_object(spec: str) -> LoadedObject:
    """Import the learner's file from its path (not from sys.path) and take NAME out of it.

    An error while importing it is one SeqlabError naming their file and line; so is a missing NAME (listing the
    functions and classes the file does have). The file's own folder is put first on sys.path while it imports, so
    it can import its neighbours.
    """
    path, name = parse_spec(spec)
    module_name = f"seqlab_learner_{uuid.uuid4().hex[:8]}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise SeqlabError(f"cannot import {path}; is it a Python file?")
    module = importlib.util.module_from_spec(loader_spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        with time_limit(TIME_LIMIT_S, path):
            loader_spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ImportFailed(f"{path.name} line {exc.lineno}: SyntaxError: {exc.msg}; fix your file and run again") from None
    except StudentError as exc:
        raise ImportFailed(f"importing {path.name} failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - anything their file raises is theirs, reported in one line
        raise ImportFailed(f"importing {path.name} failed: {one_line(exc, path)}") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    if not hasattr(module, name):
        defined = sorted(key for key, value in vars(module).items()
                         if callable(value) and getattr(value, "__module__", "") == module_name)
        listed = ", ".join(defined) if defined else "no functions or classes"
        raise SeqlabError(f"{path.name} has no {name!r}; it defines {listed}")
    return LoadedObject(getattr(module, name), path, name)


def source_file(obj: Any) -> Path | None:
    """The file a function or class (or an instance's class) was defined in, when Python knows it."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        return Path(code.co_filename)
    module = sys.modules.get(getattr(obj if isinstance(obj, type) else type(obj), "__module__", ""))
    filename = getattr(module, "__file__", None)
    return Path(filename) if filename else None


def call(fn: Callable[..., Any], *args: Any, where: Path | None = None, **kwargs: Any) -> Any:
    """Call the learner's `fn`; their NotImplementedError is NotImplementedYet and any other exception a
    StudentError whose one-line message names the line of their file (`where`) that raised it."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise NotImplementedYet(one_line(exc, where)) from None
    except StudentError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's exception, reported in one line
        raise StudentError(one_line(exc, where)) from None
