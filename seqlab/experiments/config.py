"""What an experiment run is asked to do: one frozen dataclass, checked before any trial starts."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seqlab.data.sources import ColumnChoice
from seqlab.data.spec import DataSpec
from seqlab.errors import SeqlabError
from seqlab.outputs import check_folder_option
from seqlab.training.config import check_shared_options

MAX_TRIALS = 50  # the most configurations any recipe trains (compound scaling samples its grid down to this)
BUDGETS = ("tiny", "quick", "full")  # see seqlab.experiments.recipes.common.Sizes for what each means per recipe
DEFAULT_SEEDS = 3
MAX_WORKERS = 64  # --workers: trial processes on one machine (seqlab.experiments.pool)
EXECUTORS = ("local", "ray")  # --executor: this machine's processes, or Ray tasks (seqlab.experiments.ray_pool)
# how trials are run, never what they compute: kept out of the report (stored_config)
HOW_FIELDS = ("workers", "executor", "ray_address")
# --data FILE's own dev/test files and columns (issue 21): ExperimentConfig fields that every trial's TrainConfig
# gets under the same names, and that the reproduce command gives back as --dev, --test, --text-column, ...
OWN_FILE_FIELDS = ("dev", "test", "text_column", "label_column", "text_pair_column", "no_header")


@dataclass(frozen=True)
class ExperimentConfig:
    """One recipe run: which recipe, on what data, how much compute, and where the report goes.

    `budget` names how much each trial trains: "quick" (the default: a seeded, label-stratified subset of the
    training set, a shorter max length and fewer epochs, chosen per recipe to finish on a laptop CPU),
    "full" (the study's own settings) or "tiny" (small models, one epoch, a slice of the data: seconds on
    the built-in corpus, numbers at chance). `max_configs` caps how many configurations a sweep trains,
    each one `seeds` times. `epochs`, `max_train` and `max_length` override the budget's choices.
    """

    recipe: str
    data_dir: str | None = None
    data: str | None = None
    budget: str = "quick"
    max_configs: int | None = None
    seeds: int = DEFAULT_SEEDS
    seed: int = 0
    epochs: int | None = None
    max_train: int | None = None
    max_length: int | None = None
    device: str = "auto"
    threads: int | None = None
    out: str | None = None
    run: str | None = None
    reuse: tuple[str, ...] = ()  # other report folders whose finished trials of the same config are copied
    # your own files (issue 21): --data FILE's dev/test files and columns, passed to every trial
    dev: str | None = None
    test: str | None = None
    text_column: str | None = None
    label_column: str | None = None
    text_pair_column: str | None = None
    no_header: bool = False
    workers: int = 1  # trials trained at once, each in its own process; how fast, not what (not in the report)
    executor: str = "local"  # "ray": every trial a Ray task (the optional [cluster] extra); not in the report
    ray_address: str | None = None  # --ray-address: the cluster to join (None: $RAY_ADDRESS or a local instance)

    def own_files(self) -> dict[str, Any]:
        """The TrainConfig fields of --dev/--test and the column options (OWN_FILE_FIELDS)."""
        return {name: getattr(self, name) for name in OWN_FILE_FIELDS}

    @property
    def data_spec(self) -> DataSpec:
        """--data (None: each recipe's own), --data-dir, --dev, --test and the columns as one DataSpec."""
        return DataSpec.of(self)

    def column_choice(self) -> ColumnChoice:
        """What the user said about the columns of --data FILE."""
        return self.data_spec.columns

    @property
    def tiny(self) -> bool:
        """True at the tiny budget (small models, seconds, numbers at chance)."""
        return self.budget == "tiny"

    @property
    def seed_list(self) -> list[int]:
        """The seeds every configuration is trained with: seed, seed+1, ..."""
        return [self.seed + i for i in range(self.seeds)]

    def cap(self, default: int = MAX_TRIALS) -> int:
        """How many configurations a sweep may train: --max-configs, else `default`, never more than MAX_TRIALS."""
        return min(self.max_configs if self.max_configs is not None else default, MAX_TRIALS)


def stored_config(config: ExperimentConfig) -> dict[str, Any]:
    """The config as the report keeps it: every field but HOW_FIELDS (`workers`, `executor`, `ray_address`),
    which change where and how fast trials run, never their numbers (a report made with --workers 4 or on a Ray
    cluster is the report made with one process)."""
    return {k: v for k, v in asdict(config).items() if k not in HOW_FIELDS}


def validate(config: ExperimentConfig) -> ExperimentConfig:
    """Check every value a user can get wrong; raise one SeqlabError naming the option and the fix."""
    if config.budget not in BUDGETS:
        hint = (f"; to train at most {config.budget} configurations use --max-configs {config.budget}"
                if str(config.budget).isdigit() else "")
        raise SeqlabError(f"--budget must be one of {', '.join(BUDGETS)} (got {config.budget!r}){hint}")
    if config.max_configs is not None and config.max_configs < 1:
        raise SeqlabError(f"--max-configs must be at least 1 (got {config.max_configs}); try --max-configs 4")
    if not 1 <= config.workers <= MAX_WORKERS:
        raise SeqlabError(f"--workers must be between 1 and {MAX_WORKERS} (got {config.workers}); "
                          f"try --workers {max(1, min(os.cpu_count() or 1, MAX_WORKERS))}")
    if config.executor not in EXECUTORS:
        raise SeqlabError(f"--executor must be one of {', '.join(EXECUTORS)} (got {config.executor!r})")
    if config.ray_address is not None and config.executor != "ray":
        raise SeqlabError("--ray-address is for --executor ray; add --executor ray (or leave out --ray-address)")
    if config.executor == "ray" and config.workers != 1:
        raise SeqlabError("--workers is for the local executor; with --executor ray each trial asks the cluster for "
                          "--threads CPUs (default 1) and Ray runs as many at once as it has room for")
    if not 1 <= config.seeds <= 20:
        raise SeqlabError(f"--seeds must be between 1 and 20 (got {config.seeds})")

    # the recipe picks the models, so --max-length must suit any encoder (BERT on sentence pairs is the strictest)
    check_shared_options(epochs=config.epochs, seed=config.seed, last_seed=config.seed + config.seeds - 1,
                         threads=config.threads, max_length=config.max_length, encoder=None,
                         max_train=config.max_train, max_train_option="--max-train")
    if config.data_dir is not None and not Path(config.data_dir).is_dir():
        raise SeqlabError(
            f"data folder {config.data_dir} does not exist; pass --data-dir with the folder that holds "
            "imdb/, sst/, cfimdb/, rte/ (or leave it out to use the built-in corpus)"
        )
    if config.out is not None and Path(config.out).exists() and not Path(config.out).is_dir():
        raise SeqlabError(f"--out {config.out} is a file; give a folder (a new one, or an earlier run to resume)")
    if config.out is not None:
        check_folder_option(Path(config.out))  # --out report.png: a file's name, never made a folder
    if config.run is not None and not Path(config.run).is_dir():
        raise SeqlabError(f"--run {config.run} does not exist; list your runs with: seqlab runs")
    for folder in config.reuse:
        if not (Path(folder) / "trials").is_dir():
            raise SeqlabError(f"--reuse {folder} is not an experiment report folder (it has no trials/ inside); "
                              "give the --out folder of an earlier seqlab experiment run")
    return config
