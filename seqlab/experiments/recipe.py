"""The shape of a recipe: a plan of trials, and a summary (tables, figures, notes) made from their records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.trials import Trial


@dataclass(frozen=True)
class ResultTable:
    """A table of the report: shown with rich in the terminal and as markdown in README.md."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Plan:
    """What a recipe will do: its trials in order, the datasets they read, and notes for the reader."""

    trials: list[Trial]
    datasets: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """What a recipe concludes from its finished trials; `figures` are file names inside the report folder."""

    tables: list[ResultTable]
    figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipe:
    """A named study: `plan` lists the trials, `summarize` turns their records into a report."""

    name: str
    study: str
    description: str
    plan: Callable[[ExperimentConfig], Plan]
    summarize: Callable[[ExperimentConfig, list[dict[str, Any]], Path], Summary]
