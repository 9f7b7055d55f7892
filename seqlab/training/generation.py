"""Writing with a causal LM run: logits -> temperature -> top-k -> top-p -> sample, one token at a time.

Each stage is a small function on a logits vector [V] so it can be tested against a hand computation:
`apply_temperature`, `top_k_filter`, `top_p_filter`, then `sampling_distribution` puts them together and
`pick_token` draws from it with a seeded `torch.Generator` (never the global RNG). Temperature 0 is greedy:
the most likely token, always. `generate` runs the loop on a loaded run and keeps, for every step, the top
candidates under the model (t = 1) and under the settings that chose the token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from seqlab.errors import SeqlabError
from seqlab.models.transformer import CausalLM
from seqlab.training.loading import LoadedRun

P_SLACK = 1e-9  # rounding room: mass that reaches p up to float error counts as reaching it
REMOVED = float("-inf")  # the logit of a token a filter takes out of the draw
END_TOKENS = ("[SEP]",)  # WordPiece's end of text: an LM trained on "[CLS] text [SEP]" ends a text with it
NEVER_WRITTEN = ("[PAD]", "[CLS]", "[MASK]", "<pad>", "<cls>", "<mask>")  # never a next token in training text


@dataclass(frozen=True)
class GenerationConfig:
    """How to continue a prompt: greedy when temperature is 0, else seeded sampling after top-k and top-p.

    `top_k` None or 0 keeps every token; `top_p` 1.0 keeps every token; `show` is how many candidates each
    step keeps for display; `stop_at` ends the text after one of its tokens is written.
    """

    max_new_tokens: int = 20
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float = 1.0
    seed: int = 0
    show: int = 5
    stop_at: tuple[str, ...] = ()  # tokens after which writing stops (written, then stop), e.g. (".",)


def check_generation_config(config: GenerationConfig) -> None:
    """Raise one SeqlabError naming the option when a value is out of range."""
    if config.max_new_tokens < 1:
        raise SeqlabError(f"--max-new-tokens must be at least 1 (got {config.max_new_tokens})")
    if not math.isfinite(config.temperature) or config.temperature < 0:
        raise SeqlabError(f"--temperature must be 0 (greedy) or a positive number, got {config.temperature}")
    if config.top_k is not None and config.top_k < 0:
        raise SeqlabError(f"--top-k must be 0 (off) or a positive number of tokens, got {config.top_k}")
    if not (0.0 < config.top_p <= 1.0):
        raise SeqlabError(f"--top-p must be in (0, 1] (1 keeps every token), got {config.top_p}")
    if config.show < 1:
        raise SeqlabError(f"the number of candidates to show must be at least 1 (got {config.show})")


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """logits / t for t > 0 (t < 1 sharpens the softmax, t > 1 flattens it); t = 0 is handled as greedy."""
    if temperature <= 0:
        raise ValueError("temperature 0 means greedy: take the argmax instead of dividing by 0")
    return logits / temperature


def top_k_filter(logits: torch.Tensor, k: int | None) -> torch.Tensor:
    """Keep the k largest logits of [V] and set the rest to -inf; k None/0 (or >= V) keeps all.

    Ties at the k-th value are all kept, so the result never depends on how a sort orders equal values.
    """
    if not k or k >= logits.size(-1):
        return logits
    kth = torch.topk(logits, k).values[-1]
    return logits.masked_fill(logits < kth, REMOVED)


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus filter: keep the most likely tokens whose probabilities first add up to at least p, drop the rest.

    The token that crosses p is kept (so the most likely token always survives); p = 1 keeps all.
    """
    if p >= 1.0:
        return logits
    probs = logits.softmax(-1)
    order = torch.argsort(probs, descending=True, stable=True)
    before = probs[order].cumsum(-1) - probs[order]  # mass of the tokens ranked above each one
    drop_sorted = before >= p - P_SLACK
    drop = torch.zeros_like(drop_sorted).scatter(0, order, drop_sorted)
    return logits.masked_fill(drop, REMOVED)


def sampling_distribution(logits: torch.Tensor, config: GenerationConfig) -> torch.Tensor:
    """The distribution the next token is drawn from: one-hot on the argmax at t = 0, else
    softmax(top_p(top_k(logits / t)))."""
    logits = logits.double()
    if config.temperature == 0:
        return torch.zeros_like(logits).scatter(0, logits.argmax().view(1), 1.0)
    shaped = top_p_filter(top_k_filter(apply_temperature(logits, config.temperature), config.top_k), config.top_p)
    return shaped.softmax(-1)


