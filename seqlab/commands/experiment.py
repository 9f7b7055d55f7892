"""`seqlab experiment`: the five studies as named recipes, run as resumable trials into a report folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DataDirOption, DeviceOption, JsonOption, SeedOption, ThreadsOption, user_errors
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.console import console, emit_json

experiment_app = typer.Typer(
    help="Run the course's studies as named recipes (RNN sweeps, BERT frozen vs fine-tuned, LM transfer, "
    "tokenizers, bias probe): each writes a report folder with tables, figures and the command to reproduce it.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@experiment_app.command("list")
@user_errors
def list_recipes(json_output: JsonOption = False) -> None:
    """List every recipe: its name, the study it belongs to, and what it compares.

    Run one with: seqlab experiment run NAME --tiny   (seconds, built-in corpus)
    """
    from rich.table import Table

    from seqlab.experiments.recipes import all_recipes

    recipes = all_recipes()
    if json_output:
        emit_json([{"name": r.name, "study": r.study, "description": r.description} for r in recipes])
        return
    table = Table(title=f"{len(recipes)} recipes", title_justify="left")
    for column in ("recipe", "study", "what it compares"):
        table.add_column(column, no_wrap=column == "recipe")
    for recipe in recipes:
        table.add_row(f"[bold]{recipe.name}[/]", recipe.study, recipe.description)
    console.print(table)
    console.print("Run one: [bold]seqlab experiment run rnn-width --tiny[/]  (add --data-dir DIR for real data)")


@experiment_app.command("run")
@user_errors
def run(
    name: Annotated[str, typer.Argument(help="Recipe name (see `seqlab experiment list`).", show_default=False)],
    budget: Annotated[Optional[int], typer.Option("--budget", help="At most N configurations (each trained --seeds times); compound scaling samples N points of its grid (at most 50).")] = None,
    seeds: Annotated[int, typer.Option("--seeds", help="Train every configuration with K seeds; tables show mean ± sd.")] = 1,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Epochs per trial [default: the recipe's].")] = None,
    max_train: Annotated[Optional[int], typer.Option("--max-train", help="Use only the first N training examples.")] = None,
    max_length: Annotated[Optional[int], typer.Option("--max-length", help="Truncate texts to this many tokens [default: the recipe's].")] = None,
    tiny: Annotated[bool, typer.Option("--tiny", help="Tiny budget: small models, 1 epoch, a slice of the data; seconds on the built-in corpus.")] = False,
    data: Annotated[Optional[str], typer.Option("--data", help="Dataset to use instead of the recipe's (e.g. cfimdb, sst, rte, imdb), or your own .tsv/.csv/.jsonl file.")] = None,
    run_dir: Annotated[Optional[Path], typer.Option("--run", help="bias-probe: the trained run to probe (default: train a quick one).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Report folder; rerunning into the same folder skips finished trials [default: runs/experiments/NAME-TIME].")] = None,
    threads: ThreadsOption = None,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    data_dir: DataDirOption = None,
    json_output: JsonOption = False,
    # your own files (issue 21)
    dev_file: Annotated[Optional[Path], typer.Option("--dev", help="With --data FILE: your dev file (no dev split is carved).")] = None,
    test_file: Annotated[Optional[Path], typer.Option("--test", help="With --data FILE: your test file, held out.")] = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Run a recipe: train (or measure) each of its trials, then write README.md, results.json and figures.

    Each trial is named by a hash of its config and saved under OUT/trials/ the moment it finishes,
    so a killed run loses at most the trial in progress: run the same command with the same --out
    and only the missing trials are trained.

    Data: the RNN recipes use IMDB (split 7:1:2) with --data-dir, else the built-in sentiment corpus;
    bert-frozen-vs-finetune uses SST, CFIMDB and RTE with --data-dir, else the built-in corpora.

    Examples:

      seqlab experiment run rnn-optimizers --tiny

      seqlab experiment run rnn-compound-scaling --data-dir DIR --budget 20 --max-train 5000 --epochs 2

      seqlab experiment run bert-frozen-vs-finetune --data-dir DIR --data cfimdb --seeds 3

      seqlab experiment run bias-probe --run runs/cfimdb-bert-pretrained-...
    """
    from seqlab.experiments.config import ExperimentConfig
    from seqlab.experiments.runner import run_experiment

    config = ExperimentConfig(
        recipe=name, data_dir=str(data_dir) if data_dir else None,
        data=_absolute(Path(data)) if data and Path(data).suffix.lower() in (".tsv", ".csv", ".jsonl", ".json") else data, budget=budget, seeds=seeds, seed=seed,
        epochs=epochs, max_train=max_train, max_length=max_length, tiny=tiny, device=device, threads=threads,
        out=str(out) if out else None, run=str(run_dir) if run_dir else None,
        dev=_absolute(dev_file), test=_absolute(test_file), text_column=text_column, label_column=label_column,
        text_pair_column=text_pair_column, no_header=no_header,
    )
    result = run_experiment(config, console=None if json_output else console)
    if json_output:
        emit_json({"recipe": result.recipe, "out_dir": result.out_dir, "trials": result.trials,
                   "trained": result.trained, "skipped": result.skipped, "seconds": result.seconds,
                   "readme": result.readme, "results": result.results, "command": result.command,
                   "tables": result.summary.tables, "figures": result.summary.figures, "notes": result.summary.notes})
        return
    from seqlab.experiments.render import summary_view

    console.print(summary_view(result))


def _absolute(path: Path | None) -> str | None:
    return str(path.expanduser().resolve()) if path is not None else None


def register(app: typer.Typer) -> None:
    """Add `seqlab experiment list|run` to the app."""
    app.add_typer(experiment_app, name="experiment")
