"""A time estimate for an experiment, printed before it starts as a range: tokens to train over measured rates.

The constants are fitted by `python bench/estimate_fit.py` from the trial records of the kept experiment reports
(bench/results/experiments/*.json, run on the project's shared 2-core VM, one torch thread per trial, load
averages of 3 to 10) and the low-load records in bench/results/estimate/. A trial costs a fixed part (start-up,
vocabulary, saving), reading its whole dataset (twice for a classifier: training, then test scoring), its
training epochs with a dev pass each, and the final dev and test scoring. The central figure is what the kept
reports took; the range runs from what the same trials take on an idle machine to the slowest kept report.
The trial bar's own time-left column takes over once trials finish.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from seqlab.data.masking import MaskingRule
from seqlab.data.vocab import word_tokenize
from seqlab.training.config import TrainConfig

# Real tokens per second, training (forward + backward + optimizer, dev passes included at EVAL_COST), one CPU
# thread, fitted by bench/estimate_fit.py to the training-loop seconds of the kept reports' trials (default-size
# models mostly; LSTM and GRU sweeps of width, depth and embedding size; MiniLM on SST, CFIMDB and RTE). "bert"
# (BERT from scratch) is in no kept report and keeps its older, unfitted rate. Frozen MiniLM runs forward only.
TOKENS_PER_SECOND: dict[str, float] = {
    "lstm": 37_000.0, "gru": 33_000.0, "lm": 4_700.0, "transformer": 4_100.0, "bert": 20_000.0,
    "bert-pretrained": 560.0,
}
FROZEN_SPEEDUP = 2.5
SUBWORDS_PER_WORD = {"bert": 1.3, "bert-pretrained": 1.3}
# A language model's output layer scores every vocabulary entry at every predicted token: seconds per
# (predicted token x vocabulary entry x model width), one thread. From the pretraining trials of the kept report
# lm-transfer-cfimdb-quick (18,741 words, d_model 64, 64 tokens: 106,905 tokens an epoch in 79-100 s at about
# 60% of a core): ~2,000 tokens/s. Not refitted: bench/estimate_fit.py fits the body's rate around it.
# Negligible on the built-in corpus (97 words), about twice the body's cost on CFIMDB's vocabulary.
LM_HEAD_SECONDS = 3.8e-10
PRETRAINED_VOCABULARY = {"bert-pretrained": 30_522}  # MiniLM's WordPiece vocabulary
EVAL_COST = 1 / 3  # a dev pass costs about a third of a training pass per token
# Per trial beyond training and scoring, fitted by bench/estimate_fit.py to the kept reports (a shared 2-core VM):
FIXED_SECONDS = 21.0  # start-up, vocabulary, encoding, saving
READ_SECONDS_PER_WORD = 9.4e-7  # reading and splitting the dataset, per word of the whole dataset read
IDLE_FIXED_SECONDS = 1.5  # all of that on an idle machine: the median of the low-load records (bench/results/estimate)
# measured / estimated over whole reports (bench/estimate_fit.py): the low end is the lowest ratio of measured
# to idle_seconds, the high end the highest of measured to seconds, over every report.
LOW_FACTOR = 0.45
HIGH_FACTOR = 1.6


@dataclass(frozen=True)
class TrialCost:
    """What one trial's time is made of: words of data read, tokens trained and scored, seconds per token."""

    words_read: float  # words of the whole dataset, summed over the times a trial reads it
    train_tokens: float  # training epochs with their dev passes (at EVAL_COST)
    score_tokens: float  # the best weights scored on dev and test once training ends (classifiers; at EVAL_COST)
    body_per_token: float  # seconds per token of the model's body (the family's rate, threads counted)
    head_per_token: float = 0.0  # seconds per token a language model's vocabulary-wide output layer adds

    @property
    def work_seconds(self) -> float:
        """Seconds of training and scoring: tokens over the family's rate."""
        return (self.train_tokens + self.score_tokens) * (self.body_per_token + self.head_per_token)

    @property
    def seconds(self) -> float:
        """The estimated seconds on a shared machine (as the kept reports ran): the fixed part, reading, the work."""
        return FIXED_SECONDS + READ_SECONDS_PER_WORD * self.words_read + self.work_seconds

    @property
    def idle_seconds(self) -> float:
        """The estimated seconds on an idle machine, where start-up and reading cost little."""
        return IDLE_FIXED_SECONDS + self.work_seconds


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


