"""BERT's masked-LM objective: the masking rule's expected fractions, and a loss that sees only chosen tokens."""

from __future__ import annotations

import math
from typing import Any

import sympy as sp
import torch

from seqlab.data import masking
from seqlab.data.wordpiece import WordPiece
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.mlm import BertForMaskedLM, MaskedLM
from seqlab.proofs.base import MODEL, STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.target import SAMPLE_TEXTS, LiveTarget, encode_batch, exact_copy
from seqlab.training.mlm_task import masking_rule


REPEATS = 2000  # copies of the live batch masked independently, so the fractions are measured on ~10^5 tokens
SPLIT_WORD_TEXTS: tuple[str, ...] = (  # words WordPiece cuts into ## pieces, for the whole-word check
    "an unwatchable , overlong melodrama from a screenwriter who adores flashbacks",
    "the cinematographer's hypnotic , shimmering landscapes",
)
LOSS_COPIES = 4  # the loss check masks 4 independent copies of the live batch at once
Z_LIMIT = 5.0  # a correct rule lands within 5 standard errors of every expected fraction (p ~ 6e-7 per fraction)


def _mlm_subject(target: LiveTarget) -> tuple[Any, Any, dict[str, torch.Tensor], str, str]:
    """(masked LM, its text encoder, a batch of real text, note, measured on): the target's own when it is a
    masked-LM run, else a fresh small BERT MLM (a stand-in) over the default WordPiece vocabulary and the sample
    sentences."""
    encoder = getattr(target, "encoder", None)
    if isinstance(target.model, MaskedLM) and encoder is not None and getattr(encoder, "mask_id", None) is not None:
        batch = target.batch if target.batch is not None else encode_batch(encoder, SAMPLE_TEXTS, target.device)
        return target.model, encoder, batch, "", MODEL

    encoder = WordPiece.default()
    torch.manual_seed(target.seed)
    config = BertConfig(vocab_size=encoder.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                        pad_token_id=encoder.pad_id)
    model = BertForMaskedLM(BertModel(config)).to(target.device).eval()
    batch = encode_batch(encoder, SAMPLE_TEXTS, target.device)
    note = f"; {type(target.model).__name__} has no masked-LM head, so a fresh small BERT MLM was used"
    return model, encoder, batch, note, STAND_IN


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

    def check(self, target: LiveTarget) -> CheckResult:
        """Mask the live batch REPEATS times with the rule the run trained with (read from its config; BERT's
        default for a model that is not a masked-LM run) and compare every share with that rule's expectation.

        Under whole-word masking the coin is flipped once per word, so the chosen share is counted over words
        (pieces of one word are not independent draws), and no ## piece may be chosen apart from its word.
        """
        _, encoder, batch, note, on = _mlm_subject(target)
        rule, whose = training_rule(target)
        vocab = masking.MaskVocab.of(encoder)
        ids = batch["input_ids"].cpu().repeat(REPEATS, 1)
        real = batch["attention_mask"].cpu().repeat(REPEATS, 1)
        out = masking.mask_tokens(ids, real, vocab, rule, target.generator(700))
        special = torch.isin(ids, torch.tensor(vocab.special_ids)) | ~real
        follows = _continues_a_word(ids, ~special, vocab)  # a ## piece after a real piece: part of that word
        whole_word = rule.whole_word and bool(vocab.continuation_ids)
        units = ~special & ~follows if whole_word else ~special  # what the coin is flipped for: words or pieces
        candidates = int(units.sum())
        chosen_units = int((out.chosen & units).sum())
        chosen = int(out.chosen.sum())
        kept = out.chosen & ~out.masked & ~out.randomized
        measured_shares = {
            f"chosen of candidate {'words' if whole_word else 'tokens'}": (chosen_units / candidates, rule.probability,
                                                                            candidates),
            "[MASK] of chosen": (int(out.masked.sum()) / chosen, rule.mask_fraction, chosen),
            "random of chosen": (int(out.randomized.sum()) / chosen, rule.random_fraction, chosen),
            "unchanged of chosen": (int(kept.sum()) / chosen, rule.keep_fraction, chosen),
        }
        z = {name: abs(share - expected) / math.sqrt(expected * (1 - expected) / n)
             for name, (share, expected, n) in measured_shares.items()}
        exact = {
            "special or pad chosen": float((out.chosen & special).sum()),
            "labels set off the chosen": float(((out.labels != masking.IGNORE_INDEX) != out.chosen).sum()),
            "chosen labels not the original": float((out.labels[out.chosen] != ids[out.chosen]).sum()),
            "unchanged inputs altered": float((out.input_ids[kept] != ids[kept]).sum()),
            "[MASK] inputs not [MASK]": float((out.input_ids[out.masked] != vocab.mask_id).sum()),
        }
        whole = ""
        if whole_word:
            previous = torch.roll(out.chosen, 1, dims=1)
            exact["whole words split"] = float((follows & (out.chosen != previous)).sum())
            pieces = encode_batch(encoder, SPLIT_WORD_TEXTS, torch.device("cpu"))  # words WordPiece splits, too
            word_ids = pieces["input_ids"].repeat(REPEATS // 10, 1)
            word_real = pieces["attention_mask"].repeat(REPEATS // 10, 1)
            words = masking.mask_tokens(word_ids, word_real, vocab, rule, target.generator(701))
            cont = _continues_a_word(word_ids, word_real & ~torch.isin(word_ids, torch.tensor(vocab.special_ids)), vocab)
            exact["whole words split"] += float((cont & (words.chosen != torch.roll(words.chosen, 1, dims=1))).sum())
            whole = (f"; whole-word masking: {int(follows.sum()) + int(cont.sum())} ## pieces, "
                     f"{int(exact['whole words split'])} chosen apart from their word")
        elif rule.whole_word:
            whole = "; whole-word masking is on, but this vocabulary has no ## pieces, so every word is one piece"
        worst = max(z.values())
        passed = worst <= Z_LIMIT and not any(exact.values())
        detail = (
            f"{whose}: p {rule.probability}, [MASK] {rule.mask_fraction}, random {rule.random_fraction}, "
            f"whole words {'on' if rule.whole_word else 'off'}; {REPEATS} maskings of {batch['input_ids'].size(0)} "
            f"sentences, {candidates} candidate {'words' if whole_word else 'tokens'}: "
            + ", ".join(f"{name} {share:.4f} (expected {expected:.3f}, z {z[name]:.1f})"
                        for name, (share, expected, _) in measured_shares.items())
            + "; " + ", ".join(f"{name} {int(value)}" for name, value in exact.items()) + whole + note
        )
        extra = {**{f"z {k}": v for k, v in z.items()}, **exact, "whole_word": float(rule.whole_word)}
        return CheckResult(worst, Z_LIMIT, passed, detail, extra=extra, measured_on=on)


def training_rule(target: LiveTarget) -> tuple[masking.MaskingRule, str]:
    """The masking rule the target's run trained with (from its config), or BERT's default when the target is not a
    masked-LM run; with a phrase saying which."""
    run = target.run
    if run is not None and run.task == "mlm":
        return masking_rule(run.config), "the rule this run trained with (its config.json)"
    return masking.MaskingRule(), "BERT's default rule (the target is not a masked-LM run)"


def _continues_a_word(ids: torch.Tensor, candidates: torch.Tensor, vocab: masking.MaskVocab) -> torch.Tensor:
    """[B,T] bool: a ## piece right after a candidate piece, i.e. the rest of a word whole-word masking keeps whole."""
    if not vocab.continuation_ids:
        return torch.zeros_like(candidates)
    cont = torch.isin(ids, torch.tensor(vocab.continuation_ids)) & candidates
    cont[:, 0] = False
    cont[:, 1:] &= candidates[:, :-1]
    return cont


class MaskedLossIgnoresUnchosen(Identity):
    """L = sum_i c_i l_i / sum_i c_i: positions with c_i = 0 (not chosen) have no gradient and no weight."""

    id = "mlm-loss"
    part = "masked LM"
    title = "masked LM loss counts only the chosen positions"
    conditions = (
        "c_i = 1 where token i was chosen (label = the original id), 0 elsewhere (label -100); "
        "L = sum_i c_i * CE(z_i, y_i) / sum_i c_i, so dL/dz_j = 0 for every unchosen j."
    )

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

    def check(self, target: LiveTarget) -> CheckResult:
        """The model's own masked-LM loss on a live masked batch against cross-entropy over the chosen positions
        computed by hand from its full logits (float64); counting every token would give a different number."""
        model, encoder, batch, note, on = _mlm_subject(target)
        rule, _ = training_rule(target)
        model = exact_copy(model, target)
        vocab = masking.MaskVocab.of(encoder)
        batch = {key: value.repeat(LOSS_COPIES, 1) for key, value in batch.items()}  # more chosen tokens
        real = batch["attention_mask"]
        for offset in range(20):  # a draw with no chosen token says nothing; take the first that has some
            out = masking.mask_tokens(batch["input_ids"], real, vocab, rule, target.generator(800 + offset))
            if bool(out.chosen.any()) and bool((out.candidates & ~out.chosen).any()):
                break
        segments = batch.get("segment_ids")
        with torch.no_grad():
            loss, count = model.mlm_loss(out.input_ids, real, out.labels, segments)
            logits = model(out.input_ids, real, segments).logits.to(torch.float64)  # [B,T,V]
        log_probs = logits.log_softmax(-1)
        originals = batch["input_ids"]
        per_token = -log_probs.gather(-1, originals.unsqueeze(-1)).squeeze(-1)  # [B,T] CE against the original
        by_hand = float(per_token[out.chosen].mean())
        everywhere = float(per_token[real].mean())
        gap = abs(float(loss) - by_hand)
        tolerance = target.rounding
        parts = {"model loss": float(loss), "CE over chosen": by_hand, "CE over every real token": everywhere,
                 "chosen": float(out.chosen.sum()), "real tokens": float(real.sum())}
        telling = abs(everywhere - by_hand) > 100 * tolerance
        detail = (
            f"{type(model).__name__} on {real.size(0) // LOSS_COPIES} sentences x {LOSS_COPIES} maskings, "
            f"{int(out.chosen.sum())} of {int(real.sum())} real "
            f"tokens chosen: its loss {float(loss):.6f} vs cross-entropy over the chosen by hand {by_hand:.6f} "
            f"(gap {gap:.1e}); over every real token it would be {everywhere:.6f}"
            + ("" if telling else " (too close to tell the two apart on this batch)")
            + (f"; the model reported {count} chosen positions" if count != int(out.chosen.sum()) else "")
            + note
        )
        passed = gap <= tolerance and count == int(out.chosen.sum())
        return CheckResult(gap, tolerance, passed, detail, extra=parts, measured_on=on)
