"""A pretrained BERT checkpoint folder as one thing: its config, weights, WordPiece vocabulary and lower-casing.

Every command that reads a checkpoint (train --model bert-pretrained, attention --checkpoint, check
--pretrained) gets its folder, its model and its tokenizer here, so a cased checkpoint (tokenizer_config.json
with "do_lower_case": false) is tokenized the same way by all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from seqlab.data.wordpiece import VOCAB_FILE, WordPiece
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.bert_loading import load_bert, read_bert_config
from seqlab.paths import pretrained_bert_dir

TOKENIZER_CONFIG = "tokenizer_config.json"


@dataclass(frozen=True)
class Checkpoint:
    """A Hugging Face BERT folder: config.json, model.safetensors (or pytorch_model.bin), vocab.txt and, when the
    tokenizer keeps case, tokenizer_config.json."""

    directory: Path

    @classmethod
    def at(cls, folder: Path | str | None = None) -> Checkpoint:
        """The checkpoint in `folder`, or the bundled MiniLM when None (SeqlabError when it is not installed)."""
        return cls(Path(folder) if folder else pretrained_bert_dir())

    @property
    def vocab_path(self) -> Path:
        """The WordPiece vocabulary file, vocab.txt."""
        return self.directory / VOCAB_FILE

    @property
    def has_vocab(self) -> bool:
        """True when the folder holds a vocab.txt."""
        return self.vocab_path.is_file()

    @property
    def lowercase(self) -> bool:
        """Whether the tokenizer lower-cases (tokenizer_config.json's do_lower_case; uncased when absent)."""
        try:
            values = json.loads((self.directory / TOKENIZER_CONFIG).read_text(encoding="utf-8"))
            return bool(values.get("do_lower_case", True))
        except (OSError, json.JSONDecodeError, AttributeError):
            return True

    def config(self) -> BertConfig:
        """The model's shape from config.json (SeqlabError when missing or unreadable)."""
        return read_bert_config(self.directory)

    def load_model(self) -> BertModel:
        """The BertModel with the checkpoint's weights, in eval mode on the CPU."""
        return load_bert(self.directory)

    def encoder(self) -> WordPiece:
        """The checkpoint's WordPiece tokenizer: its vocab.txt, lower-casing as the checkpoint says."""
        return WordPiece.from_vocab(self.vocab_path, lowercase=self.lowercase)
