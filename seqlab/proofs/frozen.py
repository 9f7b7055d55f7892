"""Frozen body: a parameter with no gradient is never moved by the optimizer, so --freeze keeps the body bitwise."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


class FrozenBody(Identity):
    """With requires_grad off, every update rule leaves the parameter exactly where it was."""

    id = "frozen-body"
    title = "frozen body: after --freeze every body weight is bitwise the pretrained one (a definition and a code check)"
    conditions = (
        "parameters with requires_grad off get no gradient and are left out of the optimizer (seqlab builds it from "
        "trainable parameters only): an update theta - lr * step(g, theta) never touches them, weight decay and "
        "momentum included. So after seqlab train --freeze the body equals the pretrained body bit for bit, and only "
        "the head has moved. Checked on the run folder for a --freeze run; otherwise on a copy of the model frozen "
        "by seqlab's own code and stepped by its optimizer."
    )
    live_check = "seqlab.proofs.live.frozen:check_frozen_body"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """A definition, then what sympy can say: why freezing must mean "left out of the optimizer", not "gradient 0".

        That a parameter no update touches stays put is true by definition (a tautology, not a theorem); what can
        go wrong is the code that is meant to leave the body out, which is what the live check measures. The
        algebra shows the trap: a parameter still held by the optimizer moves under weight decay or momentum even
        when its gradient is exactly 0.
        """
        theta, lr, lam, mu, buf = sp.symbols("theta eta lambda mu b", real=True)
        g = sp.Integer(0)  # a zero gradient, as for a parameter that requires_grad is off for but the optimizer holds
        sgd_decay = theta - lr * (g + lam * theta)  # SGD with L2 weight decay
        sgd_momentum = theta - lr * (mu * buf + g)  # SGD with a momentum buffer left from earlier steps
        adamw_decay = theta - lr * lam * theta  # AdamW's decoupled decay (torch skips a parameter whose grad is None)
        moved = {name: sp.factor(rule - theta) for name, rule in
                 (("sgd weight decay", sgd_decay), ("sgd momentum", sgd_momentum), ("adamw decay", adamw_decay))}
        checks = [
            sp.simplify(moved["sgd weight decay"] + lr * lam * theta) == 0,
            sp.simplify(moved["sgd momentum"] + lr * mu * buf) == 0,
            all(value.subs({theta: 1, lr: sp.Rational(1, 10), lam: sp.Rational(1, 100), mu: sp.Rational(9, 10), buf: 1})
                != 0 for value in moved.values()),
        ]
        steps = (
            ProofStep("definition: a frozen parameter is one the optimizer does not hold (seqlab: requires_grad off, "
                      "and the optimizer built from trainable parameters only), so no step updates it",
                      "theta' = theta  (by definition: nothing to prove)"),
            ProofStep("what the definition rules out: a parameter still held with gradient 0 moves under SGD's "
                      "weight decay", eq("theta' - theta", moved["sgd weight decay"])),
            ProofStep("... under a momentum buffer from earlier steps", eq("theta' - theta", moved["sgd momentum"])),
            ProofStep("... and under AdamW's decoupled decay if its gradient is a zero tensor rather than None",
                      eq("theta' - theta", moved["adamw decay"])),
            ProofStep("so the claim rests on the code leaving the body out of the optimizer: the live check "
                      "compares the body bit for bit", "seqlab check frozen-body --run RUN"),
        )
        statement = ("definition: a frozen parameter is one no optimizer step touches; a held one moves even at "
                     "gradient 0 (weight decay, momentum), so the code is what is checked")
        return ProofResult(statement, steps, all(checks))
