"""The live checks of seqlab.proofs.masks (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import copy

import torch
from torch import nn

from seqlab.proofs.base import CheckResult, MODEL, NOT_APPLICABLE, STAND_IN
from seqlab.proofs.masks import CausalMask, PaddingMask
from seqlab.proofs.target import (
    LiveTarget,
    TRAIN_DROPOUT,
    attention_modules,
    attention_weights,
    claims_causal,
    exact_copy,
    fixed_draws,
    measuring_copy,
    model_output,
    other_token_ids,
    per_position_outputs,
    text_batch,
    vector_jacobian_products,
)


def _training_copy(attention: nn.Module) -> nn.Module:
    """The attention copy in train mode, its dropout rate raised to TRAIN_DROPOUT when it is 0."""
    trained = copy.deepcopy(attention).train()
    if getattr(trained, "dropout_p", None) == 0:
        trained.dropout_p = TRAIN_DROPOUT
    return trained


def _attend(
    attention: nn.Module, x: torch.Tensor, mask: torch.Tensor | None, causal: bool, need_weights: bool, target: LiveTarget
) -> torch.Tensor:
    """One attention call under fixed draws (a train-mode module drops the same weights every call)."""
    with torch.no_grad(), fixed_draws(target, 1000):
        return attention(x, attention_mask=mask, causal=causal, need_weights=need_weights)[0]


def _whole_model_future(target: LiveTarget, parts: dict[str, float]) -> tuple[str, str]:
    """Run the model's own forward (eval, then train with dropout under fixed draws), change every token after a
    cut point, and record how far any per-position output before it moves; returns (detail, measured_on)."""
    batch = text_batch(target)
    if batch is None:
        return "; the model's own forward could not be run (no text and no embedding), so only its attention was measured", STAND_IN
    ids = batch["input_ids"]
    length = ids.shape[1]
    swaps = [other_token_ids(batch, (ids.shape[0], length - t - 1), target.generator(700 + t)) for t in range(length - 1)]
    first_moved = ""
    counted = 0
    raised = 0
    for train, key in ((False, "earlier hidden states moved (whole model)"),
                       (True, "earlier hidden states moved (whole model, train)")):
        model, raised_here = measuring_copy(target.model, target, train)
        raised = max(raised, raised_here)
        worst = 0.0
        with fixed_draws(target, 2000):
            base = per_position_outputs(model, batch)
        counted = len(base)
        for t, swap in enumerate(swaps):
            changed = dict(batch)
            changed["input_ids"] = ids.clone()
            changed["input_ids"][:, t + 1 :] = swap
            with fixed_draws(target, 2000):
                moved = per_position_outputs(model, changed)
            for before, after in zip(base, moved):
                gap = float((after.before(t).double() - before.before(t).double()).abs().max())
                if gap > target.rounding and not first_moved:
                    first_moved = f"{before.name} ({'train' if train else 'eval'} mode)"
                worst = max(worst, gap)
        parts[key] = worst
    leak = f"; the first output a later token moved: {first_moved}" if first_moved else ""
    dropout = f" ({raised} dropout rate(s) of 0 raised to {TRAIN_DROPOUT} for train mode)" if raised else ""
    return (
        f"; whole {type(target.model).__name__} through its own forward: {counted} per-position outputs read by hooks "
        f"(embeddings, attention, blocks, logits), every token after each of {length - 1} cut points changed, "
        f"eval and train mode{dropout}{leak}",
        MODEL,
    )


def _future_jacobian(attention: nn.Module, x: torch.Tensor, target: LiveTarget) -> float:
    """Largest |d out_t / d x_s| over s > t, for both paths.

    One batched backward pass: cotangent t is random on output position t and zero elsewhere, so
    gradient t is (d out_t / d x)^T applied to it; a block that is not zero would show up with probability 1.
    """
    worst = 0.0
    batch, length, width = x.shape
    cotangents = torch.zeros(length, batch, length, width, dtype=x.dtype, device=x.device)
    for t in range(length):
        cotangents[t, :, t] = target.randn(batch, width, offset=300 + t)
    for need_weights in (True, False):
        inputs = x.detach().clone().requires_grad_(True)
        out, _ = attention(inputs, causal=True, need_weights=need_weights)
        grads = vector_jacobian_products(out, inputs, cotangents)
        for t in range(length - 1):
            worst = max(worst, float(grads[t, :, t + 1 :].abs().max()))
    return worst


def _whole_model_pads(target: LiveTarget, parts: dict[str, float]) -> str:
    """Give the whole model other ids at its pad positions, in eval and in train mode (fixed draws), and record how
    far its outputs at real positions (or its per-sentence outputs) move; returns the detail's sentence."""
    batch = target.batch
    if batch is None or not bool((~batch["attention_mask"]).any()):
        return ""
    real = batch["attention_mask"]
    swapped = dict(batch)
    replacement = other_token_ids(batch, tuple(batch["input_ids"].shape), target.generator(600))
    swapped["input_ids"] = torch.where(real, batch["input_ids"], replacement)
    raised = 0
    try:
        for train, key in ((False, "real outputs moved (whole model)"), (True, "real outputs moved (whole model, train)")):
            model, raised_here = measuring_copy(target.model, target, train)
            raised = max(raised, raised_here)
            with torch.no_grad():
                with fixed_draws(target, 3000):
                    base = model_output(model, batch)
                with fixed_draws(target, 3000):
                    moved = model_output(model, swapped)
            if base.dim() >= 3 and base.shape[:2] == real.shape:
                base, moved = base[real], moved[real]
            parts[key] = float((moved.double() - base.double()).abs().max())
    except TypeError:
        return "; the whole model could not be run here, so only its attention modules were measured"
    dropout = f"; {raised} dropout rate(s) of 0 raised to {TRAIN_DROPOUT} for train mode" if raised else ""
    return (
        f"; the whole model ({type(target.model).__name__}) got other ids at its {int((~real).sum())} pad positions, "
        f"in eval and in train mode{dropout}"
    )


