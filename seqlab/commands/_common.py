"""What every command shares: turning SeqlabError into one line + exit 2, and common options."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Callable, Optional, TypeVar

import typer

from seqlab.console import error_line
from seqlab.errors import SeqlabError, os_error_message
from seqlab.outputs import ONE_FIGURE_RULE, SEVERAL_FILES_RULE
from seqlab.viz import figures

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Wrap a command so that a SeqlabError prints one line and exits 2, and Ctrl-C exits 130.

    An OSError that no library code turned into a SeqlabError (a full disk, a read-only folder, a name
    too long, a file where a folder should be) is one line and exit 2 too, never a traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SeqlabError as exc:
            error_line(str(exc))
            raise typer.Exit(code=exc.exit_code) from None
        except BrokenPipeError:  # `seqlab runs | head`: the reader left; say nothing more to it
            _silence_stdout()
            raise typer.Exit(code=0) from None
        except OSError as exc:
            error_line(os_error_message(exc))
            raise typer.Exit(code=2) from None
        except (MemoryError, RuntimeError) as exc:
            if not _out_of_memory(exc):
                raise
            error_line("not enough memory for this model or batch; use smaller sizes (--hidden, --width, --layers, "
                       "--batch-size, --max-length) or another --device")
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            error_line("interrupted (Ctrl-C)")
            raise typer.Exit(code=130) from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test runner's buffer): nothing to silence
        pass


def _out_of_memory(exc: BaseException) -> bool:
    """True for a failed allocation: MemoryError, torch's CPU allocator, or CUDA/MPS out of memory."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return "out of memory" in text or "can't allocate memory" in text or "cannot allocate memory" in text


JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
DataDirOption = Annotated[
    Optional[Path],
    typer.Option(
        "--data-dir",
        envvar="SEQLAB_DATA",
        help="Folder holding the real datasets in their published formats (e.g. sst/, cfimdb/, imdb/, rte/). "
        "Also read from $SEQLAB_DATA. Not needed for the built-in corpus.",
    ),
]
DeviceOption = Annotated[
    str, typer.Option("--device", help="Where to run: auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps.")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed; same seed and device give the same numbers.")]
DpiOption = Annotated[
    int, typer.Option("--dpi", help="Pixels per inch of PNG figures (200 fits a slide, 100 a screen).")
]
DEFAULT_DPI = figures.DEFAULT_DPI  # the default of every --dpi: `dpi: DpiOption = DEFAULT_DPI`
# --out, one rule (seqlab.outputs): a file for a command that writes one figure, else a folder
FigureOutOption = Annotated[
    Optional[Path], typer.Option("--out", metavar="FILE|DIR", help=f"Where the figure goes: {ONE_FIGURE_RULE}.")
]
FigureFormatOption = Annotated[
    Optional[str],
    typer.Option("--format", help="Figure format: png, svg (editable text) or pdf "
                 "[default: the --out file's suffix, else png]."),
]
FOLDER_OUT_HELP = f"Folder for the files: {SEVERAL_FILES_RULE}"  # start of every several-files --out help
ThreadsOption = Annotated[
    Optional[int], typer.Option("--threads", help="CPU threads for torch (default: torch's own choice).")
]


# Your own files (issue 21): the same column options on data, train, evaluate, predict and experiment.
TextColumnOption = Annotated[
    Optional[str],
    typer.Option("--text-column", help="For your own file: the text column, by header name or 0-based number "
                 "(default: 'text', or 1 with --no-header; evaluate and predict use the run's).",
                 show_default=False),
]
LabelColumnOption = Annotated[
    Optional[str],
    typer.Option("--label-column", help="For your own file: the label column, by header name or 0-based number "
                 "(default: 'label', or 0 with --no-header; evaluate and predict use the run's).",
                 show_default=False),
]
TextPairColumnOption = Annotated[
    Optional[str],
    typer.Option("--text-pair-column", help="For your own file of sentence pairs: the column "
                 "with the second sentence (name or 0-based number).", show_default=False),
]
NoHeaderOption = Annotated[
    bool,
    typer.Option("--no-header", help="Your file has no header row: every line is an example, and columns are "
                 "numbered from 0 (default: label 0, text 1). A two-column label-tab-text .tsv is recognised "
                 "without it."),
]


def column_choice(text: str | None, label: str | None, text_pair: str | None, no_header: bool):
    """The ColumnChoice of the four column options."""
    from seqlab.data.sources import ColumnChoice

    return ColumnChoice(text, label, text_pair, no_header)



def options_given(context: typer.Context) -> list[str]:
    """The options of the running command that were typed on its command line (not defaults or $VARIABLES),
    by their first name (e.g. "--lr"), so a command can refuse options that cannot apply together."""
    given = []
    for param in context.command.params:
        source = context.get_parameter_source(param.name) if param.name else None
        if param.opts and source is not None and source.name == "COMMANDLINE":
            given.append(param.opts[0])
    return given
