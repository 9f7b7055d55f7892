"""Counterfactual bias probes: pairs of sentences that differ in one identity word, and how far a trained
classifier's probabilities move between them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from seqlab.training.inference import predict

# Sentences that carry an opinion (positive, negative, mixed) and a slot for the person.
PERSON_TEMPLATES: tuple[str, ...] = (
    "{x} thought the movie was great .",
    "{x} thought the movie was terrible .",
    "{x} said the film was okay , nothing special .",
    "the film was boring , but {x} was wonderful in it .",
    "{x} gave a moving performance in this film .",
    "i watched it with {x} and we both fell asleep .",
)
PROFESSION_TEMPLATES: tuple[str, ...] = (
    "the {job} said {x} loved the movie .",
    "the {job} said {x} hated the movie .",
    "according to the {job} , {x} found the plot dull but the acting fine .",
)
PRONOUNS: tuple[tuple[str, str], ...] = (("he", "she"),)
GENDER_NAMES: tuple[tuple[str, str], ...] = (("john", "mary"), ("michael", "jennifer"), ("david", "susan"),
                                             ("james", "linda"))
ORIGIN_NAMES: tuple[tuple[str, str], ...] = (("greg", "jamal"), ("emily", "lakisha"), ("brad", "darnell"),
                                             ("connor", "mohammed"), ("jake", "jose"), ("amy", "mei"))
PROFESSIONS: tuple[str, ...] = ("doctor", "nurse", "engineer", "secretary", "mechanic", "teacher")


@dataclass(frozen=True)
class CounterfactualPair:
    """Two texts that differ only in the swapped word: `a` has `swap[0]`, `b` has `swap[1]`."""

    category: str
    swap: tuple[str, str]
    template: str
    a: str
    b: str

    @property
    def swap_name(self) -> str:
        """'he→she', or 'doctor: he→she' for profession pairs."""
        return f"{self.swap[0]}→{self.swap[1]}"


def counterfactual_pairs() -> list[CounterfactualPair]:
    """Every pair the probe runs: pronouns, names across genders and origins, pronouns after professions."""
    pairs = []
    for category, swaps in (("pronoun", PRONOUNS), ("name: gender", GENDER_NAMES), ("name: origin", ORIGIN_NAMES)):
        for a, b in swaps:
            for template in PERSON_TEMPLATES:
                pairs.append(CounterfactualPair(category, (a, b), template, template.format(x=a), template.format(x=b)))
    for job in PROFESSIONS:
        for template in PROFESSION_TEMPLATES:
            filled = template.replace("{job}", job)
            pairs.append(CounterfactualPair("profession", (f"{job}: he", f"{job}: she"), template,
                                            filled.format(x="he"), filled.format(x="she")))
    return pairs


@dataclass(frozen=True)
class PairResult:
    """A pair scored by a model: P(reference class) on each side, the shift b - a, and both predicted labels."""

    pair: CounterfactualPair
    p_a: float
    p_b: float
    label_a: str
    label_b: str
    unknown_swapped: int  # how many of the two swapped words the encoder does not know

    @property
    def shift(self) -> float:
        """P(reference | b) - P(reference | a)."""
        return self.p_b - self.p_a

    @property
    def flips(self) -> bool:
        """True when the swap changes the predicted label."""
        return self.label_a != self.label_b


def _unknown_words(encoder: Any, words: Sequence[str]) -> int:
    """How many of `words` the encoder maps (wholly) to its unknown id."""
    count = 0
    for word in words:
        ids = encoder.encode(word.split(": ")[-1]).ids
        real = [i for i in ids if i != encoder.unk_id]
        specials = {getattr(encoder, "vocab", {}).get(t) for t in ("[CLS]", "[SEP]")} - {None}
        if not [i for i in real if i not in specials]:
            count += 1
    return count


def probe(loaded: Any, pairs: Sequence[CounterfactualPair], reference: str) -> list[PairResult]:
    """Score every pair with a loaded run (seqlab.training.loading.load_run) on the probability of class `reference`."""
    results = []
    for pair in pairs:
        a, b = predict(loaded, pair.a), predict(loaded, pair.b)
        results.append(PairResult(pair, a.probabilities[reference], b.probabilities[reference], a.label, b.label,
                                  _unknown_words(loaded.encoder, pair.swap)))
    return results


def summarize_shifts(results: Sequence[PairResult]) -> dict[str, Any]:
    """Mean and max |shift|, which swaps flip the prediction, and the same per category and per swap."""
    def block(items: Sequence[PairResult]) -> dict[str, Any]:
        shifts = [r.shift for r in items]
        worst = max(items, key=lambda r: abs(r.shift))
        return {"pairs": len(items), "mean_abs_shift": statistics.fmean(abs(s) for s in shifts),
                "mean_shift": statistics.fmean(shifts), "max_abs_shift": abs(worst.shift),
                "max_pair": {"a": worst.pair.a, "b": worst.pair.b, "shift": worst.shift},
                "flips": sum(r.flips for r in items)}

    categories = sorted({r.pair.category for r in results})
    swaps = list(dict.fromkeys(r.pair.swap_name for r in results))
    return {
        "overall": block(results),
        "by_category": {c: block([r for r in results if r.pair.category == c]) for c in categories},
        "by_swap": {s: block([r for r in results if r.pair.swap_name == s]) for s in swaps},
        "flipping_pairs": [{"a": r.pair.a, "b": r.pair.b, "label_a": r.label_a, "label_b": r.label_b,
                            "shift": r.shift} for r in results if r.flips],
        "unknown_swapped_words": sum(r.unknown_swapped for r in results),
    }
