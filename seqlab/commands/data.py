"""`seqlab data`: list, inspect, sample and download the datasets seqlab trains on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from seqlab.commands._common import DataDirOption, JsonOption, SeedOption, user_errors
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption

data_app = typer.Typer(
    help="The datasets: what is known (**list**), how big and how long (**stats**), what the rows "
    "look like (**show**), and fetching the real ones (**download**).",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # as the root app: help is markdown, drawn through _help.protect_markdown
)

NameArgument = Annotated[
    str,
    typer.Argument(
        help="A dataset name from `seqlab data list` (e.g. builtin-sentiment, sst, imdb, rte) or a path to a "
        ".tsv/.csv/.jsonl file (with a header, or --no-header).",
        show_default=False,
    ),
]
DevFileOption = Annotated[
    Optional[Path], typer.Option("--dev", help="Your own dev file (as for `seqlab train`): no dev split is carved.")]
TestFileOption = Annotated[Optional[Path], typer.Option("--test", help="Your own test file (as for `seqlab train`).")]


def _request(name: str, data_dir: Path | None, seed: int, text: str | None, label: str | None,
             text_pair: str | None, no_header: bool, dev: Path | None = None, test: Path | None = None):
    """The lab's DatasetRequest of the dataset options."""
    from seqlab.data.sources import ColumnChoice
    from seqlab.data.spec import DataSpec
    from seqlab.lab.data import DatasetRequest

    spec = DataSpec(name, *(str(p) if p else None for p in (data_dir, dev, test)),
                    ColumnChoice(text, label, text_pair, no_header))
    return DatasetRequest(spec, seed)


def _print_notes(notes) -> None:
    from rich.markup import escape

    from seqlab.console import console

    for note in notes:
        console.print(f"[dim]{escape(note)}[/]", soft_wrap=True, highlight=False)


@data_app.command("list")
@user_errors
def list_datasets(json_output: JsonOption = False) -> None:
    """List every dataset seqlab can read: its name, labels, and whether it needs --data-dir.

    The two built-in ones are generated on the fly and work offline; the real ones are read from --data-dir in their published formats (the 'where' column shows the files and their format).
    """
    from seqlab.console import console, emit_json
    from seqlab.data.render import datasets_table
    from seqlab.lab import data as lab_data

    report = lab_data.datasets()
    if json_output:
        emit_json(report.to_json())
        return
    console.print(datasets_table(report.datasets))
    console.print("Inspect one: [bold]seqlab data stats builtin-sentiment[/]; real data: "
                  "[bold]--data-dir DIR[/] or [bold]seqlab data download imdb[/].")


@data_app.command("stats")
@user_errors
def stats(
    name: NameArgument,
    data_dir: DataDirOption = None,
    bins: Annotated[int, typer.Option("--bins", min=1, max=50, help="Bars in the length histogram.")] = 10,
    seed: SeedOption = 0,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
    dev_file: DevFileOption = None,
    test_file: TestFileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Count a dataset: examples per split, examples per label, and how long the texts are.

    Lengths are in words (lowercased, punctuation split off, pairs counted together). The percentiles tell you what --max-length keeps: at p95, one text in twenty is cut.
    """
    from seqlab.console import console, emit_json
    from seqlab.data.render import length_histogram, stats_table
    from seqlab.lab import data as lab_data

    report = lab_data.stats(_request(name, data_dir, seed, text_column, label_column, text_pair_column, no_header,
                                     dev_file, test_file), bins)
    if json_output:
        emit_json(report.to_json())
        return
    splits, numbers = report.loaded.splits, report.numbers
    _print_notes(report.loaded.notes)
    console.print(stats_table(splits.name, numbers, len(splits.labels), splits.is_pair))
    console.print(length_histogram(numbers[0]))
    if not splits.test:
        console.print("[dim]no labeled test split (e.g. GLUE hides its test labels): evaluate on dev[/]")


@data_app.command("show")
@user_errors
def show(
    name: NameArgument,
    split: Annotated[str, typer.Option("--split", help="Which split: train, dev or test.")] = "train",
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many rows to show.")] = 5,
    data_dir: DataDirOption = None,
    seed: SeedOption = 0,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
    dev_file: DevFileOption = None,
    test_file: TestFileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show a few rows of a split, picked at random with --seed, exactly as the readers parsed them."""
    from seqlab.console import console, emit_json
    from seqlab.data.render import examples_table
    from seqlab.lab import data as lab_data

    report = lab_data.show(_request(name, data_dir, seed, text_column, label_column, text_pair_column, no_header,
                                    dev_file, test_file), split, count)
    if json_output:
        emit_json(report.to_json())
        return
    splits = report.loaded.splits
    _print_notes(report.loaded.notes)
    console.print(examples_table(f"{splits.name} {split}: {len(report.rows)} of {report.total:,} rows",
                                 report.rows, splits.is_pair))


@data_app.command("download")
@user_errors
def download(
    name: Annotated[str, typer.Argument(help="imdb, stackoverflow, rte or sst2.", show_default=False)],
    data_dir: Annotated[
        Optional[Path],
        typer.Option("--data-dir", envvar="SEQLAB_DATA",
                     help="Folder to unpack into (default: the seqlab cache, where commands find it by themselves)."),
    ] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Fetch from this mirror or file:// path instead.")] = None,
    sha256: Annotated[Optional[str], typer.Option("--sha256", help="Also require this sha256 of the archive.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download and unpack again even if the data is there.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Download a real dataset once, check its checksum, and unpack it where the readers expect it.

    The archive is cached (seqlab cache folder, $SEQLAB_CACHE), so a second run does not fetch again. IMDB's 50,000 labeled reviews become imdb/train.tsv and imdb/test.tsv; Stack Overflow keeps its train/<tag>/<n>.txt folders; the GLUE zips give rte/ and sst2/ TSVs. Offline? Download the archive elsewhere and pass --url file:///path/to/archive.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from seqlab.console import console, emit_json, err_console
    from seqlab.lab import data as lab_data

    tasks: dict[str, Any] = {}

    def show(archive: str, done: int, total: int | None) -> None:
        if archive not in tasks:
            tasks[archive] = progress.add_task(archive, total=None)
        progress.update(tasks[archive], completed=done, total=total)

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=err_console, transient=True, disable=json_output) as progress:
        report = lab_data.download(lab_data.DownloadRequest(name, data_dir, url, sha256, force), show)
    if json_output:
        emit_json(report.to_json())
        return
    result, root = report.result, report.root
    console.print(f"[green]✓[/] {name} is in [bold]{result.folder}[/] ({result.checksum_verified}; "
                  f"sha256 {result.sha256[:16]}…{'' if result.fetched else ', archive reused from the cache'})")
    hint = "" if data_dir is None else f" --data-dir {root}"
    console.print(f"Next: [bold]seqlab data stats {name}{hint}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab data ...` to the app."""
    app.add_typer(data_app, name="data")
