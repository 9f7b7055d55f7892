"""The mask checks run the model's own forward, in eval and in train mode (issue 26).

A causal classifier or LM whose forward drops the causal flag passed while the check passed causal=True itself;
attention dropout applied to the masked logits unmasks the future (and the pads) only while training.
Each broken model here is a real seqlab model run through the real check.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.outputs import ClassifierOutput, LMOutput
from seqlab.models.transformer import (
    CausalLM,
    TransformerClassifier,
    TransformerConfig,
    TransformerEncoder,
    pool,
    real_token_mask,
)
from seqlab.proofs import select
from seqlab.proofs.base import MODEL, NOT_APPLICABLE
from seqlab.proofs.target import LiveTarget, random_batch

from . import broken

CPU = torch.device("cpu")
CONFIG = TransformerConfig(vocab_size=200, d_model=32, n_heads=4, n_layers=2, d_ff=64, dropout=0.1, max_len=64)


class FlagDroppingClassifier(TransformerClassifier):
    """Built with causal=True, but its forward runs the encoder bidirectionally."""

    def forward(self, input_ids, attention_mask=None, segment_ids=None, output_attentions=False):
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, False, output_attentions)
        return ClassifierOutput(logits=self.head(self.dropout(pool(hidden, mask, self.pooling))), attentions=attentions)


class FlagDroppingLM(CausalLM):
    """A causal LM whose forward forgets causal=True: every position sees the tokens it is meant to predict."""

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, causal=False, output_attentions=output_attentions)
        return LMOutput(logits=self.lm_head(hidden), attentions=attentions)


class DropoutOnLogitsAttention(MultiHeadSelfAttention):
    """Dropout applied to the masked logits, not to the probabilities: a dropped -inf logit becomes 0, so in
    training the future (and the pads) get weight. In eval mode it is exactly right."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        b, t, d = x.shape
        mask = self._batch_mask(attention_mask, causal, x)
        q, k, v = (self._split_heads(proj(x)) for proj in (self.query, self.key, self.value))
        logits = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask.allowed is not None:
            logits = logits.masked_fill(~mask.allowed, torch.finfo(logits.dtype).min)
        logits = F.dropout(logits, self.dropout_p, self.training)  # the bug
        probs = logits.softmax(dim=-1)
        context = (probs @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(context), probs if need_weights else None


def target_of(model: torch.nn.Module, seed: int = 0) -> LiveTarget:
    batch = random_batch(CONFIG.vocab_size, CONFIG.pad_id, seed, CPU)
    return LiveTarget(model.eval(), CPU, seed, type(model).__name__, batch)


def built(cls, *args, **kwargs) -> torch.nn.Module:
    torch.manual_seed(0)
    return cls(CONFIG, *args, **kwargs)


def with_attention(model: torch.nn.Module, cls: type[MultiHeadSelfAttention]) -> torch.nn.Module:
    model = copy.deepcopy(model)
    for block in model.encoder.blocks:
        new = cls(block.attention.d_model, block.attention.n_heads, dropout=block.attention.dropout_p)
        new.load_state_dict(block.attention.state_dict())
        block.attention = new
    return model


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


@pytest.mark.parametrize("model", [built(FlagDroppingClassifier, num_labels=2, causal=True), built(FlagDroppingLM)],
                         ids=["classifier", "lm"])
def test_a_forward_that_drops_the_causal_flag_fails(model):
    result = check("causal-mask", target_of(model))
    assert not result.passed
    assert result.measured_on == MODEL
    assert result.extra["earlier hidden states moved (whole model)"] > 0.01
    assert result.extra["earlier outputs moved"] == 0.0  # its attention modules are right when asked: the forward is not
    assert "the first output a later token moved" in result.detail


@pytest.mark.parametrize("model", [built(TransformerClassifier, num_labels=2, causal=True), built(CausalLM),
                                   built(CausalLM, tie_weights=True)], ids=["classifier", "lm", "tied lm"])
def test_correct_causal_models_pass_in_eval_and_train_mode(model):
    result = check("causal-mask", target_of(model))
    assert result.passed, result.detail
    assert result.measured_on == MODEL
    assert result.extra["earlier hidden states moved (whole model, train)"] == 0.0


def test_a_bidirectional_model_is_not_applicable():
    result = check("causal-mask", target_of(built(TransformerClassifier, num_labels=2)))
    assert result.passed and result.measured_on == NOT_APPLICABLE
    assert "bidirectional" in result.detail


def test_dropout_on_the_masked_logits_fails_causal_mask_in_train_mode():
    model = with_attention(built(TransformerClassifier, num_labels=2, causal=True), DropoutOnLogitsAttention)
    result = check("causal-mask", target_of(model))
    assert not result.passed and result.measured_on == MODEL
    assert result.extra["earlier outputs moved"] == 0.0  # eval mode cannot see it
    assert result.extra["earlier hidden states moved (whole model)"] == 0.0
    assert result.extra["earlier outputs moved (train)"] > 0.01
    assert result.extra["earlier hidden states moved (whole model, train)"] > 0.01


def test_dropout_on_the_masked_logits_fails_padding_mask_in_train_mode():
    model = with_attention(built(TransformerClassifier, num_labels=2), DropoutOnLogitsAttention)
    result = check("padding-mask", target_of(model))
    assert not result.passed and result.measured_on == MODEL
    assert result.extra["real outputs moved (attention)"] == 0.0
    assert result.extra["real outputs moved (whole model)"] == 0.0
    assert result.extra["real outputs moved (attention, train)"] > 0.01
    assert result.extra["real outputs moved (whole model, train)"] > 0.01


def test_dropout_on_zero_rate_models_is_raised_so_the_training_path_runs():
    """The fresh model has dropout 0: the check raises it on its copy, so the broken path still shows."""
    target = broken.replace_attention(broken.fresh(seed=0), DropoutOnLogitsAttention)
    result = check("causal-mask", target)
    assert not result.passed and "raised to 0.1" in result.detail
    assert all(block.attention.dropout_p == 0.0 for block in target.model.encoder.blocks)  # the model is untouched
    assert not target.model.training


@pytest.mark.parametrize("causal", [False, True])
def test_correct_dropout_after_the_softmax_passes_padding_mask(causal):
    result = check("padding-mask", target_of(built(TransformerClassifier, num_labels=2, causal=causal)))
    assert result.passed, result.detail
    assert result.extra["real outputs moved (whole model, train)"] == 0.0


@pytest.mark.parametrize("identity_id", ["causal-mask", "padding-mask"])
def test_the_mask_proofs_cover_any_length_in_indicator_form(identity_id):
    """Issue 26: the proofs wrote the weights out for T <= 4 only; the indicator form is verified for symbolic T."""
    proof = select([identity_id])[0].prove()
    assert proof.verified
    assert "any T" in proof.statement and "written out for T = " in proof.statement
    assert any("indicator form" in step.explanation for step in proof.steps)


class WeightsAlwaysLM(CausalLM):
    """A causal LM that always asks for its attention weights, so hooks also see patterns [B,H,T,T]."""

    causal_flag = True

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, causal=self.causal_flag, output_attentions=True)
        return LMOutput(logits=self.lm_head(hidden), attentions=attentions)


