"""BERT's masked-LM objective: the masking rule's expected fractions, and a loss that sees only chosen tokens."""

from __future__ import annotations

from typing import Any

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class MaskingFractions(Identity):
    """BERT's rule: P(chosen) = p, and of the chosen, P([MASK]) = m, P(random) = r, P(unchanged) = 1 - m - r."""

    id = "mlm-masking"
    part = "masked LM"
    title = "masked LM: 15% chosen, then 80% [MASK] / 10% random / 10% kept"
    conditions = (
        "each real, non-special token is chosen independently with p = 0.15; a chosen token becomes [MASK] with "
        "m = 0.8, a random ordinary token with r = 0.1, and stays itself otherwise; special tokens and padding "
        "are never chosen. Expected shares of candidate tokens: 12% [MASK], 1.5% random, 1.5% unchanged."
    )
    live_check = "seqlab.proofs.live.mlm:check_masking_fractions"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """The three outcomes of a chosen token partition it, so their shares add back up to p."""
        p, m, r = sp.symbols("p m r", positive=True)
        shares = {"[MASK]": p * m, "random": p * r, "unchanged": p * (1 - m - r)}
        total = sum(shares.values())
        published = {p: sp.Rational(3, 20), m: sp.Rational(4, 5), r: sp.Rational(1, 10)}
        values = {name: share.subs(published) for name, share in shares.items()}
        checks = [
            is_zero(total - p),
            values == {"[MASK]": sp.Rational(3, 25), "random": sp.Rational(3, 200), "unchanged": sp.Rational(3, 200)},
        ]
        steps = (
            ProofStep("a candidate token is chosen with probability p, then one of three things happens",
                      eq("P(chosen)", p)),
            ProofStep("shares of all candidates: [MASK], random token, unchanged",
                      eq("(P_mask, P_rand, P_keep)", sp.Matrix(list(shares.values())).T)),
            ProofStep("the three add back up to p: every chosen token gets exactly one outcome",
                      eq("P_mask + P_rand + P_keep", sp.simplify(total))),
            ProofStep("with BERT's p = 3/20, m = 4/5, r = 1/10 (12%, 1.5%, 1.5% of candidates)",
                      eq("(P_mask, P_rand, P_keep)", sp.Matrix(list(values.values())).T)),
        )
        return ProofResult("P_mask + P_rand + P_keep = p, with shares p m, p r, p (1 - m - r)", steps, all(checks))


class MaskedLossIgnoresUnchosen(Identity):
    """L = sum_i c_i l_i / sum_i c_i: positions with c_i = 0 (not chosen) have no gradient and no weight."""

    id = "mlm-loss"
    part = "masked LM"
    title = "masked LM loss counts only the chosen positions"
    conditions = (
        "c_i = 1 where token i was chosen (label = the original id), 0 elsewhere (label -100); "
        "L = sum_i c_i * CE(z_i, y_i) / sum_i c_i, so dL/dz_j = 0 for every unchosen j."
    )
    live_check = "seqlab.proofs.live.mlm:check_masked_loss_ignores_unchosen"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Three positions over two classes, the third unchosen: its logits do not enter L at all."""
        z = sp.Matrix(3, 2, lambda i, k: sp.Symbol(f"z{i + 1}{k + 1}", real=True))
        chosen = (1, 1, 0)
        labels = (0, 1, 0)

        def ce(i: int) -> Any:
            return -sp.log(sp.exp(z[i, labels[i]]) / (sp.exp(z[i, 0]) + sp.exp(z[i, 1])))

        loss = sum(c * ce(i) for i, c in enumerate(chosen)) / sum(chosen)
        gradient = sp.Matrix([[sp.diff(loss, z[2, k]) for k in range(2)]])
        chosen_gradient = sp.simplify(sp.diff(loss, z[0, 0]))
        checks = [all(is_zero(g) for g in gradient), not is_zero(chosen_gradient)]
        steps = (
            ProofStep("positions 1 and 2 are chosen, position 3 is not (label -100)", eq("c", sp.Matrix([chosen]))),
            ProofStep("the loss averages cross-entropy over the chosen positions", eq("L", loss)),
            ProofStep("its gradient with respect to the unchosen logits is exactly zero",
                      eq("dL/dz3", gradient)),
            ProofStep("while a chosen position's logits do move it", eq("dL/dz11", chosen_gradient)),
        )
        return ProofResult("dL/dz_j = 0 for every unchosen position j", steps, all(checks))