def pick_token(distribution: torch.Tensor, generator: torch.Generator) -> int:
    """One token id drawn from `distribution` [V] with `generator` (a one-hot distribution always gives its token)."""
    return int(torch.multinomial(distribution.float().cpu(), 1, generator=generator))


@dataclass(frozen=True)
class Candidate:
    """One possible next token: its probability under the model (t = 1) and under the settings used."""

    token: str
    model_probability: float  # softmax(logits) over the tokens a text may continue with: the model at t = 1
    tempered_probability: float  # softmax(logits / t): temperature alone (one-hot on the argmax at t = 0)
    probability: float  # what the token is drawn with, after top-k and top-p too

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for --json)."""
        return {"token": self.token, "model_probability": self.model_probability,
                "tempered_probability": self.tempered_probability, "probability": self.probability}


@dataclass(frozen=True)
class GenerationStep:
    """One written token: its text, its probability under the settings, and the top candidates of the step."""

    position: int
    token: str
    token_id: int
    probability: float
    model_probability: float
    tempered_probability: float
    candidates: tuple[Candidate, ...]
    kept: int  # how many tokens the settings left in the draw

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for --json)."""
        return {"position": self.position, "token": self.token, "token_id": self.token_id,
                "probability": self.probability, "model_probability": self.model_probability,
                "tempered_probability": self.tempered_probability,
                "kept": self.kept, "candidates": [c.to_dict() for c in self.candidates]}


@dataclass(frozen=True)
class Generation:
    """A prompt, what the LM wrote after it, every step's candidates, and why it stopped."""

    prompt: str
    prompt_tokens: tuple[str, ...]
    text: str  # prompt and continuation, decoded
    continuation: str
    steps: tuple[GenerationStep, ...]
    stopped: str  # "max-new-tokens" | "context" | "end" | "stop-at"
    note: str
    context_length: int
    config: GenerationConfig

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for --json)."""
        c = self.config
        return {"prompt": self.prompt, "prompt_tokens": list(self.prompt_tokens), "text": self.text,
                "continuation": self.continuation, "tokens": [s.token for s in self.steps],
                "stopped": self.stopped, "note": self.note, "context_length": self.context_length,
                "settings": {"max_new_tokens": c.max_new_tokens, "temperature": c.temperature,
                             "top_k": c.top_k, "top_p": c.top_p, "seed": c.seed, "stop_at": list(c.stop_at),
                             "mode": "greedy" if c.temperature == 0 else "sampling"},
                "steps": [s.to_dict() for s in self.steps]}


def require_causal_lm(loaded: LoadedRun) -> CausalLM:
    """The run's CausalLM; one SeqlabError for a classifier or masked-LM run."""
    if loaded.task == "lm" and isinstance(loaded.model, CausalLM):
        return loaded.model
    kind = {"mlm": "a masked-LM run (it fills in [MASK]; try: seqlab predict RUN \"a [MASK] film\")",
            "classify": "a classifier run (it predicts a label; try: seqlab predict RUN \"text\")"}
    raise SeqlabError(f"{loaded.run_dir.name} is {kind.get(loaded.task, f'a {loaded.task} run')}; generate needs a "
                      "causal LM run: seqlab train --model lm --task lm")


def context_length(loaded: LoadedRun, model: CausalLM) -> int:
    """How many tokens the LM reads at once: the run's --max-length, within its position table."""
    return min(int(loaded.config.max_length), int(model.config.max_len))


def _token_text(encoder: Any, token_id: int) -> str:
    """The vocabulary entry of `token_id` (a word, or a WordPiece piece)."""
    if getattr(encoder, "kind", "") == "wordpiece":
        return encoder.token(token_id)
    return encoder.words[token_id]


def _prompt_ids(encoder: Any, prompt: str, limit: int) -> tuple[list[int], list[str]]:
    """The prompt's ids as the LM saw text in training, without an end token: WordPiece's final [SEP] goes."""
    encoded = encoder.encode(prompt)
    ids, tokens = list(encoded.ids), list(encoded.tokens)
    if tokens and tokens[-1] in END_TOKENS:
        ids, tokens = ids[:-1], tokens[:-1]
    if not [t for t in tokens if t not in NEVER_WRITTEN]:
        raise SeqlabError('the prompt is empty after tokenizing; give the LM some words to continue, e.g. "the film"')
    if len(ids) >= limit:
        raise SeqlabError(f"the prompt is {len(ids)} tokens but the LM reads at most {limit} (its --max-length); "
                          "shorten the prompt")
    return ids, tokens


