"""`seqlab experiment`: the five studies as named recipes, run as resumable trials into a report folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DataDirOption, DeviceOption, JsonOption, SeedOption, ThreadsOption, user_errors
from seqlab.commands._common import FOLDER_OUT_HELP, options_given
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.console import console, emit_json

experiment_app = typer.Typer(
    help="Run the course's studies as named recipes (RNN sweeps, BERT frozen vs fine-tuned, LM transfer, "
    "tokenizers, bias probe): each writes a report folder with tables, figures and the command to reproduce it.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # as the root app: help is markdown, drawn through _help.protect_markdown
)


@experiment_app.command("list")
@user_errors
def list_recipes(json_output: JsonOption = False) -> None:
    """List every recipe: its name, the study it belongs to, and what it compares.

    Run one with: seqlab experiment run NAME   (quick budget, 3 seeds; --tiny --seeds 1 for a quick look)
    """
    from seqlab.experiments.render import recipes_table
    from seqlab.lab import experiment as lab_experiment

    report = lab_experiment.recipes()
    if json_output:
        emit_json(report.to_json())
        return
    console.print(recipes_table(report.recipes))
    console.print("Run one: [bold]seqlab experiment run rnn-width[/]  (add --data-dir DIR for real data; "
                  "--tiny --seeds 1 for a short look at the mechanics)")


@experiment_app.command("run")
@user_errors
def run(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="Recipe name (see `seqlab experiment list`).", show_default=False)],
    budget: Annotated[str, typer.Option("--budget", help="How much each trial trains: quick (a seeded, label-stratified subset, shorter texts, few epochs: the laptop default, stated per recipe in the report), full (the study's own setting: hours on CPU for the RNN and BERT studies) or tiny (small models, one epoch, 600 examples: about a second a trial on the built-in corpus and an idle machine, up to a minute with real data on a busy one; numbers at chance). The estimated time, printed first, is a range from an idle machine to a busy one.")] = "quick",
    max_configs: Annotated[Optional[int], typer.Option("--max-configs", help="Train at most N configurations of a sweep (each --seeds times); compound scaling samples N points of its grid (at most 50).")] = None,
    seeds: Annotated[int, typer.Option("--seeds", help="Train every configuration with K seeds (seed, seed+1, ...); tables show mean ± 95% interval and verdicts need at least 2.")] = 3,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Epochs per trial [default: the budget's].")] = None,
    max_train: Annotated[Optional[int], typer.Option("--max-train", help="Train on a seeded, label-stratified sample of N training examples [default: the budget's].")] = None,
    max_length: Annotated[Optional[int], typer.Option("--max-length", help="Truncate texts to this many tokens [default: the budget's].")] = None,
    tiny: Annotated[bool, typer.Option("--tiny", help="Same as --budget tiny.")] = False,
    data: Annotated[Optional[str], typer.Option("--data", help="Dataset to use instead of the recipe's (e.g. cfimdb, sst, rte, imdb), or your own .tsv/.csv/.jsonl file.")] = None,
    run_dir: Annotated[Optional[Path], typer.Option("--run", help="bias-probe: the trained run to probe (default: train a quick one).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help=f"{FOLDER_OUT_HELP}: the report; rerunning into the same folder skips finished trials [default: runs/experiments/NAME-TIME].")] = None,
    reuse: Annotated[Optional[list[Path]], typer.Option("--reuse", metavar="DIR", help="Another report folder (an earlier --out) whose finished trials are copied instead of trained when their config is the same: LSTM 64/64 with Adam, for one, is the same trial in rnn-optimizers, rnn-depth, rnn-embedding and rnn-bidirectional. Repeatable.")] = None,
    threads: ThreadsOption = None,
    workers: Annotated[int, typer.Option("--workers", help="Train N trials at once, each in its own process with cores/N torch threads (or --threads): same seeds, same report as one at a time; 1 to 64.")] = 1,
    executor: Annotated[str, typer.Option("--executor", help="Where the trials run: local (this machine: one process, or --workers N) or ray (each trial a Ray task asking for --threads CPUs, default 1, and a GPU when it trains on cuda; needs the cluster extra). Same seeds, same report.")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", metavar="ADDR", help="With --executor ray: the cluster to join, HOST:6379 as `ray start --head` prints it, or auto [default: $RAY_ADDRESS, else a Ray instance started here for this run].")] = None,
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
    config_file: Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help="Read options from a .toml or .json file (keys are the long option names: seeds = 1, budget = \"tiny\", max-train = 200); options typed here win over it; relative paths are relative to its folder.")] = None,
) -> None:
    """Run a recipe: train (or measure) each of its trials, then write README.md, results.json and figures.

    Every configuration is trained with --seeds seeds (default 3); the report gives dev and test accuracy
    as mean ± 95% interval, the random and majority baselines, "not shown above chance" where a binomial
    test on the dev set (and a t-test over the seeds) does not put a setting above the majority baseline,
    and a verdict per comparison, paired by seed ("A beats B by 2.1 ± 0.8 points (paired by seed)" or "no
    difference that these runs can show", which is not a tie). The estimated time is printed first, as a
    range: from an idle machine to a busy one, fitted to measured trials.

    Each trial is named by a hash of its config and saved under OUT/trials/ the moment it finishes,
    so a killed run loses at most the trial in progress: run the same command with the same --out
    and only the missing trials are trained. --reuse OTHER copies the trials another report already
    trained with the same config (the RNN studies share their LSTM 64/64 with Adam).

    Data: the RNN recipes use IMDB (split 7:1:2) with --data-dir, else the built-in sentiment corpus;
    bert-frozen-vs-finetune uses SST, CFIMDB and RTE with --data-dir, else the built-in corpora.

    Examples:

      seqlab experiment run rnn-width   # quick budget, built-in corpus, 3 seeds

      seqlab experiment run rnn-optimizers --tiny --seeds 1   # a look, at chance

      seqlab experiment run rnn-compound-scaling --data-dir DIR --max-configs 20

      seqlab experiment run rnn-depth --data-dir DIR --reuse OPTIMIZERS_OUT

      seqlab experiment run rnn-width --workers 2   # 2 trials at once

      seqlab experiment run rnn-width --executor ray --ray-address auto

      seqlab experiment run bert-frozen-vs-finetune --data-dir DIR --budget full

      seqlab experiment run bias-probe --run runs/cfimdb-bert-pretrained-...

      seqlab experiment run rnn-width --config study.toml   # options from a file

    An example study.toml:  seeds = 2, budget = "quick", max-train = 400, workers = 2, one per line.
    """
    from seqlab.data.registry import is_table_path
    from seqlab.experiments.config import ExperimentConfig
    from seqlab.lab import experiment as lab_experiment

    config = ExperimentConfig(
        recipe=name, data_dir=str(data_dir) if data_dir else None,
        data=_absolute(Path(data)) if data and is_table_path(data) else data,
        budget="tiny" if tiny else budget, max_configs=max_configs, seeds=seeds, seed=seed, epochs=epochs,
        max_train=max_train, max_length=max_length, device=device, threads=threads,
        out=str(out) if out else None, run=str(run_dir) if run_dir else None,
        reuse=tuple(str(folder) for folder in reuse or ()),
        dev=_absolute(dev_file), test=_absolute(test_file), text_column=text_column, label_column=label_column,
        text_pair_column=text_pair_column, no_header=no_header, workers=workers,
        executor=executor, ray_address=ray_address,
    )
    if config_file is not None:  # the file's options under the ones typed here
        from seqlab.training.config_file import experiment_config_from_file

        config = experiment_config_from_file(config_file, config, frozenset(options_given(context)))
    report = lab_experiment.run(config, console=None if json_output else console)
    if json_output:
        emit_json(report.to_json())
        return
    from seqlab.experiments.render import print_summary

    print_summary(console, report.result)


def _absolute(path: Path | None) -> str | None:
    return str(path.expanduser().resolve()) if path is not None else None


def register(app: typer.Typer) -> None:
    """Add `seqlab experiment list|run` to the app."""
    app.add_typer(experiment_app, name="experiment")
