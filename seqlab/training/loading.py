"""Rebuilding a trained model from its run directory (config.json + encoder/ + weights), ready to use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from seqlab.data.encoders import load_encoder
from seqlab.device import resolve_device
from seqlab.models.factory import build_model
from seqlab.training.checkpoint import load_weights
from seqlab.training.config import TrainConfig
from seqlab.training.runs import BEST_WEIGHTS, ENCODER_DIR, read_run_info


@dataclass
class LoadedRun:
    """A trained model rebuilt from its run directory, ready for evaluation or prediction."""

    model: nn.Module
    encoder: Any  # seqlab.data.encoded.TextEncoder
    labels: tuple[str, ...]
    config: TrainConfig
    run_dir: Path
    spec: dict[str, Any]
    task: str
    is_pair: bool = False


def load_run(path: Path, device: str = "cpu", weights: str = BEST_WEIGHTS) -> LoadedRun:
    """Rebuild the model of a run from config.json + encoder/ and load its best weights (eval mode)."""
    run_dir = Path(path)
    info = read_run_info(run_dir)
    encoder = load_encoder(run_dir / ENCODER_DIR)
    model = build_model(info.spec, info.task, encoder.vocab_size, len(info.labels), encoder.pad_id,
                        load_weights=False)
    target = resolve_device(device)
    load_weights(model, run_dir / weights, device="cpu")
    model.to(target).eval()
    return LoadedRun(model, encoder, info.labels, info.config, run_dir, info.spec, info.task, info.is_pair)
