"""Attention masks: a causal mask hides the future, a padding mask hides the pad tokens."""

from __future__ import annotations

import copy

import sympy as sp
import torch
from sympy.simplify.simplify import factor_sum
from torch import nn

from seqlab.proofs.base import MODEL, NOT_APPLICABLE, STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq
from seqlab.proofs.target import (
    TRAIN_DROPOUT,
    LiveTarget,
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


def _display_weights(length: int, blocked: list[list[bool]]) -> sp.Matrix:
    """The weight matrix written with e_ij = exp(logit_ij): what the proof shows (the algebra uses the full form)."""
    e = [[sp.Symbol(f"e{i + 1}{j + 1}", positive=True) for j in range(length)] for i in range(length)]
    rows = [sum(e[i][j] for j in range(length) if not blocked[i][j]) for i in range(length)]
    return sp.Matrix(length, length, lambda i, j: 0 if blocked[i][j] else e[i][j] / rows[i])


def _symbolic_attention(
    length: int, blocked: list[list[bool]]
) -> tuple[list[sp.Symbol], sp.Matrix, sp.Matrix]:
    """One-head attention over scalar tokens x_1..x_T (q = a x, k = b x, v = c x) with blocked pairs set to -oo.

    Returns the inputs, the weight matrix and the output vector, all symbolic.
    """
    a, b, c = sp.symbols("a b c", real=True)
    xs = list(sp.symbols(f"x1:{length + 1}", real=True))
    logits = sp.Matrix(length, length, lambda i, j: -sp.oo if blocked[i][j] else (a * xs[i]) * (b * xs[j]))
    exps = logits.applyfunc(sp.exp)  # exp(-oo) is exactly 0 in sympy
    weights = sp.Matrix(length, length, lambda i, j: exps[i, j] / sum(exps[i, :]))
    outputs = weights * sp.Matrix([c * x for x in xs])
    return xs, weights, outputs


SIZES_UP_TO = 4  # the symbolic proofs write the weights out for every sequence length up to this one


def _indicator_causal() -> tuple[bool, sp.Expr, sp.Expr]:
    """Any T, in indicator form: exp(-oo) = 0 turns row i's sums over j = 1..T into sums over j = 1..i.

    Returns (verified, the row sum, dy_i/dx_(i+m)) for symbolic i and m >= 1 (sympy, not a fixed T).
    """
    i, j, k, m = sp.symbols("i j k m", integer=True, positive=True)
    a, b, c = sp.symbols("a b c", real=True)
    x = sp.IndexedBase("x", real=True)
    weight = sp.exp(a * b * x[i] * x[j]) / sp.Sum(sp.exp(a * b * x[i] * x[k]), (k, 1, i))
    row_sum = sp.simplify(factor_sum(sp.Sum(weight, (j, 1, i))).xreplace({k: j}))
    later = sp.simplify(sp.diff(sp.Sum(weight * c * x[j], (j, 1, i)), x[i + m]).doit())
    return row_sum == 1 and later == 0, row_sum, later


def _indicator_padding() -> tuple[bool, sp.Expr, sp.Expr]:
    """Any T, in indicator form, R real tokens then pads: a real query i = R - n sums over the keys j = 1..R only.

    Returns (verified, the real row sum, dy_i/dx_(R+m)) for symbolic R, n >= 0, m >= 1.
    """
    j, k, m, real = sp.symbols("j k m R", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    a, b, c = sp.symbols("a b c", real=True)
    x = sp.IndexedBase("x", real=True)
    i = real - n
    weight = sp.exp(a * b * x[i] * x[j]) / sp.Sum(sp.exp(a * b * x[i] * x[k]), (k, 1, real))
    row_sum = sp.simplify(factor_sum(sp.Sum(weight, (j, 1, real))).xreplace({k: j}))
    pad = sp.simplify(sp.diff(sp.Sum(weight * c * x[j], (j, 1, real)), x[real + m]).doit())
    return row_sum == 1 and pad == 0, row_sum, pad


def _mask_facts(blocked: list[list[bool]], queries: range) -> bool:
    """For one blocked pattern: blocked weights are 0, every row sums to 1, and no output of `queries` has a
    blocked input in it."""
    length = len(blocked)
    xs, weights, outputs = _symbolic_attention(length, blocked)
    return (
        all(weights[i, j] == 0 for i in range(length) for j in range(length) if blocked[i][j])
        and all(sp.cancel(sum(weights[i, :]) - 1) == 0 for i in range(length))
        and all(sp.diff(outputs[i], xs[j]) == 0 for i in queries for j in range(length) if blocked[i][j])
    )


def _causal_facts(length: int) -> bool:
    """For one T: the masked weights are 0, rows sum to 1, and no output has a later input in it."""
    return _mask_facts([[j > i for j in range(length)] for i in range(length)], range(length))


def _padding_facts(length: int, pads: int) -> bool:
    """For one T and the last `pads` tokens padded: pad weights 0, rows sum to 1, real outputs free of pads."""
    real = length - pads
    return _mask_facts([[j >= real for j in range(length)] for _ in range(length)], range(real))


class CausalMask(Identity):
    """With the square subsequent mask, position t never sees positions after t."""

    id = "causal-mask"
    part = "attention"
    title = "causal mask: no output depends on a later input"
    conditions = (
        "logits of key j > query i set to -inf (or the most negative float) before the softmax: those weights are "
        "exactly 0, each row still sums to 1, and output t has zero Jacobian with respect to every input after t."
    )

    def prove(self) -> ProofResult:
        """Symbolic one-head attention with the causal mask for every T up to SIZES_UP_TO; display T = 3."""
        checks = [_causal_facts(size) for size in range(1, SIZES_UP_TO + 1)]
        general, general_sum, general_later = _indicator_causal()
        length = 3
        blocked = [[j > i for j in range(length)] for i in range(length)]
        xs, weights, outputs = _symbolic_attention(length, blocked)
        jacobian = outputs.jacobian(sp.Matrix(xs))
        _, _, open_outputs = _symbolic_attention(length, [[False] * length for _ in range(length)])
        open_jacobian = open_outputs.jacobian(sp.Matrix(xs))
        logit_names = sp.Matrix(length, length, lambda i, j: sp.Symbol(f"l{i + 1}{j + 1}") if j <= i else -sp.oo)
        shown_weights = _display_weights(length, blocked)
        values = sp.Matrix(sp.symbols(f"v1:{length + 1}"))
        pattern = jacobian.applyfunc(lambda e: 0 if e == 0 else sp.Symbol("*"))
        size = sp.count_ops(open_jacobian[0, 2])
        steps = (
            ProofStep(
                "scalar tokens, one head: q_i = a x_i, k_j = b x_j, v_j = c x_j; the mask sets j > i to -oo",
                eq("L", logit_names),
            ),
            ProofStep(
                "softmax rows (e_ij = exp(l_ij)); exp(-oo) = 0, so the weights are lower triangular",
                eq("W", shown_weights),
            ),
            ProofStep(
                "each row sums to 1",
                eq("W 1", sp.Matrix([sp.simplify(sum(weights[i, :])) for i in range(length)])),
            ),
            ProofStep("output y = W v: y_t sums v_j over j <= t only", eq("y", shown_weights * values)),
            ProofStep("Jacobian dy_i/dx_j: zero above the diagonal (the future cannot leak)", eq("J", pattern)),
            ProofStep(
                "without the mask the same entry is a nonzero expression",
                f"dy1/dx3 = a {size}-operation expression in a, b, c, x1, x2, x3, not identically 0",
            ),
            ProofStep(
                f"the same facts written out entry by entry, checked by sympy for every T = 1..{SIZES_UP_TO}",
                f"T = 1..{SIZES_UP_TO}: W upper triangle 0, rows sum to 1, dy_t/dx_s = 0 for s > t",
            ),
            ProofStep(
                "any T (indicator form): exp(-oo) = 0 makes every sum over j = 1..T a sum over j = 1..i, so row i "
                "sums to 1 (symbolic i) ...",
                eq("sum_(j<=i) w_ij", general_sum),
            ),
            ProofStep(
                "... and y_i = sum_(j<=i) w_ij c x_j has no later input in it: its derivative by x_(i+m), m >= 1",
                eq("dy_i/dx_(i+m)", general_later),
            ),
        )
        statement = (
            f"with a causal mask, output t does not depend on inputs after t and weight rows sum to 1 "
            f"(one head, scalar tokens; sympy-verified for any T in indicator form, and written out for "
            f"T = 1..{SIZES_UP_TO})"
        )
        return ProofResult(statement, steps, all(checks) and general)

    def check(self, target: LiveTarget) -> CheckResult:
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


class PaddingMask(Identity):
    """With a key-padding mask, real tokens never see the pad tokens."""

    id = "padding-mask"
    part = "attention"
    title = "padding mask: real tokens ignore the pads"
    conditions = (
        "logits of every pad key set to -inf (or the most negative float) for every query: pad keys get weight "
        "exactly 0, so outputs at real positions do not depend on what the pad positions hold (ids or vectors)."
    )

    def prove(self) -> ProofResult:
        """Symbolic one-head attention with the last tokens padded, every T up to SIZES_UP_TO; display T = 3, 1 pad."""
        facts = [_padding_facts(size, pads) for size in range(2, SIZES_UP_TO + 1) for pads in range(1, size)]
        length = 3
        blocked = [[j == length - 1 for j in range(length)] for _ in range(length)]
        xs, weights, outputs = _symbolic_attention(length, blocked)
        jacobian = outputs.jacobian(sp.Matrix(xs))
        checks = [all(facts)]
        steps = (
            ProofStep(
                "x3 is a pad token: the mask sets column 3 of the logits to -oo",
                eq("L[:, 3]", sp.Matrix([-sp.oo] * length)),
            ),
            ProofStep(
                "the pad column of the weights is exactly 0 (e_ij = exp(l_ij))",
                eq("W", _display_weights(length, blocked)),
            ),
            ProofStep(
                "outputs at the real positions 1, 2 (v_j = c x_j)",
                eq("y[1:2]", outputs[: length - 1, :].applyfunc(sp.simplify)),
            ),
            ProofStep(
                "they contain no x3, so dy_i/dx3 = 0 for real i",
                eq("dy[1:2]/dx3", jacobian[: length - 1, length - 1]),
            ),
        )
        general, general_sum, general_pad = _indicator_padding()
        steps = steps + (
            ProofStep(
                f"the same facts written out for every T = 2..{SIZES_UP_TO} and every number of pads, checked by sympy",
                f"T = 2..{SIZES_UP_TO}, 1..T-1 pads: pad columns 0, rows sum to 1, dy_real/dx_pad = 0",
            ),
            ProofStep(
                "any T (indicator form), R real tokens then pads: exp(-oo) = 0 leaves the keys j = 1..R, so a real "
                "query i = R - n (n >= 0) has a row summing to 1 ...",
                eq("sum_(j<=R) w_ij", general_sum),
            ),
            ProofStep("... and no pad in its output: the derivative by x_(R+m), m >= 1", eq("dy_i/dx_(R+m)", general_pad)),
        )
        statement = (
            "outputs at real positions do not depend on pad positions (one head, scalar tokens; sympy-verified for "
            f"any T and any number of pads in indicator form, and written out for T = 2..{SIZES_UP_TO})"
        )
        return ProofResult(statement, steps, all(checks) and general)

    def check(self, target: LiveTarget) -> CheckResult:
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
