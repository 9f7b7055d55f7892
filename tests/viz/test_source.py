"""One Source for the model to look at: attention and check read the same run, checkpoint and fresh model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError
from seqlab.proofs.target import target_fresh, target_from_run
from seqlab.training.loading import LoadedRun
from seqlab.training.source import Source
from seqlab.viz.attention_source import attention_from_fresh_transformer, attention_from_run, attention_of
from seqlab.viz.attention_source import capture_attention

CPU = torch.device("cpu")
TEXT = "the movie was not good at all"


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    first, second = a.state_dict(), b.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def test_fresh_is_drawn_from_its_seed() -> None:
    assert _same_weights(Source.fresh(3).model, Source.fresh(3).model)
    assert not _same_weights(Source.fresh(3).model, Source.fresh(4).model)
    assert Source.fresh(3).name == "fresh lm (seed 3)" and Source.fresh(3, causal=False).name == "fresh transformer (seed 3)"


def test_attention_and_check_look_at_the_same_fresh_model() -> None:
    checked = target_fresh(CPU, 0)
    looked = attention_from_fresh_transformer(TEXT, seed=0, causal=True)
    again = capture_attention(checked.model, WordPiece.default(), TEXT)
    np.testing.assert_array_equal(looked.probabilities, again.probabilities)
    assert checked.source == "fresh lm (random init)" and checked.batch["attention_mask"].sum() > 0


def test_a_run_is_read_once_for_attention_and_check(tiny_runs: dict[str, Path]) -> None:
    folder = tiny_runs["transformer"]
    source = Source.from_run(folder)
    assert source.name == folder.name and isinstance(source.run, LoadedRun)
    assert target_from_run(folder, CPU, 0).source == f"run {folder.name}"
    np.testing.assert_array_equal(attention_of(source, TEXT).probabilities,
                                  attention_from_run(folder, TEXT).probabilities)


def test_a_built_module_is_a_source(tiny_runs: dict[str, Path]) -> None:
    loaded = Source.from_run(tiny_runs["lm"])
    mine = Source.of_model(loaded.model, loaded.encoder, name="mine")
    capture = attention_of(mine, TEXT)
    assert capture.model_name == "mine" and capture.causal and mine.device == CPU
    with pytest.raises(SeqlabError, match="no tokenizer"):
        attention_of(Source.of_model(loaded.model), TEXT)


def test_a_checkpoint_folder_without_vocab_or_at_all_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SeqlabError, match="no vocab.txt"):
        Source.pretrained(tmp_path, require_vocab=True)
    with pytest.raises(SeqlabError, match="does not exist"):
        Source.pretrained(tmp_path / "nope")