@pytest.mark.parametrize("causal_flag", [True, False])
def test_attention_patterns_are_compared_by_query_even_when_heads_equal_tokens(causal_flag):
    """With H = T = 4 a pattern [B,H,T,T] looks like [B,T,...]: it is compared by its query rows, not its heads."""
    torch.manual_seed(0)
    model = WeightsAlwaysLM(CONFIG)
    model.causal_flag = causal_flag
    ids = torch.randint(1, CONFIG.vocab_size, (4, CONFIG.n_heads), generator=torch.Generator().manual_seed(0))
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids, dtype=torch.bool), "segment_ids": ids * 0}
    result = check("causal-mask", LiveTarget(model.eval(), CPU, 0, "weights LM", batch))
    assert result.passed == causal_flag, result.detail
    assert result.measured_on == MODEL


class TinyGPT(torch.nn.Module):
    """A student's own causal LM (not a seqlab CausalLM subclass): a seqlab encoder and a head."""

    def __init__(self, config: TransformerConfig, causal: bool) -> None:
        super().__init__()
        self.encoder = TransformerEncoder(config)
        self.head = torch.nn.Linear(config.d_model, config.vocab_size)
        self.use_mask = causal

    def forward(self, input_ids, attention_mask=None):
        hidden, _ = self.encoder(input_ids, real_token_mask(input_ids, attention_mask), causal=self.use_mask)
        return LMOutput(logits=self.head(hidden), attentions=None)


@pytest.mark.parametrize("causal", [True, False])
def test_a_students_own_gpt_class_is_held_to_causality(causal):
    """Named like a causal LM, so the check runs its forward instead of calling it 'not applicable'."""
    torch.manual_seed(0)
    result = check("causal-mask", target_of(TinyGPT(CONFIG, causal)))
    assert result.measured_on == MODEL
    assert result.passed == causal, result.detail
