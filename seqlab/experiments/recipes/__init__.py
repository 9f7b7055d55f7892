"""The named recipes: one per study in docs/DESIGN.md (RNN sweeps, BERT frozen vs fine-tuned, LM transfer,
tokenizers, bias probe)."""

from __future__ import annotations

import importlib

from seqlab.errors import SeqlabError
from seqlab.experiments.recipe import Recipe

# Modules under seqlab/experiments/recipes/ that define RECIPES, in the order `seqlab experiment list` shows them.
RECIPE_MODULES: tuple[str, ...] = ("rnn", "bert", "lm_transfer", "objectives", "tokenizers", "bias")


def all_recipes() -> list[Recipe]:
    """Every recipe, in listing order."""
    return [recipe for module in RECIPE_MODULES
            for recipe in importlib.import_module(f"seqlab.experiments.recipes.{module}").RECIPES]


def get_recipe(name: str) -> Recipe:
    """The recipe called `name`; a SeqlabError listing the known names otherwise."""
    recipes = all_recipes()
    for recipe in recipes:
        if recipe.name == name:
            return recipe
    raise SeqlabError(f"unknown recipe {name!r}; known: {', '.join(r.name for r in recipes)} "
                      "(see: seqlab experiment list)")
