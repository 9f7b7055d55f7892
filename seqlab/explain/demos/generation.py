"""The worked example of `seqlab explain sampling`: a tiny causal LM trained live (seeded, about a second on one
CPU core) on a few sentences, then its next-token distribution after a prompt under temperature, top-k and top-p,
and what greedy decoding and seeded sampling write with it (seqlab.training.generation, as `seqlab generate`)."""

from __future__ import annotations

from functools import lru_cache

import torch

from seqlab.data.vocab import Vocab
from seqlab.explain.demos.numbers import fmt, generator, round_list
from seqlab.explain.topic import DemoResult
from seqlab.models.transformer import CausalLM, TransformerConfig
from seqlab.training.generation import GenerationConfig, banned_ids, draw_next, top_k_filter, top_p_filter
from seqlab.training.tasks import next_token_loss

CORPUS: tuple[str, ...] = (
    "the film was great fun .",
    "the film was great .",
    "the film was very good .",
    "the film was not good .",
    "the film was a bit slow .",
    "the film was great but long .",
    "the acting was very good .",
    "the story was not bad .",
    "the plot was a bit slow .",
    "the music was great fun .",
)
PROMPT = "the film was"
TRAIN_STEPS = 150
TEMPERATURES = (0.5, 1.0, 2.0)
TOP_K, TOP_P = 3, 0.9
SHOWN = 6  # next tokens in the table
WRITE = 5  # tokens each continuation writes


@lru_cache(maxsize=4)
def tiny_lm(seed: int) -> tuple[CausalLM, Vocab]:
    """A one-layer causal LM trained on CORPUS for TRAIN_STEPS full-batch Adam steps; the same seed gives the same
    weights, and the global RNG is left as it was (the model is built inside torch.random.fork_rng)."""
    vocab = Vocab.build(CORPUS, min_freq=1)
    encoded = [vocab.encode(text).ids for text in CORPUS]
    length = max(len(ids) for ids in encoded)
    input_ids = torch.tensor([ids + [vocab.pad_id] * (length - len(ids)) for ids in encoded])
    mask = input_ids != vocab.pad_id
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        config = TransformerConfig(vocab_size=vocab.vocab_size, d_model=32, n_heads=2, n_layers=1, d_ff=64,
                                   max_len=16, dropout=0.0, pad_id=vocab.pad_id)
        model = CausalLM(config)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(TRAIN_STEPS):
            loss, _ = next_token_loss(model(input_ids, mask).logits, input_ids, mask)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model, vocab


def _write(model: CausalLM, vocab: Vocab, config: GenerationConfig) -> str:
    """PROMPT continued by WRITE tokens under `config` (a generator seeded by config.seed)."""
    ids = vocab.encode(PROMPT).ids
    draws = generator(config.seed)
    for _ in range(WRITE):
        ids.append(draw_next(model, ids, config, draws, banned_ids(vocab)).token_id)
    return vocab.decode(ids)


def sampling_demo(seed: int) -> DemoResult:
    """The next-token distribution of a tiny trained LM after "the film was" at three temperatures, what top-k and
    top-p keep of it, and what greedy decoding and three seeded samples write."""
    model, vocab = tiny_lm(seed)
    logits = torch.tensor(0.0)
    with torch.no_grad():
        ids = torch.tensor([vocab.encode(PROMPT).ids])
        logits = model(ids, torch.ones_like(ids, dtype=torch.bool)).logits[0, -1].double()
    logits[banned_ids(vocab)] = float("-inf")
    by_t = {t: (logits / t).softmax(-1) for t in TEMPERATURES}
    kept_k = top_k_filter(logits, TOP_K).softmax(-1)
    kept_p = top_p_filter(logits, TOP_P).softmax(-1)
    order = torch.argsort(by_t[1.0], descending=True)[:SHOWN].tolist()
    rows = tuple(
        (vocab.words[i], *(fmt(float(by_t[t][i])) for t in TEMPERATURES),
         fmt(float(kept_k[i])) if kept_k[i] > 0 else "cut", fmt(float(kept_p[i])) if kept_p[i] > 0 else "cut")
        for i in order
    )
    greedy = _write(model, vocab, GenerationConfig(temperature=0.0))
    samples = [_write(model, vocab, GenerationConfig(temperature=1.0, seed=seed + n)) for n in range(3)]
    hot = [_write(model, vocab, GenerationConfig(temperature=2.0, seed=seed + 3 + n)) for n in range(2)]
    nucleus = int((kept_p > 0).sum())
    return DemoResult(
        title=f'a tiny LM trained just now ({len(CORPUS)} sentences, seed {seed}): what comes after "{PROMPT}"?',
        columns=("next token", *(f"p at t={t:g}" for t in TEMPERATURES), f"top-k {TOP_K}", f"top-p {TOP_P:g}"),
        rows=rows,
        notes=(
            f"greedy (t = 0), the same every time: {greedy}",
            *(f"t = 1, seed {seed + n}: {text}" for n, text in enumerate(samples)),
            *(f"t = 2, seed {seed + 3 + n}: {text}" for n, text in enumerate(hot)),
            f"t = 0.5 puts {float(by_t[0.5][order[0]]):.0%} on '{vocab.words[order[0]]}' (t = 1: "
            f"{float(by_t[1.0][order[0]]):.0%}); t = 2 flattens it to {float(by_t[2.0][order[0]]):.0%}. "
            f"Top-p {TOP_P:g} keeps {nucleus} tokens here; top-k {TOP_K} always keeps {TOP_K}.",
        ),
        values={
            "prompt": PROMPT,
            "tokens": [vocab.words[i] for i in order],
            "probabilities": {f"{t:g}": round_list(by_t[t][order]) for t in TEMPERATURES},
            "top_k": round_list(kept_k[order]),
            "top_p": round_list(kept_p[order]),
            "greedy": greedy,
            "samples_t1": samples,
            "samples_t2": hot,
        },
    )