def trial_cost(config: TrainConfig, n_train: int, n_dev: int, words: float, vocabulary: int = 0,
               n_test: int = 0) -> TrialCost:
    """The parts of one training trial's time: (train tokens x epochs + dev passes) x seconds per token, the final
    dev and test scoring of a classifier, and the words of its dataset (`n_train` + `n_dev` + `n_test` examples
    of `words` words) it reads; a language model's seconds per token include its output layer over
    `vocabulary` words."""
    family = config.family
    length = min(words * SUBWORDS_PER_WORD.get(family, 1.0) + 2, config.max_length)
    train_n = min(n_train, config.max_train_examples or n_train)
    rate = TOKENS_PER_SECOND.get(family, 20_000.0) * (FROZEN_SPEEDUP if config.freeze else 1.0)
    threads = min(config.threads or 1, 2) ** 0.6  # two threads help, but far from 2x on these sizes
    train_tokens = config.epochs * length * (train_n + EVAL_COST * n_dev)
    classifier = config.resolved_task == "classify"
    score_tokens = EVAL_COST * length * (n_dev + n_test) if classifier else 0.0
    reads = 2 if classifier and n_test else 1
    return TrialCost(reads * words * (n_train + n_dev + n_test), train_tokens, score_tokens, 1 / rate / threads,
                     _output_layer_seconds(config, vocabulary) / threads)


def trial_seconds(config: TrainConfig, n_train: int, n_dev: int, words: float, vocabulary: int = 0,
                  n_test: int = 0) -> float:
    """Estimated seconds for one training trial (see `trial_cost`)."""
    return trial_cost(config, n_train, n_dev, words, vocabulary, n_test).seconds


def _output_layer_seconds(config: TrainConfig, vocabulary: int) -> float:
    """Seconds per token that a language model's vocabulary-wide output layer adds (0 for classifiers)."""
    task = config.resolved_task
    if task not in ("lm", "mlm"):
        return 0.0
    vocabulary = PRETRAINED_VOCABULARY.get(config.family, vocabulary)
    width = int(config.model.get("d_model") or config.model.get("hidden_size") or 64)
    predicted = MaskingRule().probability if task == "mlm" else 1.0
    return LM_HEAD_SECONDS * vocabulary * width * predicted


MEASURE_SECONDS = 5.0  # a measuring trial (tokenizer statistics, a bias probe) takes seconds


@dataclass(frozen=True)
class Estimate:
    """An experiment's estimated seconds: the central figure and the range printed before it starts."""

    seconds: float  # as the kept reports ran, on a shared machine
    low: float  # an idle machine, at the fastest measured rate
    high: float  # a busy machine, at the slowest kept report's rate

    def on_workers(self, workers: int) -> "Estimate":
        """The same trials run `workers` at a time, each on its own cores."""
        return Estimate(self.seconds / workers, self.low / workers, self.high / workers)

    def text(self) -> str:
        """'about 6-11 min', 'about 40 s-3 min': one unit where both ends share it."""
        low_text, high_text = human(self.low), human(self.high)
        low_number, _, low_unit = low_text.partition(" ")
        high_number, _, high_unit = high_text.partition(" ")
        if low_unit == high_unit:
            return f"about {low_number}-{high_number} {high_unit}" if low_number != high_number else f"about {high_text}"
        return f"about {low_text}-{high_text}"


def estimate_seconds(trials: Sequence[Any], splits: dict[str, Any]) -> Estimate:
    """The estimated time of `trials` (each with a TrainConfig `.config`, or None for a measuring trial) run one
    after another on the loaded `splits` (by dataset name)."""
    words = {name: mean_words(s.train) for name, s in splits.items()}
    vocabularies: dict[tuple[str, int, int], int] = {}
    busy = idle = 0.0
    for trial in trials:
        config = trial.config
        if config is None or config.data not in splits:
            busy, idle = busy + MEASURE_SECONDS, idle + MEASURE_SECONDS
            continue
        data = splits[config.data]
        vocabulary = 0
        if config.resolved_task in ("lm", "mlm"):  # only a language model pays for its vocabulary per token
            n = min(len(data.train), config.max_train_examples or len(data.train))
            key = (config.data, n, config.min_freq)
            if key not in vocabularies:
                vocabularies[key] = vocabulary_size(data.train[:n], config.min_freq)
            vocabulary = vocabularies[key]
        cost = trial_cost(config, len(data.train), len(data.dev), words[config.data], vocabulary, len(data.test))
        busy, idle = busy + cost.seconds, idle + cost.idle_seconds
    return Estimate(busy, idle * LOW_FACTOR, busy * HIGH_FACTOR)


def human(seconds: float) -> str:
    """'40 s', '12 min', '3.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
