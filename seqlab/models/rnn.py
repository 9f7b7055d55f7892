"""LSTM and GRU sentence classifiers that read each text's state after its own last real token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from seqlab.errors import SeqlabError
from seqlab.models._checks import (
    require_bools,
    require_labels,
    require_pad_id,
    require_positive_ints,
    require_probabilities,
)
from seqlab.models.outputs import ClassifierOutput

CELLS = ("lstm", "gru")


@dataclass(frozen=True)
class RNNConfig:
    """Shape of a recurrent classifier: cell type, embedding and hidden sizes, depth, direction, dropout."""

    cell: Literal["lstm", "gru"]
    vocab_size: int
    embed_dim: int = 64
    hidden_size: int = 64
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.1
    pad_id: int = 0

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise SeqlabError(f"unknown recurrent cell {self.cell!r}; use 'lstm' or 'gru'")
        require_positive_ints(self, "vocab_size", "embed_dim", "hidden_size", "num_layers")
        require_probabilities(self, "dropout")
        require_bools(self, "bidirectional")
        require_pad_id(self.pad_id, self.vocab_size)


class RNNClassifier(nn.Module):
    """Embed tokens, run an LSTM/GRU, classify from the state after each text's own last real token.

    Bidirectional models, and every model on CUDA, pack the sequences (pack_padded_sequence), so
    padding never enters the recurrence; bidirectional models concatenate the last layer's forward
    and backward final states. One direction on the CPU runs the padded batch and reads the output
    at each text's last real step: the same state (the padding comes after it), several times faster.
    """

    def __init__(self, config: RNNConfig, num_labels: int) -> None:
        super().__init__()
        require_labels(num_labels)
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=config.pad_id)
        recurrent = nn.LSTM if config.cell == "lstm" else nn.GRU
        self.rnn = recurrent(
            input_size=config.embed_dim,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            batch_first=True,
            bidirectional=config.bidirectional,
            dropout=config.dropout if config.num_layers > 1 else 0.0,  # between layers only
        )
        self.dropout = nn.Dropout(config.dropout)
        directions = 2 if config.bidirectional else 1
        self.head = nn.Linear(config.hidden_size * directions, num_labels)

    def _packed_final_state(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The last layer's final hidden state, read through a PackedSequence (both directions when bidirectional)."""
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        final = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n); h_n [L*dirs,B,H]
        if self.config.bidirectional:
            return torch.cat([final[-2], final[-1]], dim=-1)  # last layer, forward and backward [B,2H]
        return final[-1]  # [B,H]

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
    ) -> ClassifierOutput:
        """input_ids [B,T] -> logits [B,C]; segment_ids are ignored and there are no attentions."""
        if attention_mask is None:
            lengths = torch.full((input_ids.size(0),), input_ids.size(1), dtype=torch.long)
        else:
            # an empty sequence still gets one step (its pad embedding is zero) so packing works
            lengths = attention_mask.long().sum(dim=1).clamp(min=1).cpu()
        embedded = self.dropout(self.embedding(input_ids))  # [B,T,E]
        if self.config.bidirectional or embedded.is_cuda:
            sentence = self._packed_final_state(embedded, lengths)
        else:
            sentence = self._padded_final_state(embedded, lengths)
        return ClassifierOutput(logits=self.head(self.dropout(sentence)), attentions=None)

    def _padded_final_state(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """One direction over a right-padded batch: the output at each text's last real step [B,H].

        That output is exactly the packed final state (the padding comes after it in time), and on CPU
        running the padded batch is several times faster than packing (bench/rnn_throughput.py).
        """
        if self.config.bidirectional:
            raise ValueError("the padded path reads the last real step, which is only right for one direction")
        outputs, _ = self.rnn(embedded)  # [B,T,H]
        last = (lengths.to(outputs.device) - 1).view(-1, 1, 1).expand(-1, 1, outputs.size(-1))
        return outputs.gather(1, last).squeeze(1)  # [B,H]
