"""The one error type users see: a single line saying what is wrong and how to fix it."""

import difflib
import errno
import os
import pickle


class SeqlabError(Exception):
    """A problem with the user's input or environment, reported as one line and exit code 2.

    Library code raises it with a message that names the bad thing and the fix, e.g.
    ``SeqlabError("data.tsv:12: expected 'LABEL<TAB>TEXT', found no tab; check the delimiter")``.
    The CLI turns it into one styled line on stderr and exit code 2, never a traceback.
    """

    exit_code = 2


def os_error_message(exc: OSError) -> str:
    """One line for an OSError from reading or writing: what happened to which path, and what to do.

    Commands translate every OSError that reaches them with this (see `seqlab.commands._common.user_errors`),
    so a full disk or a read-only folder is one line and exit 2 like any other bad input.
    """
    where = exc.filename if exc.filename is not None else None
    path = os.fsdecode(where) if where is not None else "a file"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (f"no space left on the disk holding {path}; free some space and run the command again "
                "(files written before are intact; a training continues with: seqlab train --resume RUN)")
    if code == errno.EROFS:
        return f"{path} is on a read-only file system; choose a writable folder (--out, or set SEQLAB_RUNS)"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: {path}; check its owner and mode (ls -l), or choose another folder"
    if code == errno.ENAMETOOLONG:
        return f"file name too long: {path}; choose a shorter --name, --out or folder"
    if code == errno.ENOTDIR:
        return f"{path}: part of this path is a file, not a folder; check the path (and $SEQLAB_RUNS, $SEQLAB_CACHE)"
    if code == errno.EISDIR:
        return f"{path} is a folder, expected a file"
    if code == errno.EEXIST:
        kind = "a file" if where is not None and os.path.isfile(where) else "there"
        return f"{path} already exists ({kind}); expected a folder seqlab can create or use"
    if code == errno.ENOENT:
        return f"{path} does not exist; check the path"
    reason = exc.strerror or type(exc).__name__
    return f"cannot read or write {path}: {reason}"


def unknown_choice(what: str, value: str, choices: "list[str] | tuple[str, ...]") -> str:
    """'unknown model 'transfomer'; did you mean transformer? choose one of: ...': the message for a bad value."""
    close = difflib.get_close_matches(str(value).strip().lower(), [str(c) for c in choices], n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return f"unknown {what} {value!r}; {hint}choose one of: {', '.join(str(c) for c in choices)}"


def refused_by_weights_only(exc: BaseException) -> bool:
    """True when torch.load(weights_only=True) refused a Python object (rather than finding a broken file).

    torch words both the same way ("Weights only load failed ..."); only a refused object names a global.
    """
    return isinstance(exc, pickle.UnpicklingError) and "unsupported global" in str(exc).lower()
