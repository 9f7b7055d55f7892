"""Saving matplotlib figures: atomically, in PNG, SVG or PDF, only inside the chosen folder."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_bytes, new_run_dir

FigureFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DEFAULT_DPI = 200  # slide quality; pixel size = figure inches x dpi, so tests can predict it
DPI = DEFAULT_DPI
MIN_DPI, MAX_DPI = 50, 600
# Applied to every figure seqlab draws: text from data is drawn literally ('$x$' is not math), SVG keeps
# text as editable <text> elements, and sizes read from the back of a lecture hall.
SLIDE_STYLE: dict[str, object] = {
    "text.parse_math": False,
    "svg.fonttype": "none",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "figure.titlesize": 13,
    "legend.fontsize": 9,
    "axes.formatter.useoffset": False,
}


def check_format(fmt: str) -> FigureFormat:
    """The format, lower-cased; SeqlabError naming the choices otherwise."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SeqlabError(f"unknown figure format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def check_dpi(dpi: int) -> int:
    """The dpi when it is sensible for a figure; SeqlabError naming the range otherwise."""
    if not MIN_DPI <= int(dpi) <= MAX_DPI:
        raise SeqlabError(f"--dpi {dpi} is out of range; use {MIN_DPI}..{MAX_DPI} (200 suits slides, 100 the screen)")
    return int(dpi)


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (no window, works on servers), with SLIDE_STYLE."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(SLIDE_STYLE)
    return plt


def shorten(text: str, limit: int = 60) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:  # the cut falls inside a word: drop that word
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def save_figure(figure, path: Path, fmt: FigureFormat | None = None, dpi: int = DEFAULT_DPI) -> Path:
    """Write `figure` to `path` (format from `fmt` or the suffix) at `dpi` atomically, then close it."""
    path = Path(path)
    fmt = check_format(fmt or path.suffix or "png")
    if path.suffix.lower() != f".{fmt}":
        path = path.with_suffix(f".{fmt}")
    return atomic_write_bytes(path, figure_bytes(figure, fmt, dpi))


def figure_bytes(figure, fmt: FigureFormat = "png", dpi: int = DEFAULT_DPI) -> bytes:
    """`figure` as the bytes of a `fmt` file at `dpi` (a notebook shows them inline), then close it."""
    buffer = io.BytesIO()
    # SVG: keep text as text (selectable, searchable) and leave out the date so same input -> same bytes
    metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
    import matplotlib

    with matplotlib.rc_context(SLIDE_STYLE):
        settle_layout(figure)
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    pyplot().close(figure)
    return buffer.getvalue()


def settle_layout(figure) -> None:
    """Run the layout once before saving: constrained layout sizes rotated tick labels only after a first
    pass, so a single pass can leave an axis label off the canvas."""
    figure.draw_without_rendering()


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
