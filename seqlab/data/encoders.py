"""Loading a saved text encoder (word vocabulary or WordPiece) back from a run's encoder/ folder.

The protocol every encoder follows, and the Encoded result, live in seqlab.data.encoded.
"""

from __future__ import annotations

import json
from pathlib import Path

from seqlab.data.encoded import ENCODER_FILE, TextEncoder
from seqlab.data.vocab import Vocab
from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError


def load_encoder(directory: Path) -> TextEncoder:
    """Load the encoder that `TextEncoder.save` wrote into `directory`."""
    path = Path(directory) / ENCODER_FILE
    if not path.is_file():
        raise SeqlabError(f"no {ENCODER_FILE} in {directory}; point at a run's encoder/ folder")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        kind = meta["kind"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
        raise SeqlabError(f"{path} is not a valid encoder file; re-create it by training again") from None
    if kind == "word":
        return Vocab.load(directory)
    if kind == "wordpiece":
        return WordPiece.load(directory)
    raise SeqlabError(f"{path}: unknown encoder kind {kind!r}; expected 'word' or 'wordpiece'")
