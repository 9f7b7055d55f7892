"""LSTM/GRU classifiers: packing makes a padded batch equal to each example run alone."""

from __future__ import annotations

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.models.rnn import RNNClassifier, RNNConfig


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[4, 5, 6, 7, 8], [9, 3, 0, 0, 0], [2, 2, 2, 0, 0]])
    return ids, ids != 0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_batch_equals_each_example_alone(cell: str, bidirectional: bool) -> None:
    torch.manual_seed(0)
    config = RNNConfig(cell, vocab_size=12, embed_dim=8, hidden_size=6, num_layers=2, bidirectional=bidirectional)
    model = RNNClassifier(config, num_labels=3).eval()
    ids, mask = _batch()
    batched = model(ids, mask)
    assert batched.logits.shape == (3, 3) and batched.attentions is None
    for row in range(3):
        length = int(mask[row].sum())
        alone = model(ids[row : row + 1, :length], mask[row : row + 1, :length]).logits
        torch.testing.assert_close(batched.logits[row : row + 1], alone, atol=1e-6, rtol=1e-5)
    garbage = model(ids.masked_fill(~mask, 11), mask).logits
    torch.testing.assert_close(batched.logits, garbage)


def test_output_attentions_gives_none_and_segments_are_ignored() -> None:
    model = RNNClassifier(RNNConfig("gru", vocab_size=12), num_labels=2).eval()
    ids, mask = _batch()
    out = model(ids, mask, segment_ids=torch.ones_like(ids), output_attentions=True)
    assert out.attentions is None
    torch.testing.assert_close(out.logits, model(ids, mask).logits)


def test_no_mask_means_every_token_is_real() -> None:
    model = RNNClassifier(RNNConfig("lstm", vocab_size=12), num_labels=2).eval()
    ids = torch.tensor([[4, 5, 6]])
    torch.testing.assert_close(model(ids).logits, model(ids, torch.ones_like(ids, dtype=torch.bool)).logits)


def test_bidirectional_head_sees_both_directions() -> None:
    model = RNNClassifier(RNNConfig("lstm", vocab_size=12, hidden_size=6, bidirectional=True), num_labels=2)
    assert model.head.in_features == 12


def test_invalid_settings_are_clear_errors() -> None:
    with pytest.raises(SeqlabError, match="unknown recurrent cell 'rnn'"):
        RNNConfig("rnn", vocab_size=12)  # type: ignore[arg-type]
    with pytest.raises(SeqlabError, match="num_layers must be a whole number of at least 1"):
        RNNConfig("gru", vocab_size=12, num_layers=0)
    with pytest.raises(SeqlabError, match="dropout"):
        RNNConfig("gru", vocab_size=12, dropout=1.5)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_direction_padded_fast_path_equals_packing(cell):
    from seqlab.models.rnn import RNNClassifier, RNNConfig

    torch.manual_seed(0)
    model = RNNClassifier(RNNConfig(cell=cell, vocab_size=50, embed_dim=8, hidden_size=6, num_layers=2), 3).eval()
    ids = torch.randint(4, 50, (4, 9))
    mask = torch.ones(4, 9, dtype=torch.bool)
    for row, length in enumerate([9, 5, 1, 7]):
        mask[row, length:] = False
        ids[row, length:] = 0
    fast = model(ids, mask).logits
    embedded = model.embedding(ids)
    packed = model.head(model._packed_final_state(embedded, mask.long().sum(1)))
    torch.testing.assert_close(fast, packed, rtol=0, atol=1e-6)
