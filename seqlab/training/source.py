"""The model to look at: a trained run, a pretrained BERT checkpoint, a fresh model or a model already built.

`seqlab attention`, `seqlab check` and `seqlab explain` each read a model from one of these places; a `Source`
is that model with its tokenizer (a checkpoint's through `Checkpoint`, so its lower-casing is honoured), the
device it sits on and the names the outputs call it by.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from seqlab.data.wordpiece import WordPiece
from seqlab.device import resolve_device, seed_everything
from seqlab.errors import SeqlabError
from seqlab.models.checkpoint import Checkpoint
from seqlab.models.factory import build_classifier
from seqlab.models.families import default_spec
from seqlab.training.loading import LoadedRun, load_run

BUNDLED_NAME = "MiniLM-L6-H384"  # what the bundled checkpoint is called when no --checkpoint is given


@dataclass(frozen=True)
class Source:
    """A model in eval mode on `device` with its text encoder (None when it has none), a short `name` (figure
    folders, attention's "model") and a `description` (the checks' "measured on ..."); `run` is the trained run
    it came from, when it did."""

    model: nn.Module
    encoder: Any  # a seqlab.data.encoded.TextEncoder, or None
    device: torch.device
    name: str
    description: str
    run: LoadedRun | None = None

    @classmethod
    def from_run(cls, run_dir: Path | str, device: str = "cpu") -> Source:
        """A trained run's best weights and its own encoder."""
        loaded = load_run(Path(run_dir), device=device)
        name = Path(run_dir).name
        return cls(loaded.model, loaded.encoder, resolve_device(device), name, f"run {name}", loaded)

    @classmethod
    def pretrained(cls, checkpoint: Path | str | None = None, device: str = "cpu", require_vocab: bool = False) -> Source:
        """A Hugging Face BERT checkpoint folder (default: the bundled MiniLM) with its WordPiece, lower-casing as
        the checkpoint says; the encoder is None for a folder without vocab.txt (a SeqlabError with
        `require_vocab`)."""
        folder = Checkpoint.at(checkpoint)
        directory = folder.directory
        if require_vocab and not folder.has_vocab:
            raise SeqlabError(f"no vocab.txt in {directory}; pass a Hugging Face BERT checkpoint folder with --checkpoint")
        if not directory.is_dir():
            raise SeqlabError(f"checkpoint folder {directory} does not exist; pass a Hugging Face BERT folder to --checkpoint")
        target = resolve_device(device)
        model = folder.load_model().to(target).eval()
        encoder = folder.encoder() if folder.has_vocab else None
        name = BUNDLED_NAME if checkpoint is None else directory.name
        return cls(model, encoder, target, name, f"pretrained BERT {directory.parent.name}/{directory.name}")

    @classmethod
    def fresh(cls, seed: int = 0, causal: bool = True, device: str = "cpu") -> Source:
        """A small untrained Transformer classifier (family lm when `causal`, else transformer, at the family's
        default size) with random weights drawn from `seed`, and the default WordPiece."""
        encoder = WordPiece.default()
        seed_everything(seed)
        family = "lm" if causal else "transformer"
        model = build_classifier(default_spec(family), vocab_size=encoder.vocab_size, num_labels=2,
                                 pad_id=encoder.pad_id)
        target = resolve_device(device)
        name = f"fresh {family} (seed {seed})"
        return cls(model.to(target).eval(), encoder, target, name, f"fresh {family} (random init)")

    @classmethod
    def of_model(cls, model: nn.Module, encoder: Any = None, name: str = "model") -> Source:
        """A model already built (an nn.Module), on the device its parameters are on, with an optional encoder."""
        parameter = next(model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
        return cls(model.eval(), encoder, device, name, name)
