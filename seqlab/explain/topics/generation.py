"""Topics about writing with a causal language model: how the next token is chosen."""

from __future__ import annotations

from seqlab.explain.topic import Topic

SAMPLING = Topic(
    id="sampling",
    title="Writing with an LM: greedy, temperature, top-k, top-p",
    summary="A causal LM writes one token at a time, each chosen from its next-token distribution.",
    idea=(
        "After each prefix a causal LM gives every token of its vocabulary a logit. Greedy decoding takes the "
        "largest one (temperature 0): the same text every time, often repetitive. Sampling draws the token from "
        "softmax(logits / t) instead: t < 1 sharpens the distribution towards the likeliest tokens, t > 1 "
        "flattens it. Top-k keeps only the k likeliest tokens before the draw, top-p (nucleus) keeps the fewest "
        "likeliest tokens whose probabilities add up to at least p; both renormalise what they keep, and both cut "
        "the long tail of unlikely tokens that makes samples drift. The written token is appended and the loop "
        "repeats, until a length limit, the context length, or an end-of-text token. A seeded generator makes a "
        "sample repeatable."
    ),
    formula=(
        "greedy:  xₜ = argmaxᵢ zᵢ\n"
        "sample:  xₜ ~ softmax(z / t) restricted to K, renormalised\n"
        "top-k:  K = the k largest zᵢ\n"
        "top-p:  K = the fewest likeliest tokens with Σ_(i∈K) pᵢ ≥ p"
    ),
    misconceptions=(
        "Temperature keeps the order of the tokens: at every t > 0 the likeliest token stays the likeliest, and "
        "t → 0 tends to greedy decoding.",
        "Top-p keeps the token that makes the running total cross p, so the likeliest token always survives; "
        "how many tokens it keeps changes from step to step, unlike top-k.",
        "The order is temperature, then top-k, then top-p: top-p measures mass after the temperature.",
        "Greedy decoding is not the most likely sentence: each step takes the likeliest next token only.",
    ),
    commands=(
        'seqlab generate RUN "the film was" --temperature 0.8 --top-p 0.9 --seed 1',
        'seqlab generate RUN "the film was" --show-probs --temperature 1.5',
        "seqlab train --model lm --task lm",
        "seqlab explain encoder-decoder",
    ),
    demo_function="seqlab.explain.demos.generation:sampling_demo",
)

TOPICS: tuple[Topic, ...] = (SAMPLING,)
