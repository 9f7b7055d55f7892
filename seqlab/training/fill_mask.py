"""Using a masked-LM run: fill in every [MASK] of a sentence with the model's most likely tokens."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from seqlab.data.encoded import MASK_SPELLING
from seqlab.data.masking import WORD_MASK, WORDPIECE_MASK, split_mask_spellings
from seqlab.errors import SeqlabError
from seqlab.training.loading import LoadedRun

@dataclass(frozen=True)
class Filler:
    """One candidate for a blank and the probability the model gives it."""

    token: str
    probability: float


@dataclass(frozen=True)
class MaskSlot:
    """One blank: its position among the encoded tokens and the top-k candidates, most likely first."""

    position: int
    fillers: tuple[Filler, ...]


@dataclass(frozen=True)
class FillMaskResult:
    """The encoded tokens, one slot per [MASK], and the text with each blank filled by its best candidate."""

    text: str
    tokens: tuple[str, ...]
    slots: tuple[MaskSlot, ...]
    filled: str


def _token_name(encoder: object, token_id: int) -> str:
    if getattr(encoder, "kind", "") == "wordpiece":
        return encoder.token(token_id)  # type: ignore[attr-defined]
    return encoder.words[token_id]  # type: ignore[attr-defined]


@torch.no_grad()
def fill_mask(loaded: LoadedRun, text: str, top_k: int = 5) -> FillMaskResult:
    """The `top_k` most likely tokens at every [MASK] (or <mask>) of `text`, with a masked-LM run."""
    if loaded.task != "mlm":
        raise SeqlabError(f"{loaded.run_dir.name} is a {loaded.task} run; filling in [MASK] needs a run trained "
                          "with --task mlm")
    if top_k < 1:
        raise SeqlabError(f"--top-k must be at least 1 (got {top_k})")
    if not MASK_SPELLING.search(text):
        raise SeqlabError('put [MASK] where the model should guess a word, e.g. "the film was [MASK] ."')
    encoder = loaded.encoder
    mask_token = WORDPIECE_MASK if encoder.kind == "wordpiece" else WORD_MASK
    encoded = encoder.encode(split_mask_spellings(text, mask_token), max_length=loaded.config.max_length)
    positions = [i for i, token_id in enumerate(encoded.ids) if token_id == encoder.mask_id]
    if not positions:
        raise SeqlabError(f"every [MASK] falls past the run's --max-length {loaded.config.max_length}; "
                          "shorten the text")
    device = next(loaded.model.parameters()).device
    input_ids = torch.tensor([encoded.ids], dtype=torch.long, device=device)
    segments = torch.tensor([encoded.segment_ids], dtype=torch.long, device=device)
    loaded.model.eval()
    logits = loaded.model(input_ids, torch.ones_like(input_ids, dtype=torch.bool), segments).logits[0].float()
    probabilities = logits[positions].softmax(-1)  # [M,V]
    best = probabilities.topk(min(top_k, probabilities.size(-1)), dim=-1)
    slots = tuple(
        MaskSlot(position, tuple(Filler(_token_name(encoder, int(i)), float(p)) for p, i in zip(values, ids)))
        for position, values, ids in zip(positions, best.values.tolist(), best.indices.tolist())
    )
    replacements = iter([slot.fillers[0].token for slot in slots])
    filled = MASK_SPELLING.sub(lambda match: next(replacements, match.group(0)), text)
    return FillMaskResult(text, tuple(encoded.tokens), slots, filled)