def check_causal_mask(identity: CausalMask, target: LiveTarget) -> CheckResult:
    """Run the model's own forward and show that no later token moves an earlier position's output (eval and
    train mode, dropout under fixed draws); then each attention module: weights, row sums, Jacobian blocks."""
    if not claims_causal(target.model, target.run.task if target.run is not None else None):
        detail = (
            f"{type(target.model).__name__} is bidirectional (not a CausalLM, not an lm run, nothing in it built "
            "with causal=True: every token sees the whole sentence), so the causal mask does not apply to it; a "
            "causal model is measured by `seqlab check causal-mask --fresh` or on an --task lm run"
        )
        return CheckResult(0.0, target.rounding, True, detail, measured_on=NOT_APPLICABLE)
    modules, note, on = attention_modules(target)
    parts = {
        "weights above diagonal": 0.0, "|row sum - 1|": 0.0, "share of weights on or below diagonal at 0": 0.0,
        "fused vs explicit weights": 0.0, "earlier outputs moved": 0.0, "earlier outputs moved (train)": 0.0,
        "Jacobian blocks": 0.0,
    }
    length = 8
    for index, (_, module) in enumerate(modules):
        attention = exact_copy(module, target)
        d = attention.d_model
        x = target.randn(2, length, d, offset=100 + index)
        upper = torch.ones(length, length, dtype=torch.bool, device=x.device).triu(1)
        weights = attention_weights(attention, x, None, True)
        parts["fused vs explicit weights"] = max(
            parts["fused vs explicit weights"], float((weights["fused"] - weights["explicit"]).abs().max())
        )
        for probs in weights.values():
            parts["weights above diagonal"] = max(parts["weights above diagonal"], float(probs[..., upper].abs().max()))
            parts["|row sum - 1|"] = max(parts["|row sum - 1|"], float((probs.sum(-1) - 1).abs().max()))
            # the diagonal itself must stay visible: a strict mask (tril(-1)) would hide token t from itself
            parts["share of weights on or below diagonal at 0"] = max(
                parts["share of weights on or below diagonal at 0"], float((probs[..., ~upper] == 0).double().mean())
            )
        changed = [x.clone() for _ in range(length - 1)]
        for t, moved_input in enumerate(changed):
            moved_input[:, t + 1 :] = target.randn(2, length - t - 1, d, offset=200 + t)
        for mode, key in ((False, "earlier outputs moved"), (True, "earlier outputs moved (train)")):
            runner = _training_copy(attention) if mode else attention
            for need_weights in (True, False):
                base = _attend(runner, x, None, True, need_weights, target)
                for t, moved_input in enumerate(changed):
                    moved = _attend(runner, moved_input, None, True, need_weights, target)
                    parts[key] = max(parts[key], float((moved[:, : t + 1] - base[:, : t + 1]).abs().max()))
        parts["Jacobian blocks"] = max(parts["Jacobian blocks"], _future_jacobian(attention, x, target))
    whole, whole_on = _whole_model_future(target, parts)
    measured = max(parts.values())
    detail = (
        f"{len(modules)} attention module(s), float64, weights read from both the explicit and the fused path "
        "(the one the model runs), outputs in eval and in train mode (dropout on, the same draws for both inputs); "
        + ", ".join(f"{name} {value:.1e}" for name, value in parts.items())
        + f"; Jacobian blocks by autograd, a random cotangent per output position{whole}{note}"
    )
    # The masked quantities are exact zeros; the tolerance only absorbs rounding in row sums.
    return CheckResult(
        measured, target.rounding, measured <= target.rounding, detail, extra=parts,
        measured_on=MODEL if whole_on == MODEL else on,
    )


