"""The built-in corpus: deterministic, balanced, no leaks between splits, and learnable by a small LSTM."""

from __future__ import annotations

from collections import Counter

import torch
from torch import nn

from seqlab.data.batching import encode_examples, make_loader
from seqlab.data.builtin import builtin_entailment, builtin_sentiment
from seqlab.data.registry import load_splits
from seqlab.data.vocab import Vocab
from seqlab.device import cpu_threads


def test_same_seed_same_corpus_other_seed_other_corpus():
    assert builtin_sentiment(0) == builtin_sentiment(0)
    assert builtin_entailment(5) == builtin_entailment(5)
    assert builtin_sentiment(0).train != builtin_sentiment(1).train
    assert load_splits("builtin-sentiment", seed=2) == builtin_sentiment(2)


def test_sizes_and_label_balance_in_every_split():
    for splits, sizes in ((builtin_sentiment(), (3000, 400, 600)), (builtin_entailment(), (2000, 300, 500))):
        for part, size in zip((splits.train, splits.dev, splits.test), sizes):
            assert len(part) == size
            assert set(Counter(e.label for e in part).values()) == {size // 2}


def test_no_example_is_in_two_splits():
    for splits in (builtin_sentiment(), builtin_entailment()):
        keys = [{(e.text, e.text_b) for e in part} for part in (splits.train, splits.dev, splits.test)]
        assert sum(map(len, keys)) == len(set().union(*keys))


def test_negation_and_contrast_are_in_the_corpus():
    texts = [e.text for e in builtin_sentiment().train]
    assert sum(" not " in t for t in texts) > 300 and sum(" but " in t for t in texts) > 300
    pairs = builtin_entailment()
    assert pairs.is_pair and all(e.text_b for e in pairs.train)


def test_the_same_words_carry_both_labels():
    """Negation flips: 'good' appears in many negative sentences, so a bag of words cannot solve it."""
    splits = builtin_sentiment()
    with_good = Counter(e.label for e in splits.train if " good " in f" {e.text} ")
    assert min(with_good.values()) > 0.25 * sum(with_good.values())


def test_a_small_lstm_learns_sentiment_above_85_percent():
    with cpu_threads(1):  # tiny matrices: one thread is fastest, and the CI machine has two cores
        _train_and_check_lstm()


def _train_and_check_lstm():
    torch.manual_seed(0)
    splits = builtin_sentiment()
    vocab = Vocab.build(e.text for e in splits.train)
    train = make_loader(encode_examples(splits.train, vocab, splits.labels, 32), 32, shuffle=True, seed=0)
    dev = make_loader(encode_examples(splits.dev, vocab, splits.labels, 32), 400, shuffle=False, seed=0)
    embed, lstm, head = nn.Embedding(vocab.vocab_size, 32, padding_idx=0), nn.LSTM(32, 32, batch_first=True), nn.Linear(32, 2)
    params = [*embed.parameters(), *lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, lr=5e-3)

    def logits(batch):
        packed = nn.utils.rnn.pack_padded_sequence(embed(batch["input_ids"]), batch["lengths"], batch_first=True,
                                                   enforce_sorted=False)
        return head(lstm(packed)[1][0][-1])

    for epoch in range(3):
        train.batch_sampler.set_epoch(epoch)
        for batch in train:
            loss = nn.functional.cross_entropy(logits(batch), batch["labels"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        batch = next(iter(dev))
        accuracy = (logits(batch).argmax(-1) == batch["labels"]).float().mean().item()
    assert accuracy > 0.85
