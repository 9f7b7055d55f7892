"""Sentence pairs for NSP and SOP: half are real, and an order-blind model is at chance on sentence order."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class SentencePairRates(Identity):
    """NSP and SOP pairs: P(real) = 1/2; a swapped pair has the same words, so order-blind expected accuracy on SOP is 1/2."""

    id = "sentence-pairs"
    title = "NSP / SOP pairs: half real, and SOP negatives are the real pair swapped"
    conditions = (
        "every two consecutive sentences (A, B) of a text give one pair: kept with q = 1/2 (label 0), else NSP "
        "pairs A with a sentence of another text and SOP gives (B, A) (label 1). A model that sees only the "
        "unordered pair {A, B} answers the same on (A, B) and (B, A), so on SOP its expected accuracy is 1/2 (on a finite dev set the measured rate "
        "scatters around it, by about 1/(2 sqrt n))."
    )
    live_check = "seqlab.proofs.live.sentences:check_sentence_pair_rates"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """An order-blind rule says 'real' with the same probability x for (A, B) and (B, A): accuracy q x +
        (1 - q)(1 - x), which is 1/2 for every x when q = 1/2."""
        q, x = sp.symbols("q x", nonnegative=True)
        accuracy = q * x + (1 - q) * (1 - x)
        at_half = sp.simplify(accuracy.subs(q, sp.Rational(1, 2)))
        checks = [is_zero(at_half - sp.Rational(1, 2)), is_zero(sp.diff(at_half, x)),
                  not is_zero(sp.diff(accuracy, x))]
        steps = (
            ProofStep("a pair is real with probability q; an order-blind rule says 'real' with probability x "
                      "on both orders of the same two sentences", eq("P(real)", q)),
            ProofStep("its expected accuracy", eq("acc", accuracy)),
            ProofStep("with q = 1/2, as BERT and ALBERT build their pairs", eq("acc", at_half)),
            ProofStep("no choice of x helps: the order is the only signal SOP leaves",
                      eq("d acc / dx", sp.diff(at_half, x))),
        )
        return ProofResult("q = 1/2  =>  E[acc(order-blind)] = 1/2 for every x", steps, all(checks))