def banned_ids(encoder: Any) -> list[int]:
    """Ids the LM must never write: padding and the markers that only ever start a text or stand for a blank."""
    if getattr(encoder, "kind", "") == "wordpiece":
        return [encoder.vocab[name] for name in NEVER_WRITTEN if name in encoder.vocab]
    specials = encoder.words[:8]  # a word vocabulary puts its specials first
    return [i for i, name in enumerate(specials) if name in NEVER_WRITTEN]


@torch.no_grad()
def next_token_logits(model: CausalLM, ids: list[int]) -> torch.Tensor:
    """The LM's logits [V] for the token after `ids` (float32, on the CPU)."""
    device = next(model.parameters()).device
    input_ids = torch.tensor([ids], dtype=torch.long, device=device)
    return model(input_ids, torch.ones_like(input_ids, dtype=torch.bool)).logits[0, -1].float().cpu()


@dataclass(frozen=True)
class Draw:
    """One step of the loop: the token drawn, the model's distribution over what may come next (t = 1), the
    temperature alone, and the distribution the token was drawn from."""

    token_id: int
    model: torch.Tensor  # [V] float64
    tempered: torch.Tensor  # [V]
    drawn: torch.Tensor  # [V]


def draw_next(model: CausalLM, ids: list[int], config: GenerationConfig, generator: torch.Generator,
              banned: list[int] | tuple[int, ...] = ()) -> Draw:
    """The next token after `ids`: logits -> (no `banned` ids) -> temperature -> top-k -> top-p -> draw."""
    logits = next_token_logits(model, ids)
    logits[list(banned)] = REMOVED
    distribution = sampling_distribution(logits, config)
    tempered = sampling_distribution(logits, GenerationConfig(temperature=config.temperature))
    return Draw(pick_token(distribution, generator), logits.double().softmax(-1), tempered, distribution)


def generate(loaded: LoadedRun, prompt: str, config: GenerationConfig) -> Generation:
    """Continue `prompt` with a causal LM run: up to `max_new_tokens`, stopping early at the context length or
    at WordPiece's end of text ([SEP])."""
    check_generation_config(config)
    model = require_causal_lm(loaded)
    model.eval()
    encoder = loaded.encoder
    limit = context_length(loaded, model)
    ids, prompt_tokens = _prompt_ids(encoder, prompt, limit)
    banned = banned_ids(encoder)
    generator = torch.Generator(device="cpu").manual_seed(int(config.seed))
    steps: list[GenerationStep] = []
    written: list[int] = []
    stopped, note = "max-new-tokens", f"wrote {config.max_new_tokens} tokens (--max-new-tokens)"
    while len(written) < config.max_new_tokens:
        if len(ids) >= limit:
            stopped = "context"
            note = (f"stopped at the context length: {limit} tokens (the run's --max-length), "
                    f"after {len(written)} new tokens")
            break
        draw = draw_next(model, ids, config, generator, banned)
        token_id = draw.token_id
        top = torch.topk(draw.model, min(config.show, draw.model.numel()))
        candidates = tuple(Candidate(_token_text(encoder, int(i)), float(p), float(draw.tempered[int(i)]),
                                     float(draw.drawn[int(i)]))
                           for p, i in zip(top.values, top.indices))
        steps.append(GenerationStep(len(ids), _token_text(encoder, token_id), token_id,
                                    float(draw.drawn[token_id]), float(draw.model[token_id]),
                                    float(draw.tempered[token_id]), candidates,
                                    int((draw.drawn > 0).sum())))
        if _token_text(encoder, token_id) in END_TOKENS:
            stopped, note = "end", f"the LM ended the text ({_token_text(encoder, token_id)}) after {len(written)} tokens"
            break
        ids.append(token_id)
        written.append(token_id)
        if _token_text(encoder, token_id) in config.stop_at:
            stopped = "stop-at"
            note = f"stopped after '{_token_text(encoder, token_id)}' (--stop-at), {len(written)} new tokens"
            break
    return Generation(prompt, tuple(prompt_tokens), encoder.decode(ids), encoder.decode(written), tuple(steps),
                      stopped, note, limit, config)
