"""The course's studies as named recipes, run as resumable trials into a report folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.recipe import Recipe
from seqlab.experiments.recipes import all_recipes
from seqlab.experiments.runner import ExperimentResult, run_experiment
from seqlab.io import to_jsonable
from seqlab.lab.display import Display


@dataclass(frozen=True)
class RecipesReport(Display):
    """Every recipe, in the order `seqlab experiment list` shows them."""

    recipes: list[Recipe]

    def to_json(self) -> list[dict[str, Any]]:
        """What `seqlab experiment list --json` prints."""
        return to_jsonable([{"name": r.name, "study": r.study, "description": r.description} for r in self.recipes])


@dataclass(frozen=True)
class ExperimentReport(Display):
    """The config run and how it went: trials trained or found done, the summary, the report's files."""

    config: ExperimentConfig
    result: ExperimentResult

    def to_json(self) -> dict[str, Any]:
        """What `seqlab experiment run --json` prints."""
        result = self.result
        return to_jsonable({
            "recipe": result.recipe, "out_dir": result.out_dir, "trials": result.trials,
            "trained": result.trained, "skipped": result.skipped, "seconds": result.seconds,
            "readme": result.readme, "results": result.results, "command": result.command,
            "estimated_seconds": result.estimated_seconds, "estimated_low_seconds": result.estimated_low_seconds,
            "estimated_high_seconds": result.estimated_high_seconds, "budget": self.config.budget,
            "tables": result.summary.tables, "figures": result.summary.figures, "notes": result.summary.notes,
        })


def recipes() -> RecipesReport:
    """Every recipe: its name, study and what it compares."""
    return RecipesReport(all_recipes())


def run(request: ExperimentConfig, console: Console | None = None) -> ExperimentReport:
    """Run the recipe the request names (only the trials not already done in its folder), then its report;
    `console` shows the estimate and progress."""
    return ExperimentReport(request, run_experiment(request, console=console))
