"""Checking a learner's causal-LM loss: the value against seqlab's `next_token_loss`, reference-free properties
(the last position's logits and padded targets never matter, uniform logits give log V, gradcheck), and the named
bugs (target not shifted, shifted the wrong way, padding counted, ...)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F

from seqlab.impl.compare import Bug, diagnose, max_diff, parity_row
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.training.tasks import next_token_loss

VOCAB = 11
TOLERANCE = 1e-6  # seqlab's loss computes in float32


def scalar(value: Any) -> torch.Tensor:
    """The learner's loss as a 0-d tensor; ContractError when it is not one number."""
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        raise ContractError(f"lm_loss must return one number (a 0-d tensor), not {getattr(value, 'shape', value)!r}")
    return value.reshape(())


def cases(seed: int) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Seeded (logits [B,T,V], input_ids [B,T], attention_mask [B,T]): a padded batch (lengths 6, 4, 2); no padding;
    batch 1 of length 2."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    for lengths, length in (([6, 4, 2], 6), ([5, 5], 5), ([2], 2)):
        mask = torch.arange(length)[None, :] < torch.tensor(lengths)[:, None]
        ids = torch.randint(1, VOCAB, (len(lengths), length), generator=generator).masked_fill(~mask, 0)
        logits = torch.randn(len(lengths), length, VOCAB, generator=generator, dtype=torch.float64) * 2
        out.append((logits, ids, mask))
    return out


def buggy(logits: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor, bug: str) -> torch.Tensor:
    """What a buggy loss gives."""
    if bug == "not shifted":
        return F.cross_entropy(logits[mask], ids[mask])
    if bug == "wrong way":
        keep = mask[:, :-1]
        return F.cross_entropy(logits[:, 1:][keep], ids[:, :-1][keep])
    predictions, targets = logits[:, :-1], ids[:, 1:]
    real = {"prediction mask": mask[:, :-1], "padding counted": torch.ones_like(mask[:, 1:])}.get(bug, mask[:, 1:])
    if bug == "sum":
        return F.cross_entropy(predictions[real], targets[real], reduction="sum")
    if bug == "per sequence":
        each = F.cross_entropy(predictions.transpose(1, 2), targets, reduction="none") * real
        return (each.sum(1) / real.sum(1)).mean()
    if bug == "padding in the denominator":
        each = F.cross_entropy(predictions.transpose(1, 2), targets, reduction="none") * real
        return each.mean()
    if bug == "softmax axis":
        logp = predictions.log_softmax(dim=1)
        return -logp.gather(-1, targets[..., None])[..., 0][real].mean()
    return F.cross_entropy(predictions[real], targets[real])


BUGS = (
    ("LM target not shifted", "position t predicts token t+1: compare logits[:, :-1] with input_ids[:, 1:]",
     "not shifted"),
    ("LM target shifted the wrong way", "logits[:, :-1] predict input_ids[:, 1:] (not logits[:, 1:] vs ids[:, :-1])",
     "wrong way"),
    ("padding counted in the loss", "leave out the targets that are padding: attention_mask[:, 1:] marks the real ones",
     "padding counted"),
    ("mask read at the input, not the target", "a target is real when attention_mask[:, 1:] (the target's position) "
     "is True, not attention_mask[:, :-1]", "prediction mask"),
    ("summed instead of averaged", "take the mean over the real targets (cross_entropy's default), not the sum", "sum"),
    ("averaged per sequence, not per token", "average over all real target tokens of the batch at once",
     "per sequence"),
    ("softmax over the wrong axis", "log_softmax over the vocabulary: the last axis (dim=-1)", "softmax axis"),
    ("padding in the denominator", "divide the masked sum by the number of real targets (attention_mask[:, 1:].sum()),"
     " not by every position: .mean() over a zeroed tensor still counts the padding", "padding in the denominator"),
)


def check_lm_loss(fn: Callable[..., Any], where: Path | None, seed: int = 0) -> tuple[list[ImplRow],
                                                                                    list[Diagnosis]]:
    """Every check of the lm-loss kind on the learner's function."""
    inputs = cases(seed)
    got = [scalar(call(fn, logits.clone(), ids.clone(), mask.clone(), where=where)) for logits, ids, mask in inputs]
    want = [next_token_loss(logits, ids, mask)[0].double().reshape(()) for logits, ids, mask in inputs]
    rows = [parity_row("same loss as seqlab", got, want, TOLERANCE,
                       "seqlab.training.tasks.next_token_loss on 3 seeded batches (padded; unpadded; batch 1 of "
                       "length 2)")]
    rows.extend(property_rows(fn, where, inputs))
    diagnoses = diagnose(got, [Bug(name, advice, lambda i, b=bug: buggy(*inputs[i], b)) for name, advice, bug in BUGS],
                         1e-9) if not rows[0].passed else []
    return rows, diagnoses


def property_rows(fn: Callable[..., Any], where: Path | None,
                  inputs: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> list[ImplRow]:
    """Reference-free facts about a next-token loss, measured on the learner's function."""
    logits, ids, mask = inputs[0]
    leaf = logits.clone().requires_grad_(True)
    loss = scalar(call(fn, leaf, ids.clone(), mask.clone(), where=where))
    rows = []
    try:
        (grad,) = torch.autograd.grad(loss, leaf)
        last = float(grad[:, -1].abs().max())
        rows.append(ImplRow("last position's logits do not matter", PROPERTY, last, 0.0, last == 0.0,
                            f"d loss / d logits[:, -1] is {last:.1e} (the last token has no next token to predict)"))
    except RuntimeError as exc:
        rows.append(ImplRow("last position's logits do not matter", PROPERTY, float("inf"), 0.0, False,
                            f"no gradient flows back to the logits: {str(exc).splitlines()[0]}"))
    other = ids.clone()
    other[~mask] = (ids[~mask] + 3) % VOCAB
    moved = max_diff(scalar(call(fn, logits.clone(), other, mask.clone(), where=where)), loss.detach())
    rows.append(ImplRow("padded targets do not matter", PROPERTY, moved, 1e-12, moved <= 1e-12,
                        f"other token ids at the padded positions moved the loss by {moved:.1e}"))
    uniform = scalar(call(fn, torch.zeros_like(logits), ids.clone(), mask.clone(), where=where))
    gap = abs(float(uniform) - math.log(VOCAB))
    rows.append(ImplRow("uniform logits give log V", PROPERTY, gap, 1e-9, gap <= 1e-9,
                        f"all-zero logits over V = {VOCAB}: loss {float(uniform):.6f}, log V = {math.log(VOCAB):.6f}"))
    return rows
