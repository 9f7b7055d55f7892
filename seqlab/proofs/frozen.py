"""Frozen body: a parameter with no gradient is never moved by the optimizer, so --freeze keeps the body bitwise."""

from __future__ import annotations

import copy
from pathlib import Path

import sympy as sp
import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.factory import build_model
from seqlab.proofs.base import MODEL, STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq
from seqlab.proofs.target import LiveTarget, model_output, target_fresh
from seqlab.training import freezing
from seqlab.training.config import TrainConfig
from seqlab.training.optimizers import make_optimizer
from seqlab.training.loading import LoadedRun
from seqlab.training.transfer import init_from_run

STAND_IN_STEPS = 3


class FrozenBody(Identity):
    """With requires_grad off, every update rule leaves the parameter exactly where it was."""

    id = "frozen-body"
    title = "frozen body: after --freeze every body weight is bitwise the pretrained one"
    conditions = (
        "parameters with requires_grad off get no gradient and are left out of the optimizer (seqlab builds it from "
        "trainable parameters only): an update theta - lr * step(g, theta) never touches them, weight decay and "
        "momentum included. So after seqlab train --freeze the body equals the pretrained body bit for bit, and only "
        "the head has moved. Checked on the run folder for a --freeze run; otherwise on a copy of the model frozen "
        "by seqlab's own code and stepped by its optimizer."
    )

    def prove(self) -> ProofResult:
        """The update of a trainable vs a frozen parameter under SGD with momentum and weight decay, and Adam(W)."""
        theta, g, lr, lam, mu, buf = sp.symbols("theta g eta lambda mu b", real=True)
        frozen = sp.Symbol("frozen", boolean=True)
        sgd = theta - lr * (mu * buf + g + lam * theta)
        # A frozen parameter is not in the optimizer's list: its update is the identity map.
        update = sp.Piecewise((theta, frozen), (sgd, True))
        m, v, eps = sp.symbols("m v epsilon", positive=True)
        adamw = theta - lr * (m / (sp.sqrt(v) + eps) + lam * theta)
        adamw_update = sp.Piecewise((theta, frozen), (adamw, True))
        checks = [
            update.subs(frozen, True) == theta,
            adamw_update.subs(frozen, True) == theta,
            sp.simplify(update.subs(frozen, False) - theta) != 0,
        ]
        steps = (
            ProofStep("SGD with momentum mu and weight decay lambda, trainable parameter", eq("theta'", sgd)),
            ProofStep("the optimizer holds trainable parameters only, so for a frozen one", eq("theta'", update)),
            ProofStep("AdamW, likewise", eq("theta'", adamw_update)),
            ProofStep("with frozen true, both are the identity map", eq("theta' |_frozen", update.subs(frozen, True))),
            ProofStep(
                "n steps of the identity map are the identity: the body after training is the body before it",
                eq("theta_n", sp.Symbol("theta_0")),
            ),
        )
        return ProofResult("a frozen parameter is unchanged by any number of optimizer steps", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
        """A --freeze run: its body against the pretrained source, bitwise. Otherwise: a frozen copy stepped by seqlab."""
        run = target.run
        note = ""
        if run is not None:
            if run.config.freeze:
                try:
                    reference, source = _pretrained_reference(run)
                except (OSError, ValueError) as error:
                    note = f"; the run's pretrained source could not be rebuilt ({error}), so a frozen copy was measured"
                else:
                    return _compare_run(target, reference, source)
            else:
                note = "; the run was trained without --freeze, so a frozen copy of it was measured"
        return _stand_in(target, note)


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


def _stand_in(target: LiveTarget, note: str) -> CheckResult:
    """Freeze a copy with seqlab's --freeze code, take a few AdamW steps (weight decay on), compare bitwise."""
    model, batch = target.model, target.batch
    if batch is None or getattr(model, "head", None) is None and getattr(model, "classifier", None) is None:
        fresh = target_fresh(target.device, target.seed)
        model, batch = fresh.model, fresh.batch
        note += "; the model has no text batch or no classification head, so a fresh Transformer classifier was used"
    model = copy.deepcopy(model).train()
    freezing.freeze_body(model)
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
    return CheckResult(float(len(moved_body)), 0.0, passed, detail, extra=extra, measured_on=STAND_IN)
