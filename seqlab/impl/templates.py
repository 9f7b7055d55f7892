"""Writing a starter file for a kind: its signature, a docstring with shapes, and `raise NotImplementedError`."""

from __future__ import annotations

from pathlib import Path

from seqlab.errors import SeqlabError
from seqlab.impl.kinds import get_kind
from seqlab.io import atomic_create_text

DEFAULT_NAMES = {"attention": "attention.py", "multihead": "multihead.py", "layernorm": "layernorm.py",
                 "add-norm": "add_norm.py",
                 "causal-mask": "causal_mask.py", "positions": "positions.py", "lm-loss": "lm_loss.py", "lstm-cell": "lstm_cell.py",
                 "gru-cell": "gru_cell.py",
                 "lstm": "lstm_layer.py", "gru": "gru_layer.py",
                 "encoder-block": "encoder_block.py", "classifier-head": "classifier_head.py"}

# The NAME each starter defines.
ENTRY_NAMES = {"attention": "attention", "multihead": "MultiHeadSelfAttention", "layernorm": "LayerNorm",
               "add-norm": "AddNorm",
               "causal-mask": "causal_mask", "positions": "positional_encoding", "lm-loss": "lm_loss", "lstm-cell": "LSTMCell",
               "gru-cell": "GRUCell", "lstm": "LSTM", "gru": "GRU",
               "encoder-block": "EncoderBlock", "classifier-head": "ClassifierHead"}


def template_text(kind: str) -> str:
    """The starter file's text for `kind`."""
    return get_kind(kind).template


def write_template(kind: str, out: Path | None = None) -> Path:
    """Write the starter for `kind` to `out` (default: a file named after the kind in the current folder); never
    overwrites an existing file (SeqlabError instead)."""
    text = template_text(kind)
    path = Path(out) if out is not None else Path(DEFAULT_NAMES[kind])
    try:
        atomic_create_text(path, text.replace("THIS_FILE", path.stem))
    except FileExistsError:
        raise SeqlabError(f"{path} exists; seqlab never overwrites it: pick another name with --out") from None
    return path
