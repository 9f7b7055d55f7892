"""The live checks of seqlab.proofs.lm_loss (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqlab.models.outputs import LMOutput
from seqlab.models.transformer import CausalLM, TransformerConfig
from seqlab.proofs.base import CheckResult, MODEL, STAND_IN
from seqlab.proofs.lm_loss import NextTokenLoss
from seqlab.proofs.target import LiveTarget, exact_copy, model_output, other_token_ids, random_batch
from seqlab.training.tasks import LanguageModelTask

# The task's loss is computed in float32 (seqlab.training.tasks.next_token_loss), so it meets a float64 CE by hand
# to about 1e-7 relative; an off-by-one target misses by O(1).
TOLERANCE = 1e-5
STAND_IN_VOCAB = 200


def _lm_subject(target: LiveTarget) -> tuple[nn.Module, dict[str, torch.Tensor], str, str]:
    """(causal LM, batch of real tokens, note, measured on): the target's own when it is a causal LM with a batch,
    else a fresh small CausalLM on random tokens (a stand-in)."""
    if isinstance(target.model, CausalLM) and target.batch is not None:
        return target.model, target.batch, "", MODEL
    torch.manual_seed(target.seed)
    config = TransformerConfig(vocab_size=STAND_IN_VOCAB, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_len=64,
                               dropout=0.0, pad_id=0)
    model = CausalLM(config).to(target.device).eval()
    batch = random_batch(STAND_IN_VOCAB, 0, target.seed, target.device)
    return model, batch, f"; {type(target.model).__name__} is not a causal LM, so a fresh small CausalLM was used", STAND_IN


class _FixedLogits(nn.Module):
    """A 'model' that answers any batch with the same logits: the loss as a function of (logits, ids) alone."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = logits

    def forward(self, *_args: Any, **_kwargs: Any) -> LMOutput:
        """The fixed logits [B,T,V], whatever the input."""
        return LMOutput(logits=self.logits, attentions=None)


def _task_loss(logits: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The training loss seqlab's LM task computes from these logits and ids (LanguageModelTask.loss)."""
    loss, _ = LanguageModelTask().loss(_FixedLogits(logits), {"input_ids": ids, "attention_mask": mask})
    return loss


def check_next_token_loss(identity: NextTokenLoss, target: LiveTarget) -> CheckResult:
    """On the model's own forward and the loss seqlab trains it with: the loss against CE(logits[:, :-1],
    ids[:, 1:]) by hand; its gradient at each position with that position's token replaced (logits held
    fixed); and each prediction's logits with the token it predicts replaced (it must not have seen it)."""
    model, batch, note, on = _lm_subject(target)
    model = exact_copy(model, target)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    generator = target.generator(900)
    with torch.no_grad():
        logits = model_output(model, {"input_ids": ids, "attention_mask": mask}).to(target.dtype)  # [B,T,V]
    log_probs = logits.log_softmax(-1)
    real_next = mask[:, 1:]
    per_next = -log_probs[:, :-1].gather(-1, ids[:, 1:, None]).squeeze(-1)  # CE of position t on token t+1
    per_own = -log_probs.gather(-1, ids[:, :, None]).squeeze(-1)[:, 1:]  # CE of position t+1 on token t+1
    by_hand = float(per_next[real_next].mean())
    copying = float(per_own[real_next].mean())
    fixed = logits.detach().clone().requires_grad_(True)
    loss = _task_loss(fixed, ids, mask)
    (grad,) = torch.autograd.grad(loss, fixed)
    loss = loss.detach()
    loss_gap = abs(float(loss) - by_hand) / max(1.0, abs(by_hand))
    scale = float(grad.abs().max()) or 1.0
    own_token = 0.0
    leak = 0.0
    length = ids.size(1)
    for t in range(length):
        swapped = ids.clone()
        column = other_token_ids(batch, (ids.size(0),), generator)
        swapped[:, t] = torch.where(mask[:, t], column, ids[:, t])
        moved = fixed.detach().clone().requires_grad_(True)
        (grad_swapped,) = torch.autograd.grad(_task_loss(moved, swapped, mask), moved)
        own_token = max(own_token, float((grad_swapped[:, t] - grad[:, t]).abs().max()) / scale)
        if t > 0:  # position t-1 predicts token t: its logits must not have seen token t
            with torch.no_grad():
                after = model_output(model, {"input_ids": swapped, "attention_mask": mask}).to(target.dtype)
            rows = mask[:, t - 1]
            change = (after[:, t - 1] - logits[:, t - 1])[rows].abs()
            leak = max(leak, float(change.max()) / max(1.0, float(logits.abs().max())) if change.numel() else 0.0)
    measured = max(loss_gap, own_token, leak)
    detail = (
        f"{type(model).__name__} on {ids.size(0)} sequences, {int(real_next.sum())} real next tokens: the loss "
        f"seqlab trains it with {float(loss):.6f} vs CE(logits[:, :-1], ids[:, 1:]) by hand {by_hand:.6f} "
        f"(relative gap {loss_gap:.1e}; scored on the token each position has already seen it would be "
        f"{copying:.6f}); with each token t replaced, dL/dlogits_t (logits held fixed) moved by {own_token:.1e} "
        f"of its largest entry, and the logits that predict token t moved by {leak:.1e} (relative): "
        f"measured = the largest of the three{note}"
    )
    extra = {"loss": float(loss), "CE over next tokens": by_hand, "CE over own tokens": copying,
             "loss gap": loss_gap, "gradient reads own token": own_token, "prediction saw its target": leak}
    return CheckResult(measured, TOLERANCE, measured <= TOLERANCE, detail, extra=extra, measured_on=on)
