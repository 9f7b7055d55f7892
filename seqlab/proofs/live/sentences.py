"""The live checks of seqlab.proofs.sentences (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import math
from typing import Any

from seqlab.data import sentence_pairs
from seqlab.data.subset import cap_examples
from seqlab.proofs.base import CheckResult, MODEL, NOT_APPLICABLE
from seqlab.proofs.sentences import SentencePairRates
from seqlab.proofs.target import LiveTarget

MIN_PAIRS = 20_000  # pairs built (over successive seeds) before the real share is compared with 1/2
MAX_TEXTS = 2_000  # a run's training texts read for the check
Z_LIMIT = 5.0  # a fair coin lands within 5 standard errors of 1/2 (p ~ 6e-7)
SAMPLE_REVIEWS: tuple[str, ...] = (
    "The acting was superb. The plot dragged in the middle. Still, I would watch it again.",
    "I expected a comedy. What I got was a slow drama. The ending made up for some of it.",
    "The first hour is gripping! Then the script runs out of ideas. Skip the sequel.",
    "Beautiful landscapes fill every frame. The dialogue, sadly, is wooden. Go for the views.",
    "My kids loved the songs. The villain was too scary for them. We left before the end.",
    "This is the best war film in years. The battle scenes feel real. The quiet scenes hit harder.",
    "Nothing happens for forty minutes. Then everything happens at once. It is exhausting.",
    "The book was better. The film cuts the best chapter. Fans will be annoyed.",
)


def _texts(target: LiveTarget) -> tuple[list[str], str]:
    """The training texts of a run trained with a sentence objective (as capped for training, at most MAX_TEXTS),
    else the sample reviews."""
    run = target.run
    if run is not None and getattr(run.config, "sentence_objective", None):
        try:
            splits = run.config.source().load().splits
        except Exception:  # noqa: BLE001 - the data moved or is gone: fall back to the sample, and say so
            splits = None
        if splits is not None:
            config = run.config
            train = cap_examples(splits.train, config.max_train_examples, config.stratify_subset, config.seed)
            texts = [e.text for e in train[:MAX_TEXTS]]
            return texts, f"run {run.run_dir.name}'s {len(texts):,} training texts"
    return list(SAMPLE_REVIEWS), f"{len(SAMPLE_REVIEWS)} sample reviews (the model has no sentence objective)"


def _broken_pairs(texts: list[str], objective: str, pairs: list[Any]) -> dict[str, float]:
    """How many pairs break the construction: a 'real' pair that is not two consecutive sentences in order, a
    negative that is not the real pair swapped (SOP) or takes its second sentence from its own text (NSP), and
    consecutive pairs used other than once."""
    sentences = [sentence_pairs.split_sentences(text) for text in texts]
    expected = sorted((d, i) for d, ss in enumerate(sentences) for i in range(len(ss) - 1))
    real_wrong = negative_wrong = 0
    for p in pairs:
        doc = sentences[p.text]
        a, b = doc[p.index], doc[p.index + 1]
        if p.real:
            real_wrong += (p.first, p.second) != (a, b)
        elif objective == "sop":
            negative_wrong += (p.first, p.second) != (b, a)
        else:
            negative_wrong += p.first != a or p.second in doc
    used = sorted((p.text, p.index) for p in pairs)
    kind = "SOP negatives not the pair swapped" if objective == "sop" else "NSP negatives from their own text"
    return {f"{objective.upper()} real pairs not consecutive": float(real_wrong), kind: float(negative_wrong),
            f"{objective.upper()} consecutive pairs not used once": float(used != expected)}


def check_sentence_pair_rates(identity: SentencePairRates, target: LiveTarget) -> CheckResult:
    """Build NSP and SOP pairs from the run's training texts (or sample reviews) over successive seeds: the
    real share against 1/2, and exact counts of pairs that break the construction."""
    texts, where = _texts(target)
    shares, exact = {}, {}
    for objective in sentence_pairs.SENTENCE_OBJECTIVES:
        real, total, seed = 0, 0, 0
        while total < MIN_PAIRS:
            pairs = sentence_pairs.build_pairs(texts, objective, seed)
            real += sum(p.real for p in pairs)
            total += len(pairs)
            problems = _broken_pairs(texts, objective, pairs)
            for name, count in problems.items():
                exact[name] = exact.get(name, 0.0) + count
            seed += 1
        shares[objective] = (real / total, total, seed)
    z = {obj: abs(share - sentence_pairs.REAL_RATE) / math.sqrt(0.25 / n) for obj, (share, n, _) in shares.items()}
    worst = max(z.values())
    passed = worst <= Z_LIMIT and not any(exact.values())
    detail = (
        f"pairs from {where}: "
        + ", ".join(f"{obj.upper()} real share {share:.4f} of {n:,} pairs ({seeds} seeds, z {z[obj]:.1f})"
                    for obj, (share, n, seeds) in shares.items())
        + "; " + ", ".join(f"{name} {int(value)}" for name, value in exact.items())
    )
    return CheckResult(worst, Z_LIMIT, passed, detail,
                       extra={**{f"z {obj}": v for obj, v in z.items()}, **exact},
                       measured_on=MODEL if where.startswith("run") else NOT_APPLICABLE)
