"""Where `--out` writes: the one rule every command follows, and the names it never writes over.

The rule: a command that writes several files (attention, tour, experiment) takes a folder. A command that
writes one figure (plot ..., compare, params --chart) takes a file name ending in .png, .svg or .pdf and
writes exactly that file, or a folder, where the figure gets a name that is not taken yet. No default: a new
folder under ./figures. An existing file is never replaced: naming one is a one-line error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqlab.errors import SeqlabError
from seqlab.io import new_run_dir

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
FIGURE_SUFFIXES: tuple[str, ...] = tuple(f".{fmt}" for fmt in FIGURE_FORMATS)
# image suffixes seqlab does not write: naming one is a mistake, not a folder
OTHER_IMAGE_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".eps", ".ps")

# the rule in the words of each --help
FIGURE_FILE_RULE = (
    "a file ending in .png, .svg or .pdf (written exactly there, never over an existing file), or a folder "
    "for the figure"
)
ONE_FIGURE_RULE = f"{FIGURE_FILE_RULE} (default: a new folder under ./figures)"
SEVERAL_FILES_RULE = "a folder, created if missing (this command writes several files)"


@dataclass(frozen=True)
class FigureTarget:
    """Where one figure goes: `path`, in format `fmt`; `chosen` when the user named the file itself."""

    path: Path
    fmt: str
    chosen: bool


def names_a_figure_file(out: Path) -> bool:
    """True when `out` reads as a figure's file name (.png/.svg/.pdf) and is not an existing folder."""
    return Path(out).suffix.lower() in FIGURE_SUFFIXES and not Path(out).is_dir()


def names_an_image_file(out: Path) -> bool:
    """True when `out` reads as any image's file name (x.png, x.jpg) and is not an existing folder."""
    return Path(out).suffix.lower() in FIGURE_SUFFIXES + OTHER_IMAGE_SUFFIXES and not Path(out).is_dir()


def existing_file_error(path: Path, option: str = "--out") -> SeqlabError:
    """The one line for a named file that already exists (nothing the user has is replaced)."""
    return SeqlabError(f"{path} already exists; seqlab does not overwrite files: pass a new {option} path")


def output_folder(out: Path | None, name: str, root: Path = Path("figures"), option: str = "--out") -> Path:
    """`out` (created if missing), else a new folder ./figures/<name>-<time> that no one else uses.

    For commands that write several files: a path naming a figure file (x.png) is refused, not made a folder."""
    if out is None:
        return new_run_dir(root, name)
    out = check_folder_option(out, option)
    out.mkdir(parents=True, exist_ok=True)
    return out


def check_folder_option(out: Path, option: str = "--out") -> Path:
    """`out` as a folder option: SeqlabError when it is an existing file or reads as a file name (x.png)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SeqlabError(f"{option} {out} is a file; give a folder (this command writes several files)")
    if names_an_image_file(out):
        raise SeqlabError(f"{option} {out} names a file, but this command writes several files; "
                          f"give a folder, e.g. {option} {out.with_suffix('')}")
    return out


def fresh_name(folder: Path, stem: str, suffix: str) -> Path:
    """folder/stem.suffix, or stem-2.suffix, stem-3... when that exists, so nothing is overwritten."""
    candidate = Path(folder) / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = Path(folder) / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


def figure_target(out: Path | None, stem: str, fmt: str | None = None, *, folder_name: str | None = None,
                  root: Path = Path("figures"), option: str = "--out") -> FigureTarget:
    """Where one figure goes under the rule: `out` itself when it names a .png/.svg/.pdf file (its suffix is the
    format; a different `fmt` or an existing file is a SeqlabError), else a free name stem.FMT in the folder
    `out` (created if missing) or in a new folder root/<folder_name or stem>-<time>. `fmt` None: the suffix,
    else png."""
    if out is not None and names_a_figure_file(out):
        out = Path(out)
        suffix_fmt = out.suffix.lower().lstrip(".")
        if fmt is not None and fmt.lower().lstrip(".") != suffix_fmt:
            raise SeqlabError(f"{option} {out} ends in .{suffix_fmt} but --format is {fmt}; "
                              "give one of them, or make them agree")
        if out.exists():
            raise existing_file_error(out, option)
        return FigureTarget(out, suffix_fmt, True)
    if out is not None:
        if names_an_image_file(out):  # fig.jpg: a format seqlab does not write, not a folder name
            raise SeqlabError(f"{option} {out}: seqlab writes .png, .svg or .pdf figures; "
                              "give a file ending in one of them, or a folder")
        if Path(out).exists() and not Path(out).is_dir():
            raise SeqlabError(f"{option} {out} is a file that is not a figure; give a new file name ending in "
                              ".png, .svg or .pdf, or a folder")
        Path(out).mkdir(parents=True, exist_ok=True)
        folder = Path(out)
    else:
        folder = new_run_dir(root, folder_name or stem)
    fmt = (fmt or "png").lower().lstrip(".")
    return FigureTarget(fresh_name(folder, stem, f".{fmt}"), fmt, False)
