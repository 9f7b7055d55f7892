"""All topics in teaching order, looked up by id or a common alias; unknown names get close matches."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from seqlab.errors import SeqlabError
from seqlab.explain.topic import DemoResult, Topic
from seqlab.explain.topics import attention, generation, practice, recurrent, text, transformer

# Other words students type for a topic.
ALIASES: dict[str, str] = {
    "wordpiece": "tokenization",
    "tokenizer": "tokenization",
    "embedding": "embeddings",
    "lstm": "lstm-gru",
    "gru": "lstm-gru",
    "gates": "lstm-gru",
    "clipping": "gradients",
    "vanishing-gradients": "gradients",
    "exploding-gradients": "gradients",
    "adam": "optimizers",
    "sgd": "optimizers",
    "padding": "padding-packing",
    "packing": "padding-packing",
    "qkv": "attention",
    "self-attention": "attention",
    "sqrt-dk": "scaling",
    "multihead": "multi-head",
    "heads": "multi-head",
    "mask": "masks",
    "causal-mask": "masks",
    "padding-mask": "masks",
    "positional-encoding": "positions",
    "sinusoidal": "positions",
    "add-norm": "residual",
    "layernorm": "layer-norm",
    "ffn": "feed-forward",
    "gelu": "feed-forward",
    "bert-vs-gpt": "encoder-decoder",
    "mlm": "objectives",
    "masked-lm": "objectives",
    "pretraining": "objectives",
    "pretraining-objectives": "objectives",
    "nsp": "objectives",
    "sop": "objectives",
    "cls": "cls-pooling",
    "pooling": "cls-pooling",
    "freezing": "fine-tuning",
    "frozen": "fine-tuning",
    "params": "parameters",
    "parameter-counting": "parameters",
    "bias": "bias-probes",
    "f1": "metrics",
    "accuracy": "metrics",
    "softmax": "cross-entropy",
    "loss": "cross-entropy",
    "generation": "sampling",
    "generate": "sampling",
    "decoding": "sampling",
    "greedy": "sampling",
    "top-k": "sampling",
    "top-p": "sampling",
    "nucleus": "sampling",
    "temperature": "sampling",
}


def all_topics() -> tuple[Topic, ...]:
    """Every topic, in the order a course would teach them."""
    return (*text.TOPICS, *recurrent.TOPICS, *attention.TOPICS, *transformer.TOPICS, *generation.TOPICS,
            *practice.TOPICS)


def topic_ids() -> list[str]:
    """The ids of all topics, in teaching order."""
    return [topic.id for topic in all_topics()]


def get_topic(name: str) -> Topic:
    """The topic with this id or alias (case and '_' vs '-' ignored); SeqlabError with close matches otherwise."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    for topic in all_topics():
        if topic.id == key:
            return topic
    raise SeqlabError(unknown_topic_message(name))


def unknown_topic_message(name: str) -> str:
    """One line naming the unknown topic and the closest known ids (or all of them when none is close)."""
    candidates = [*topic_ids(), *ALIASES]
    close = difflib.get_close_matches(name.strip().lower(), candidates, n=3, cutoff=0.5)
    suggestions = list(dict.fromkeys(ALIASES.get(c, c) for c in close))
    if suggestions:
        return f"unknown topic {name!r}; did you mean {', '.join(suggestions)}? (seqlab explain lists all topics)"
    return f"unknown topic {name!r}; known topics: {', '.join(topic_ids())}"


@dataclass(frozen=True)
class ExplainConfig:
    """Which topic to explain and the seed of its live example."""

    topic: str
    seed: int = 0


def explain(config: ExplainConfig) -> tuple[Topic, DemoResult]:
    """The topic named in `config` and its worked example computed live with that seed."""
    topic = get_topic(config.topic)
    return topic, topic.demo(config.seed)
