"""BERT's masking rule for masked language modelling (Devlin et al. 2019, section 3.1 and appendix A.1).

Each ordinary token is *chosen* with probability 15% (special tokens and padding never are). A chosen
token is replaced by [MASK] 80% of the time, by a random token 10% of the time, and left unchanged 10%
of the time; the model must predict the original token at every chosen position and nowhere else
(labels are -100 elsewhere, the index cross-entropy ignores).

Choosing is a coin flip per token (as Hugging Face's DataCollatorForLanguageModeling does), so the
expected fraction is exactly 15%; Google's script instead picks round(15% x length) tokens per sequence.
Random replacements are drawn uniformly from the ordinary (non-special) vocabulary; the paper draws from
the whole vocabulary, which differs only in the handful of special ids. Whole-word masking chooses words
rather than pieces: the coin is flipped once per word and all its ## pieces follow it; the
80/10/10 replacement is still decided per piece, as in Google's whole-word release.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import torch

from seqlab.data.encoded import MASK_SPELLING
from seqlab.data.wordpiece import SPECIAL_TOKENS
from seqlab.errors import SeqlabError

IGNORE_INDEX = -100  # the label of every position the loss must skip (torch's cross_entropy default)
WORDPIECE_MASK = "[MASK]"
WORD_MASK = "<mask>"
MASK_SPELLINGS: tuple[str, ...] = (WORDPIECE_MASK, WORD_MASK)


@dataclass(frozen=True)
class MaskingRule:
    """The published numbers: choose 15% of tokens; of those, 80% [MASK], 10% random, 10% unchanged."""

    probability: float = 0.15
    mask_fraction: float = 0.8
    random_fraction: float = 0.1
    whole_word: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.probability < 1.0:
            raise SeqlabError(f"the masking probability must be in (0, 1), got {self.probability}")
        if self.mask_fraction < 0 or self.random_fraction < 0 or self.mask_fraction + self.random_fraction > 1:
            raise SeqlabError("the [MASK] and random fractions must be >= 0 and add up to at most 1")

    @property
    def keep_fraction(self) -> float:
        """Share of chosen tokens left as they are (10%)."""
        return 1.0 - self.mask_fraction - self.random_fraction


@dataclass(frozen=True)
class MaskVocab:
    """What masking needs to know about a vocabulary: the [MASK] id, the ids never chosen, the ## pieces."""

    mask_id: int
    vocab_size: int
    special_ids: tuple[int, ...]
    continuation_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, encoder: Any) -> "MaskVocab":
        """The mask vocabulary of a TextEncoder (WordPiece or a word Vocab built with a mask token)."""
        mask_id = getattr(encoder, "mask_id", None)
        if mask_id is None:
            raise SeqlabError(
                "this text encoder has no mask token; masked language modelling needs one "
                "(train a new run with --task mlm, which builds it)"
            )
        if encoder.kind == "wordpiece":
            specials = [encoder.vocab[t] for t in SPECIAL_TOKENS if t in encoder.vocab]
            continuation = [i for t, i in encoder.vocab.items() if t.startswith("##")]
        else:
            specials = list(range(encoder.special_count))
            continuation = []
        return cls(int(mask_id), int(encoder.vocab_size), tuple(sorted(set(specials))), tuple(continuation))

    @cached_property
    def ordinary_ids(self) -> torch.Tensor:
        """Ids a random replacement may take: every id that is not special [N] long (built once per vocabulary)."""
        keep = torch.ones(self.vocab_size, dtype=torch.bool)
        keep[list(self.special_ids)] = False
        return keep.nonzero().squeeze(1)

    @cached_property
    def special_tensor(self) -> torch.Tensor:
        """`special_ids` as a tensor, for `torch.isin` (built once, not at every batch)."""
        return torch.tensor(self.special_ids, dtype=torch.long)

    @cached_property
    def continuation_tensor(self) -> torch.Tensor:
        """`continuation_ids` (the ## pieces) as a tensor, for `torch.isin` (built once)."""
        return torch.tensor(self.continuation_ids, dtype=torch.long)


@dataclass(frozen=True)
class MaskedBatch:
    """A batch after masking: the model's input, the labels, and which rule each position fell under."""

    input_ids: torch.Tensor  # [B,T] what the model reads
    labels: torch.Tensor  # [B,T] the original id at chosen positions, IGNORE_INDEX elsewhere
    chosen: torch.Tensor  # [B,T] bool: the model must predict these
    masked: torch.Tensor  # [B,T] bool: chosen and replaced by [MASK]
    randomized: torch.Tensor  # [B,T] bool: chosen and replaced by a random token
    candidates: torch.Tensor  # [B,T] bool: positions that could be chosen (real, not special)


def _word_starts(input_ids: torch.Tensor, continuation: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """For each position, the index of the first piece of its word [B,T]: a ## piece belongs to the word
    before it (unless that is a special token or padding: then it starts a word of its own)."""
    is_continuation = torch.isin(input_ids, continuation)
    is_continuation[:, 0] = False
    is_continuation[:, 1:] &= candidates[:, :-1]
    index = torch.arange(input_ids.size(1), device=input_ids.device).expand_as(input_ids)
    return torch.cummax(torch.where(is_continuation, torch.zeros_like(index), index), dim=1).values


def mask_tokens(
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    vocab: MaskVocab,
    rule: MaskingRule = MaskingRule(),
    generator: torch.Generator | None = None,
) -> MaskedBatch:
    """Apply BERT's masking rule to a batch of ids [B,T] (attention_mask True = real token).

    Draws come from `generator` (a CPU generator), or torch's global CPU RNG when None, so a run that
    saves and restores the RNG state resumes with the same masks.
    """
    device = input_ids.device
    ids = input_ids.cpu()
    real = attention_mask.cpu().to(torch.bool)
    candidates = real & ~torch.isin(ids, vocab.special_tensor.to(ids.dtype))
    choose_draw = torch.rand(ids.shape, generator=generator)
    kind_draw = torch.rand(ids.shape, generator=generator)
    ordinary = vocab.ordinary_ids
    random_ids = ordinary[torch.randint(len(ordinary), ids.shape, generator=generator)]
    if rule.whole_word and vocab.continuation_ids:
        starts = _word_starts(ids, vocab.continuation_tensor.to(ids.dtype), candidates)
        choose_draw = choose_draw.gather(1, starts)  # every piece follows its word's first piece
    chosen = candidates & (choose_draw < rule.probability)
    masked = chosen & (kind_draw < rule.mask_fraction)
    randomized = chosen & ~masked & (kind_draw < rule.mask_fraction + rule.random_fraction)
    inputs = torch.where(masked, torch.full_like(ids, vocab.mask_id), ids)
    inputs = torch.where(randomized, random_ids, inputs)
    labels = ids.masked_fill(~chosen, IGNORE_INDEX)
    return MaskedBatch(*(t.to(device) for t in (inputs, labels, chosen, masked, randomized, candidates)))


def split_mask_spellings(text: str, mask_token: str) -> str:
    """`text` with every spelling of the mask ([MASK] or <mask>, any case) written as `mask_token`."""
    return MASK_SPELLING.sub(mask_token, text)
