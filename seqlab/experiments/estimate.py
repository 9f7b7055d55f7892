"""A rough time estimate for an experiment, printed before it starts: tokens to train over measured CPU rates.

The rates are real (non-padding) tokens trained per second, forward and backward, on one thread of the
2-core AMD EPYC VM this project is measured on (docs/results/experiments.md has the runs behind them).
Sweeps change model sizes, so an estimate is good to about a factor of two; the trial bar's own time-left
column takes over once trials finish.
"""

from __future__ import annotations

from typing import Any, Sequence

from seqlab.training.config import TrainConfig

# Real tokens per second, training (forward + backward + optimizer), one CPU thread, default-size models:
# RNNs 64/64 and the small LM from the quick builtin runs; MiniLM from bench/results/sst_epoch.json (8,544 SST
# sentences of ~25 WordPiece tokens in 291 s on one thread); frozen BERT runs forward only, ~3x faster.
TOKENS_PER_SECOND: dict[str, float] = {
    "lstm": 40_000.0, "gru": 40_000.0, "lm": 25_000.0, "transformer": 25_000.0, "bert": 20_000.0,
    "bert-pretrained": 750.0,
}
FROZEN_SPEEDUP = 3.0
SUBWORDS_PER_WORD = {"bert": 1.3, "bert-pretrained": 1.3}
EVAL_COST = 1 / 3  # a dev pass costs about a third of a training pass per token
FIXED_SECONDS = 4.0  # data loading, vocabulary, saving, test scoring per trial


def mean_words(examples: Sequence[Any], limit: int = 2000) -> float:
    """Mean whitespace words per example (text plus text_b) over the first `limit` examples."""
    sample = examples[:limit]
    if not sample:
        return 0.0
    return sum(len(e.text.split()) + len((e.text_b or "").split()) for e in sample) / len(sample)


def trial_seconds(config: TrainConfig, n_train: int, n_dev: int, words: float) -> float:
    """Estimated seconds for one training trial: (train tokens x epochs + dev passes) / rate + a fixed cost."""
    family = config.family
    length = min(words * SUBWORDS_PER_WORD.get(family, 1.0) + 2, config.max_length)
    train_n = min(n_train, config.max_train_examples or n_train)
    rate = TOKENS_PER_SECOND.get(family, 20_000.0) * (FROZEN_SPEEDUP if config.freeze else 1.0)
    threads = config.threads or 1
    rate *= min(threads, 2) ** 0.6  # two threads help, but far from 2x on these sizes
    tokens = config.epochs * length * (train_n + EVAL_COST * n_dev)
    return FIXED_SECONDS + tokens / rate


def human(seconds: float) -> str:
    """'40 s', '12 min', '3.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