def check_padding_mask(identity: PaddingMask, target: LiveTarget) -> CheckResult:
    """Change the pad vectors fed to each attention module, and the pad ids fed to the whole model, in eval and
    in train mode (dropout on, the same draws for both inputs)."""
    modules, note, on = attention_modules(target)
    parts = {"pad weights": 0.0, "|real row sum - 1|": 0.0, "fused vs explicit weights": 0.0,
             "real outputs moved (attention)": 0.0, "real outputs moved (attention, train)": 0.0}
    lengths = torch.tensor([8, 5, 2], device=target.device)
    length = 8
    mask = torch.arange(length, device=target.device)[None, :] < lengths[:, None]
    for index, (_, module) in enumerate(modules):
        attention = exact_copy(module, target)
        x = target.randn(3, length, attention.d_model, offset=400 + index)
        changed = torch.where(mask[..., None], x, target.randn(3, length, attention.d_model, offset=500 + index) * 5)
        for causal in (False, True):
            weights = attention_weights(attention, x, mask, causal)
            parts["fused vs explicit weights"] = max(
                parts["fused vs explicit weights"], float((weights["fused"] - weights["explicit"]).abs().max())
            )
            for probs in weights.values():
                pad_keys = (~mask)[:, None, None, :].expand_as(probs)
                real_queries = mask[:, None, :].expand(probs.shape[:3])
                parts["pad weights"] = max(parts["pad weights"], float(probs[pad_keys].abs().max()))
                # every real query keeps a full distribution over the real keys (a query-side mask breaks this)
                row_sums = probs.masked_fill(pad_keys, 0).sum(-1)[real_queries]
                parts["|real row sum - 1|"] = max(parts["|real row sum - 1|"], float((row_sums - 1).abs().max()))
        for train, key in ((False, "real outputs moved (attention)"), (True, "real outputs moved (attention, train)")):
            runner = _training_copy(attention) if train else attention
            for causal in (False, True):
                for need_weights in (True, False):
                    base = _attend(runner, x, mask, causal, need_weights, target)
                    moved = _attend(runner, changed, mask, causal, need_weights, target)
                    parts[key] = max(parts[key], float((moved[mask] - base[mask]).abs().max()))
    whole = _whole_model_pads(target, parts)
    measured = max(parts.values())
    detail = (
        f"{len(modules)} attention module(s), float64, with and without the causal mask, weights and outputs of "
        "both the explicit and the fused path (the one the model runs), outputs in eval and in train mode "
        "(dropout on, the same draws for both inputs); "
        + ", ".join(f"{name} {value:.1e}" for name, value in parts.items())
        + whole
        + note
    )
    # The masked quantities are exact zeros; the tolerance only absorbs rounding in row sums.
    return CheckResult(
        measured, target.rounding, measured <= target.rounding, detail, extra=parts, measured_on=on
    )
