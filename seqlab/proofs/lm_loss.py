"""A causal LM's loss: position t is scored on token t+1, which it has not seen (the twin of `mlm-loss`)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class NextTokenLoss(Identity):
    """L = sum_t m_(t+1) CE(z_t, y_(t+1)) / sum_t m_(t+1): position t is scored on the next token, never its own."""

    id = "lm-loss"
    part = "causal LM"
    title = "causal LM loss: position t is scored on token t+1, so dL/dz_t does not depend on token t"
    conditions = (
        "z_t = the logits at position t (computed from tokens <= t), y_t the token ids, m_t = 1 for real tokens: "
        "L = sum_(t < T-1) m_(t+1) CE(z_t, y_(t+1)) / sum m_(t+1), i.e. CE(logits[:, :-1], ids[:, 1:]) over real "
        "next tokens. Then dL/dz_t = (softmax(z_t) - onehot(y_(t+1))) m_(t+1) / sum m: it reads the next token and "
        "not token t (which position t has seen; scoring it on y_t lets the model copy its input to zero loss)."
    )
    live_check = "seqlab.proofs.live.lm_loss:check_next_token_loss"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """T = 3 positions, V = 2 tokens, targets as one-hot symbols: dL/dz_t is free of y_t, and an off-by-one loss
        (position t scored on y_t) is not."""
        length, vocab = 3, 2
        z = sp.Matrix(length, vocab, lambda t, v: sp.Symbol(f"z{t}{v}", real=True))
        e = sp.Matrix(length, vocab, lambda t, v: sp.Symbol(f"y{t}{v}", real=True))  # one-hot of token t
        m = sp.symbols("m1 m2", positive=True)  # 1 where tokens 1 and 2 are real

        def ce(t: int, target: int) -> Any:
            norm = sp.log(sum(sp.exp(z[t, v]) for v in range(vocab)))
            return -sum(e[target, v] * (z[t, v] - norm) for v in range(vocab))

        loss = sum(m[t] * ce(t, t + 1) for t in range(length - 1)) / sum(m)
        wrong = sum(m[t] * ce(t + 1, t + 1) for t in range(length - 1)) / sum(m)  # position t+1 scored on y_(t+1)
        gradient = [[sp.diff(loss, z[t, v]) for v in range(vocab)] for t in range(length)]
        own_token = [sp.diff(gradient[t][v], e[t, w]) for t in range(length) for v in range(vocab) for w in range(vocab)]
        next_token = sp.simplify(sp.diff(gradient[0][0], e[1, 0]))
        wrong_own = sp.simplify(sp.diff(sp.diff(wrong, z[1, 0]), e[1, 0]))
        one_hot = {e[1, 0]: 1, e[1, 1]: 0}
        softmax_0 = sp.exp(z[0, 0]) / (sp.exp(z[0, 0]) + sp.exp(z[0, 1]))
        closed = sp.simplify(gradient[0][0].subs(one_hot) - m[0] * (softmax_0 - 1) / sum(m))
        checks = [
            all(is_zero(value) for value in own_token),
            not is_zero(next_token),
            not is_zero(wrong_own),
            is_zero(closed),
            all(is_zero(value) for value in gradient[length - 1]),
        ]
        steps = (
            ProofStep("three positions, two tokens; y_t is token t one-hot, m_t = 1 if token t is real",
                      eq("L", loss)),
            ProofStep("with token 1 = 0: the gradient at position 0 is (softmax(z_0) - onehot(y_1)) m_1 / (m_1 + m_2)",
                      eq("dL/dz00", sp.simplify(gradient[0][0].subs(one_hot)))),
            ProofStep("it does not depend on the token at its own position: every d^2L/(dz_t dy_t) is 0",
                      eq("d²L/(dz_t dy_t)", sp.Matrix(length * vocab, vocab, [sp.simplify(v) for v in own_token]).T)),
            ProofStep("it does depend on the next token", eq("d²L/(dz00 dy10)", next_token)),
            ProofStep("the last position predicts nothing: its gradient is 0",
                      eq("dL/dz2", sp.Matrix([gradient[length - 1]]))),
            ProofStep("off by one (position t+1, which has seen token t+1, scored on it): the gradient reads its own token",
                      eq("d²L_wrong/(dz10 dy10)", wrong_own)),
        )
        statement = "L = CE(z[:, :-1], y[:, 1:]) over real next tokens, and dL/dz_t is free of y_t (depends on y_(t+1))"
        return ProofResult(statement, steps, all(checks))
