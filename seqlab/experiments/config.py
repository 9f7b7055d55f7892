"""What an experiment run is asked to do: one frozen dataclass, checked before any trial starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError

MAX_TRIALS = 50  # the most configurations any recipe trains (compound scaling samples its grid down to this)


@dataclass(frozen=True)
class ExperimentConfig:
    """One recipe run: which recipe, on what data, how much compute, and where the report goes.

    `budget` caps the number of configurations a sweep trains (each one `seeds` times); `tiny` shrinks
    every recipe (small models, one epoch, a slice of the data) so it finishes in seconds on the
    built-in corpus. `epochs`, `max_train` and `max_length` override the recipe's own choices.
    """

    recipe: str
    data_dir: str | None = None
    data: str | None = None
    budget: int | None = None
    seeds: int = 1
    seed: int = 0
    epochs: int | None = None
    max_train: int | None = None
    max_length: int | None = None
    tiny: bool = False
    device: str = "auto"
    threads: int | None = None
    out: str | None = None
    run: str | None = None
    # your own files (issue 21): --data FILE's dev/test files and columns, passed to every trial
    dev: str | None = None
    test: str | None = None
    text_column: str | None = None
    label_column: str | None = None
    text_pair_column: str | None = None
    no_header: bool = False

    def own_files(self) -> dict[str, Any]:
        """The TrainConfig fields of --dev/--test and the column options."""
        return {"dev": self.dev, "test": self.test, "text_column": self.text_column,
                "label_column": self.label_column, "text_pair_column": self.text_pair_column,
                "no_header": self.no_header}

    @property
    def seed_list(self) -> list[int]:
        """The seeds every configuration is trained with: seed, seed+1, ..."""
        return [self.seed + i for i in range(self.seeds)]

    def cap(self, default: int = MAX_TRIALS) -> int:
        """How many configurations a sweep may train: --budget, else `default`, never more than MAX_TRIALS."""
        return min(self.budget if self.budget is not None else default, MAX_TRIALS)


def validate(config: ExperimentConfig) -> ExperimentConfig:
    """Check every value a user can get wrong; raise one SeqlabError naming the option and the fix."""
    if config.budget is not None and config.budget < 1:
        raise SeqlabError(f"--budget must be at least 1 trial (got {config.budget}); try --budget 8")
    if not 1 <= config.seeds <= 20:
        raise SeqlabError(f"--seeds must be between 1 and 20 (got {config.seeds})")
    if config.epochs is not None and config.epochs < 1:
        raise SeqlabError(f"--epochs must be at least 1 (got {config.epochs})")
    if config.max_train is not None and config.max_train < 1:
        raise SeqlabError(f"--max-train must be at least 1 example (got {config.max_train})")
    if config.max_length is not None and config.max_length < 4:
        raise SeqlabError(f"--max-length must be at least 4 tokens (got {config.max_length})")
    if config.threads is not None and config.threads < 1:
        raise SeqlabError(f"--threads must be at least 1 (got {config.threads})")
    if config.data_dir is not None and not Path(config.data_dir).is_dir():
        raise SeqlabError(
            f"data folder {config.data_dir} does not exist; pass --data-dir with the folder that holds "
            "imdb/, sst/, cfimdb/, rte/ (or leave it out to use the built-in corpus)"
        )
    if config.out is not None and Path(config.out).exists() and not Path(config.out).is_dir():
        raise SeqlabError(f"--out {config.out} is a file; give a folder (a new one, or an earlier run to resume)")
    if config.run is not None and not Path(config.run).is_dir():
        raise SeqlabError(f"--run {config.run} does not exist; list your runs with: seqlab runs")
    return config
