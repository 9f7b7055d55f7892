"""A rough time estimate for an experiment, printed before it starts: tokens to train over measured CPU rates.

The rates are real (non-padding) tokens trained per second, forward and backward, on one thread of the
2-core AMD EPYC VM this project is measured on (docs/results/experiments.md has the runs behind them).
Sweeps change model sizes, so an estimate is good to about a factor of two; the trial bar's own time-left
column takes over once trials finish.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from seqlab.data.masking import MaskingRule
from seqlab.data.vocab import word_tokenize
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
# A language model's output layer scores every vocabulary entry at every predicted token: seconds per
# (predicted token x vocabulary entry x model width), one thread. From the pretraining trials of the kept report
# lm-transfer-cfimdb-quick (18,741 words, d_model 64, 64 tokens: 106,905 tokens an epoch in 79-100 s at about
# 60% of a core): ~2,000 tokens/s where the body alone runs at 25,000. Negligible on the built-in corpus (97
# words), over ten times the body's cost on real text.
LM_HEAD_SECONDS = 3.8e-10
PRETRAINED_VOCABULARY = {"bert-pretrained": 30_522}  # MiniLM's WordPiece vocabulary
EVAL_COST = 1 / 3  # a dev pass costs about a third of a training pass per token
FIXED_SECONDS = 4.0  # data loading, vocabulary, saving, test scoring per trial


def mean_words(examples: Sequence[Any], limit: int = 2000) -> float:
    """Mean whitespace words per example (text plus text_b) over the first `limit` examples."""
    sample = examples[:limit]
    if not sample:
        return 0.0
    return sum(len(e.text.split()) + len((e.text_b or "").split()) for e in sample) / len(sample)


def vocabulary_size(examples: Sequence[Any], min_freq: int = 1) -> int:
    """Distinct words (as the word vocabulary splits them) seen at least `min_freq` times: the size of the word
    vocabulary a run builds, without its special tokens."""
    counts = Counter(word for e in examples for word in word_tokenize(f"{e.text} {e.text_b or ''}"))
    return sum(1 for n in counts.values() if n >= min_freq)


def trial_seconds(config: TrainConfig, n_train: int, n_dev: int, words: float, vocabulary: int = 0) -> float:
    """Estimated seconds for one training trial: (train tokens x epochs + dev passes) x seconds per token + a
    fixed cost; a language model's seconds per token include its output layer over `vocabulary` words."""
    family = config.family
    length = min(words * SUBWORDS_PER_WORD.get(family, 1.0) + 2, config.max_length)
    train_n = min(n_train, config.max_train_examples or n_train)
    rate = TOKENS_PER_SECOND.get(family, 20_000.0) * (FROZEN_SPEEDUP if config.freeze else 1.0)
    per_token = 1 / rate + _output_layer_seconds(config, vocabulary)
    threads = config.threads or 1
    per_token /= min(threads, 2) ** 0.6  # two threads help, but far from 2x on these sizes
    tokens = config.epochs * length * (train_n + EVAL_COST * n_dev)
    return FIXED_SECONDS + tokens * per_token


def _output_layer_seconds(config: TrainConfig, vocabulary: int) -> float:
    """Seconds per token that a language model's vocabulary-wide output layer adds (0 for classifiers)."""
    task = config.resolved_task
    if task not in ("lm", "mlm"):
        return 0.0
    vocabulary = PRETRAINED_VOCABULARY.get(config.family, vocabulary)
    width = int(config.model.get("d_model") or config.model.get("hidden_size") or 64)
    predicted = MaskingRule().probability if task == "mlm" else 1.0
    return LM_HEAD_SECONDS * vocabulary * width * predicted


def human(seconds: float) -> str:
    """'40 s', '12 min', '3.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
