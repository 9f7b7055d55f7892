"""The live checks of seqlab.proofs.frozen (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.factory import build_model
from seqlab.proofs.base import CheckResult, MODEL, NOT_APPLICABLE, STAND_IN
from seqlab.proofs.frozen import FrozenBody
from seqlab.proofs.target import LiveTarget, model_output, target_fresh
from seqlab.training import freezing
from seqlab.training.config import TrainConfig
from seqlab.training.loading import LoadedRun
from seqlab.training.optimizers import make_optimizer
from seqlab.training.transfer import init_from_run

STAND_IN_STEPS = 3


def _pretrained_reference(run: LoadedRun) -> tuple[nn.Module, str]:
    """The run's model as it was before training: pretrained BERT weights, or the --init-from LM body."""
    try:
        model = build_model(run.spec, run.task, run.encoder.vocab_size, len(run.labels), run.encoder.pad_id)
        if run.config.init_from:
            init_from_run(Path(run.config.init_from), model)
            return model, f"the LM run {Path(run.config.init_from).name}"
    except SeqlabError as error:
        raise ValueError(str(error)) from None
    return model, f"the pretrained checkpoint ({run.spec.get('checkpoint') or 'MiniLM'})"


def _compare_run(target: LiveTarget, reference: nn.Module, source: str) -> CheckResult:
    """Count body tensors of the trained run that differ in any bit from the pretrained reference."""
    trained = freezing.body_parameters(target.model)
    expected = freezing.body_parameters(reference)
    differing = [name for name in expected if not torch.equal(trained[name].detach().cpu(), expected[name].detach().cpu())]
    weights = sum(p.numel() for p in expected.values())
    worst = max(
        (float((trained[n].detach().cpu().double() - expected[n].detach().double()).abs().max()) for n in differing),
        default=0.0,
    )
    detail = (
        f"run folder trained with --freeze: {len(expected)} body tensors ({weights:,} weights) compared bitwise with "
        f"{source} rebuilt by seqlab's own loading code; {len(differing)} differ"
        + (f" (first {differing[0]}, by up to {worst:.1e})" if differing else "")
    )
    extra = {"differing tensors": float(len(differing)), "largest change": worst}
    return CheckResult(float(len(differing)), 0.0, not differing, detail, extra=extra, measured_on=MODEL)


def _stand_in(target: LiveTarget, note: str, on: str) -> CheckResult:
    """Freeze a copy with seqlab's --freeze code, take a few AdamW steps (weight decay on), compare bitwise.

    The copy is of the model itself when it has a separate, untied classification head; otherwise of a fresh
    Transformer classifier, and the row does not apply to the model (`on` becomes NOT_APPLICABLE).
    """
    model, batch = copy.deepcopy(target.model).train(), target.batch
    refused = ""
    try:
        if batch is None:
            raise SeqlabError("no text batch to step it on")
        freezing.freeze_body(model)
    except SeqlabError as error:
        refused = str(error)
    if refused:
        fresh = target_fresh(target.device, target.seed)
        model, batch = copy.deepcopy(fresh.model).train(), fresh.batch
        freezing.freeze_body(model)
        note += f"; {type(target.model).__name__} cannot be frozen ({refused}), so a fresh Transformer classifier was used"
        on = NOT_APPLICABLE
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    body = set(freezing.body_parameters(model))
    optimizer = make_optimizer(model, TrainConfig(optimizer="adamw", lr=1e-2, weight_decay=0.1))
    torch.manual_seed(target.seed)
    for _ in range(STAND_IN_STEPS):
        optimizer.zero_grad()
        output = model_output(model, batch)
        (output.float() ** 2).mean().backward()
        optimizer.step()
    after = dict(model.named_parameters())
    moved_body = [name for name in body if not torch.equal(before[name], after[name])]
    moved_head = [name for name in before if name not in body and not torch.equal(before[name], after[name])]
    detail = (
        f"a copy of the model frozen by seqlab's --freeze code, {STAND_IN_STEPS} AdamW steps (lr 1e-2, weight decay "
        f"0.1): {len(moved_body)} of {len(body)} body tensors changed (want 0), {len(moved_head)} head tensors "
        f"moved (want > 0){note}"
    )
    passed = not moved_body and bool(moved_head)
    extra = {"body tensors changed": float(len(moved_body)), "head tensors moved": float(len(moved_head))}
    return CheckResult(float(len(moved_body)), 0.0, passed, detail, extra=extra, measured_on=on)


def check_frozen_body(identity: FrozenBody, target: LiveTarget) -> CheckResult:
    """A --freeze run: its body against the pretrained source, bitwise. Otherwise: a copy frozen by seqlab's
    code and stepped by its optimizer ("not applicable" to a run trained without --freeze or a model without
    a separate, untied classification head)."""
    run = target.run
    note = ""
    if run is not None:
        if run.config.freeze:
            try:
                reference, source = _pretrained_reference(run)
            except (OSError, ValueError) as error:
                note = f"; the run's pretrained source could not be rebuilt ({error}), so a frozen copy was measured"
                return _stand_in(target, note, STAND_IN)
            return _compare_run(target, reference, source)
        note = "; the run was trained without --freeze, so the identity is not about it (shown on a frozen copy)"
        return _stand_in(target, note, NOT_APPLICABLE)
    return _stand_in(target, note, MODEL)
