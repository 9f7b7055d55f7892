"""The live checks of seqlab.proofs.mlm (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import math
from typing import Any

import torch

from seqlab.data import masking
from seqlab.data.wordpiece import WordPiece
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.mlm import BertForMaskedLM, MaskedLM
from seqlab.proofs.base import CheckResult, MODEL, STAND_IN
from seqlab.proofs.mlm import MaskedLossIgnoresUnchosen, MaskingFractions
from seqlab.proofs.target import LiveTarget, SAMPLE_TEXTS, encode_batch, exact_copy
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


def check_masking_fractions(identity: MaskingFractions, target: LiveTarget) -> CheckResult:
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


def check_masked_loss_ignores_unchosen(identity: MaskedLossIgnoresUnchosen, target: LiveTarget) -> CheckResult:
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
