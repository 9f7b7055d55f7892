"""--init-from: start a classifier from the body of a pretrained run (a causal LM or a masked LM)."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from seqlab.models import mlm
from seqlab.models.transformer import transfer_lm_body
from seqlab.training.loading import load_run


def init_from_run(run_dir: Path, model: nn.Module) -> nn.Module:
    """Copy the body of the language model saved in `run_dir` into `model` (same family and shape); returns it."""
    source = load_run(Path(run_dir)).model
    if isinstance(source, mlm.MaskedLM):
        return mlm.transfer_mlm_body(source, model)
    return transfer_lm_body(source, model)
