"""Running a model on one input and collecting its attention probabilities, ready to draw."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from seqlab.data.wordpiece import WordPiece
from seqlab.errors import SeqlabError
from seqlab.models.transformer import CausalLM
from seqlab.training.source import Source


@dataclass(frozen=True)
class AttentionCapture:
    """What a model attended to on one input: probabilities [L, H, T, T] over `tokens`."""

    model_name: str
    tokens: tuple[str, ...]
    probabilities: np.ndarray  # float32 [L, H, T, T]; each row sums to 1
    sentence_b_start: int | None
    causal: bool
    note: str | None = None  # said when the text was cut to fit (the model's positions, or DRAWN_TOKENS)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(layers, heads, tokens)."""
        layers, heads, tokens, _ = self.probabilities.shape
        return layers, heads, tokens

    def to_dict(self) -> dict[str, Any]:
        """Tokens and per-layer/per-head probabilities as plain lists (for --json)."""
        return {
            "model": self.model_name,
            "tokens": list(self.tokens),
            "sentence_b_start": self.sentence_b_start,
            "causal": self.causal,
            "note": self.note,
            "layers": self.shape[0],
            "heads": self.shape[1],
            "attention": [
                {
                    "layer": layer,
                    "head": head,
                    "probabilities": np.round(self.probabilities[layer, head].astype(np.float64), 6).tolist(),
                }
                for layer in range(self.shape[0])
                for head in range(self.shape[1])
            ],
        }


def _sentence_b_start(segment_ids: list[int], tokens: list[str], has_pair: bool) -> int | None:
    """Index of the first token of sentence B: the first segment id 1, or the token after a word-level <sep>."""
    if not has_pair:
        return None
    if 1 in segment_ids:
        return segment_ids.index(1)
    if "<sep>" in tokens:
        return tokens.index("<sep>") + 1
    return None


def _max_positions(model: nn.Module) -> int | None:
    """How many tokens the model's position table holds (None when unlimited)."""
    for config in (getattr(model, "config", None), getattr(getattr(model, "bert", None), "config", None)):
        if config is None:
            continue
        for name in ("max_position_embeddings", "max_len"):
            if hasattr(config, name):
                return int(getattr(config, name))
    return None


# Tokens drawn at most: figures label every k-th token past 32 so their size stops growing, and MiniLM over 128
# tokens draws everything in about 18 s (was 139 s); the bertviz pages hold L x H x T x T numbers, so beyond
# 128 they pass tens of megabytes.
DRAWN_TOKENS = 128


def _token_limit(model: nn.Module) -> tuple[int, str]:
    """How many tokens attention encodes for `model`, and why: its position table, or what the figures can draw."""
    positions = _max_positions(model)
    if positions is not None and positions <= DRAWN_TOKENS:
        return positions, f"the model's {positions} positions"
    return DRAWN_TOKENS, f"the {DRAWN_TOKENS} tokens the heatmaps and pages draw in seconds"


@torch.no_grad()
def capture_attention(
    model: nn.Module,
    encoder: Any,
    text: str,
    text_b: str | None = None,
    *,
    causal: bool = False,
    model_name: str = "model",
    device: torch.device | None = None,
) -> AttentionCapture:
    """Encode `text` (and `text_b`) with `encoder`, run `model` in eval mode and keep every layer's attention."""
    if not text.strip():
        raise SeqlabError('the sentence is empty; give some text to look at, e.g. "the movie was great"')
    limit, why = _token_limit(model)
    encoded = encoder.encode(text, text_b, max_length=limit)  # cut at once: the model never sees the rest
    note = None
    if len(encoder.encode(text, text_b, max_length=limit + 1).ids) > limit:
        note = f"the text is longer than {why}: attention shows its first {limit} tokens; pass a shorter text"
    device = device or next(model.parameters()).device
    input_ids = torch.tensor([encoded.ids], device=device)
    mask = torch.ones_like(input_ids, dtype=torch.bool)
    segments = torch.tensor([encoded.segment_ids], device=device)
    model.eval()

    if isinstance(model, CausalLM):
        output = model(input_ids, mask, output_attentions=True)
    else:
        output = model(input_ids, mask, segments, output_attentions=True)
    attentions = output.attentions
    if not attentions:
        raise SeqlabError(
            f"{model_name} has no attention to show (LSTM/GRU models read tokens one by one); "
            "use a transformer, lm or bert run"
        )
    probs = torch.stack([a[0].float().cpu() for a in attentions]).numpy()  # [L,H,T,T]
    causal = causal or isinstance(model, CausalLM) or bool(getattr(model, "causal", False))
    return AttentionCapture(
        model_name,
        tuple(encoded.tokens),
        probs,
        _sentence_b_start(encoded.segment_ids, encoded.tokens, text_b is not None),
        causal,
        note,
    )


def attention_of(source: Source, text: str, text_b: str | None = None) -> AttentionCapture:
    """Attention of a Source's model on one input, encoded with its own tokenizer."""
    if source.encoder is None:
        raise SeqlabError(f"{source.name} has no tokenizer to encode text with; give its text encoder too")
    return capture_attention(source.model, source.encoder, text, text_b, model_name=source.name)


def attention_from_run(run_dir: Path, text: str, text_b: str | None = None, device: str = "cpu") -> AttentionCapture:
    """Attention of a trained run's best weights on one input."""
    return attention_of(Source.from_run(run_dir, device), text, text_b)


def pretrained_model(checkpoint: Path | None = None, device: str = "cpu") -> tuple[nn.Module, WordPiece, str]:
    """(BERT, its WordPiece, a name) of a checkpoint folder (default: the bundled MiniLM)."""
    source = Source.pretrained(checkpoint, device, require_vocab=True)
    return source.model, source.encoder, source.name


def attention_from_pretrained(
    text: str, text_b: str | None = None, checkpoint: Path | None = None, device: str = "cpu"
) -> AttentionCapture:
    """Attention of a pretrained BERT checkpoint folder (default: the bundled MiniLM) on one input."""
    return attention_of(Source.pretrained(checkpoint, device, require_vocab=True), text, text_b)


def attention_from_fresh_transformer(
    text: str, text_b: str | None = None, seed: int = 0, causal: bool = False
) -> AttentionCapture:
    """Attention of a small, untrained Transformer (random weights from `seed`) with the default WordPiece."""
    return attention_of(Source.fresh(seed, causal=causal), text, text_b)
