"""bertviz's head view opens on the head seqlab chose (the one the terminal and the close-up figure show), not on
layer 0 with every head drawn over each other."""

from __future__ import annotations

import json
import re

import numpy as np

from seqlab.viz.bertviz_export import bertviz_html


def _config(page: str) -> dict:
    match = re.search(r'"layer": (\d+|null), "heads": (\[[\d, ]*\]|null)', page)
    assert match, "bertviz's config not found in the page"
    return {"layer": json.loads(match.group(1)), "heads": json.loads(match.group(2))}


def _attention(layers: int = 3, heads: int = 4, n: int = 5) -> np.ndarray:
    rng = np.random.default_rng(0)
    raw = rng.random((layers, heads, n, n))
    return raw / raw.sum(-1, keepdims=True)


def test_head_view_opens_on_the_given_layer_with_only_that_head_shown():
    page = bertviz_html(_attention(), ["a", "b", "c", "d", "e"], view="head", layer=2, head=3)
    assert _config(page) == {"layer": 2, "heads": [3]}


def test_without_a_choice_it_keeps_bertviz_defaults():
    page = bertviz_html(_attention(), ["a", "b", "c", "d", "e"], view="head")
    config = _config(page)
    assert config["layer"] in (0, None) and config["heads"] in (None, [0, 1, 2, 3])


def test_seqlab_attention_writes_a_head_view_on_the_chosen_head(runner, tiny_runs, tmp_path):
    from seqlab.cli import app

    result = runner.invoke(app, ["attention", str(tiny_runs["transformer"]), "the film was not good",
                                 "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    page = open(files["head_view"], encoding="utf-8").read()
    assert _config(page) == {"layer": files["layer"], "heads": [files["head_index"]]}
    assert f"opened on layer {files['layer']}, head {files['head_index']}" in page
