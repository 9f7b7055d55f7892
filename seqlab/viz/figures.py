"""Saving matplotlib figures: atomically, in PNG, SVG or PDF, only inside the chosen folder."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_bytes, new_run_dir

FigureFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DPI = 100  # pixel size = figure inches x DPI, so tests can predict it


def check_format(fmt: str) -> FigureFormat:
    """The format, lower-cased; SeqlabError naming the choices otherwise."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SeqlabError(f"unknown figure format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (no window, works on servers)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: Path, fmt: FigureFormat | None = None) -> Path:
    """Write `figure` to `path` (format from `fmt` or the suffix) atomically, then close it."""
    path = Path(path)
    fmt = check_format(fmt or path.suffix or "png")
    if path.suffix.lower() != f".{fmt}":
        path = path.with_suffix(f".{fmt}")
    buffer = io.BytesIO()
    # SVG: keep text as text (selectable, searchable) and leave out the date so same input -> same bytes
    metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
    figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    pyplot().close(figure)
    return atomic_write_bytes(path, buffer.getvalue())


def output_folder(out: Path | None, name: str, root: Path = Path("figures")) -> Path:
    """`out` (created if missing), else a new folder ./figures/<name>-<time> that no one else uses."""
    if out is not None:
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise SeqlabError(f"--out {out} is a file; give a folder")
        out.mkdir(parents=True, exist_ok=True)
        return out
    return new_run_dir(root, name)


def fresh_name(folder: Path, stem: str, suffix: str) -> Path:
    """folder/stem.suffix, or stem-2.suffix, stem-3... when that exists, so nothing is overwritten."""
    candidate = Path(folder) / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = Path(folder) / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate
