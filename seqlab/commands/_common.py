"""What every command shares: turning SeqlabError into one line + exit 2, and common options."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Callable, Optional, TypeVar

import typer

from seqlab.console import error_line
from seqlab.errors import SeqlabError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Wrap a command so that a SeqlabError prints one line and exits 2, and Ctrl-C exits 130."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SeqlabError as exc:
            error_line(str(exc))
            raise typer.Exit(code=exc.exit_code) from None
        except KeyboardInterrupt:
            error_line("interrupted (Ctrl-C)")
            raise typer.Exit(code=130) from None

    return wrapper  # type: ignore[return-value]


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
ThreadsOption = Annotated[
    Optional[int], typer.Option("--threads", help="CPU threads for torch (default: torch's own choice).")
]
