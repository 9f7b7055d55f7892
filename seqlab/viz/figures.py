"""Saving matplotlib figures: atomically, in PNG, SVG or PDF, as a new file where the --out rule puts it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from seqlab.errors import SeqlabError
from seqlab.io import atomic_create_bytes, atomic_write_bytes
from seqlab.outputs import FIGURE_FORMATS, existing_file_error, figure_target, fresh_name

FigureFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[str, ...] = FIGURE_FORMATS
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


def save_new_figure(figure, out: Path | None, stem: str, fmt: str | None = None, dpi: int = DEFAULT_DPI, *,
                    folder_name: str | None = None, root: Path = Path("figures"), option: str = "--out") -> Path:
    """Write `figure` where the --out rule (`seqlab.outputs`) puts it, as a NEW file, and close it.

    `out` a .png/.svg/.pdf name: exactly that file (SeqlabError if it exists); a folder or None: stem.FMT,
    stem-2.FMT, ... in it (or in a new folder under `root`). `fmt` None: the file's suffix, else png."""
    try:
        target = figure_target(out, stem, None if fmt is None else check_format(fmt), folder_name=folder_name,
                               root=root, option=option)
    except BaseException:
        pyplot().close(figure)
        raise
    data = figure_bytes(figure, check_format(target.fmt), dpi)
    path = target.path
    while True:
        try:
            return atomic_create_bytes(path, data)
        except FileExistsError:  # made by someone else since the target was chosen
            if target.chosen:
                raise existing_file_error(path, option) from None
            path = fresh_name(path.parent, stem, path.suffix)
