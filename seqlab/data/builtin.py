"""The built-in corpus: small sentiment and entailment datasets generated offline from a seed.

They exist so every command runs on a fresh machine. Both are learnable but not trivial: in
`builtin-sentiment` "not" flips a clause and "but" hands the verdict to the second clause; in
`builtin-entailment` the same words appear on both sides and only their roles (hypernym, negation,
who does what to whom) decide the label.
"""

from __future__ import annotations

import random
from typing import Callable

from seqlab.data.examples import Example, Splits

SENTIMENT_LABELS = ("neg", "pos")
ENTAILMENT_LABELS = ("entailment", "not_entailment")
SENTIMENT_SIZES = (3000, 400, 600)
ENTAILMENT_SIZES = (2000, 300, 500)

_SUBJECTS = (
    "movie", "film", "plot", "acting", "soundtrack", "ending", "cast", "script", "story", "dialogue",
    "pacing", "director", "camera work", "sequel", "show", "book", "food", "service", "hotel", "game",
)
_POSITIVE = (
    "good", "great", "wonderful", "brilliant", "enjoyable", "charming", "moving", "clever",
    "delightful", "superb", "fun", "beautiful", "gripping", "fresh", "excellent", "memorable",
)
_NEGATIVE = (
    "bad", "awful", "terrible", "boring", "dull", "clumsy", "weak", "tedious",
    "painful", "bland", "messy", "forgettable", "lazy", "predictable", "poor", "horrible",
)
_INTENSIFIERS = ("", "very ", "extremely ", "really ", "quite ")
_LOVE = ("loved", "enjoyed", "liked", "adored")
_HATE = ("hated", "disliked", "regretted", "resented")
_LOVE_BASE = ("love", "enjoy", "like", "recommend")
_HATE_BASE = ("hate", "dislike", "regret", "mind")
_OPENERS = ("", "", "honestly , ", "overall , ", "to be fair , ", "in the end , ")


def _adjective(rng: random.Random, positive: bool) -> str:
    return rng.choice(_POSITIVE if positive else _NEGATIVE)


def _sentiment_sentence(rng: random.Random, positive: bool) -> str:
    """One sentence whose sentiment is `positive`, from a randomly chosen template."""
    subject = rng.choice(_SUBJECTS)
    other = rng.choice([s for s in _SUBJECTS if s != subject])
    form = rng.randrange(8)
    if form == 0:  # plain: "the plot was very clever ."
        body = f"the {subject} was {rng.choice(_INTENSIFIERS)}{_adjective(rng, positive)}"
    elif form == 1:  # negation flips: "the plot was not (very) clever ." is negative
        body = f"the {subject} was not {rng.choice(_INTENSIFIERS[:2])}{_adjective(rng, not positive)}"
    elif form == 2:  # contrast: the clause after "but" decides
        first = f"the {other} was {rng.choice(_INTENSIFIERS)}{_adjective(rng, not positive)}"
        body = f"{first} but the {subject} was {rng.choice(_INTENSIFIERS)}{_adjective(rng, positive)}"
    elif form == 3:  # contrast with a negated clause on either side
        if rng.random() < 0.5:
            body = f"the {other} was {_adjective(rng, not positive)} but the {subject} was not {_adjective(rng, not positive)}"
        else:
            body = f"the {other} was not {_adjective(rng, positive)} but the {subject} was {_adjective(rng, positive)}"
    elif form == 4:  # concession: the main clause decides, whichever side of "although"/"even though" it is on
        main = f"the {subject} was {rng.choice(_INTENSIFIERS)}{_adjective(rng, positive)}"
        conceded = f"the {other} was {_adjective(rng, not positive)}"
        body = f"although {conceded} , {main}" if rng.random() < 0.5 else f"{main} even though {conceded}"
    elif form == 5:  # verbs: "i loved this film ." / "i did not enjoy this film ."
        if rng.random() < 0.5:
            body = f"i {rng.choice(_LOVE if positive else _HATE)} this {subject}"
        else:
            body = f"i did not {rng.choice(_HATE_BASE if positive else _LOVE_BASE)} this {subject}"
    elif form == 6:  # expectation reversed: what it turned out to be decides
        body = (f"i expected the {subject} to be {_adjective(rng, not positive)} but it was "
                f"{rng.choice(_INTENSIFIERS)}{_adjective(rng, positive)}")
    else:  # "this film is ..." with an optional "not ... at all"
        if rng.random() < 0.5:
            body = f"this {subject} is {rng.choice(_INTENSIFIERS)}{_adjective(rng, positive)}"
        else:
            body = f"this {subject} is not {_adjective(rng, not positive)} at all"
    return f"{rng.choice(_OPENERS)}{body} ."


_HYPERNYMS = {
    "dog": "animal", "cat": "animal", "horse": "animal", "rabbit": "animal", "bird": "animal", "goat": "animal",
    "man": "person", "woman": "person", "boy": "person", "girl": "person", "doctor": "person",
    "teacher": "person", "farmer": "person", "child": "person",
}
_ANIMATE = tuple(_HYPERNYMS)
# (third person, base form, plural)
_VERBS = (
    ("runs", "run", "run"), ("sleeps", "sleep", "sleep"), ("waits", "wait", "wait"), ("sits", "sit", "sit"),
    ("walks", "walk", "walk"), ("plays", "play", "play"), ("rests", "rest", "rest"), ("eats", "eat", "eat"),
)
_PLACES = ("in the park", "near the river", "on the street", "at home", "in the garden", "by the lake", "in the yard")
# (present, past participle)
_TRANSITIVE = (
    ("chases", "chased"), ("sees", "seen"), ("follows", "followed"), ("watches", "watched"),
    ("helps", "helped"), ("finds", "found"), ("calls", "called"),
)


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _two(rng: random.Random) -> tuple[str, str]:
    x, y = rng.sample(_ANIMATE, 2)
    return x, y


def _unrelated(rng: random.Random, x: str) -> str:
    return rng.choice([z for z in _ANIMATE if z != x])


def _pair_up(rng: random.Random) -> tuple[str, str]:
    x, (verb, _, _), place = rng.choice(_ANIMATE), rng.choice(_VERBS), rng.choice(_PLACES)
    return f"{_a(x)} {verb} {place} .", f"{_a(_HYPERNYMS[x])} {verb} {place} ."


def _pair_drop_place(rng: random.Random) -> tuple[str, str]:
    x, (verb, base, _), place = rng.choice(_ANIMATE), rng.choice(_VERBS), rng.choice(_PLACES)
    if rng.random() < 0.5:
        return f"{_a(x)} {verb} {place} .", f"{_a(x)} {verb} ."
    return f"{_a(x)} does not {base} {place} .", f"{_a(x)} does not {base} ."


def _pair_passive(rng: random.Random) -> tuple[str, str]:
    (x, y), (verb, participle) = _two(rng), rng.choice(_TRANSITIVE)
    return f"the {x} {verb} the {y} .", f"the {y} is {participle} by the {x} ."


def _pair_conjunction(rng: random.Random) -> tuple[str, str]:
    (x, y), (verb, _, plural), place = _two(rng), rng.choice(_VERBS), rng.choice(_PLACES)
    kept = rng.choice((x, y))
    return f"{_a(x)} and {_a(y)} {plural} {place} .", f"{_a(kept)} {verb} {place} ."


def _pair_down(rng: random.Random) -> tuple[str, str]:
    x, (verb, _, _), place = rng.choice(_ANIMATE), rng.choice(_VERBS), rng.choice(_PLACES)
    return f"{_a(_HYPERNYMS[x])} {verb} {place} .", f"{_a(x)} {verb} {place} ."


def _pair_negated(rng: random.Random) -> tuple[str, str]:
    x, (verb, base, _), place = rng.choice(_ANIMATE), rng.choice(_VERBS), rng.choice(_PLACES)
    if rng.random() < 0.5:
        return f"{_a(x)} {verb} {place} .", f"{_a(x)} does not {base} {place} ."
    return f"{_a(x)} does not {base} {place} .", f"{_a(x)} {verb} {place} ."


def _pair_swapped(rng: random.Random) -> tuple[str, str]:
    (x, y), (verb, participle) = _two(rng), rng.choice(_TRANSITIVE)
    if rng.random() < 0.5:
        return f"the {x} {verb} the {y} .", f"the {y} {verb} the {x} ."
    return f"the {x} {verb} the {y} .", f"the {x} is {participle} by the {y} ."


def _pair_other_subject(rng: random.Random) -> tuple[str, str]:
    x, (verb, _, _), place = rng.choice(_ANIMATE), rng.choice(_VERBS), rng.choice(_PLACES)
    return f"{_a(x)} {verb} {place} .", f"{_a(_unrelated(rng, x))} {verb} {place} ."


_ENTAILED: tuple[Callable[[random.Random], tuple[str, str]], ...] = (
    _pair_up, _pair_drop_place, _pair_passive, _pair_conjunction,
)
_NOT_ENTAILED: tuple[Callable[[random.Random], tuple[str, str]], ...] = (
    _pair_down, _pair_negated, _pair_swapped, _pair_other_subject,
)


def _unique_examples(make: Callable[[random.Random, int], Example], total: int, rng: random.Random) -> list[Example]:
    """`total` distinct examples, labels alternating so the classes stay balanced."""
    seen: set[tuple[str, str | None]] = set()
    out: list[Example] = []
    attempts = 0
    while len(out) < total:
        attempts += 1
        if attempts > total * 200:
            raise RuntimeError("the built-in templates cannot produce that many distinct examples")
        example = make(rng, len(out) % 2)
        key = (example.text, example.text_b)
        if key not in seen:
            seen.add(key)
            out.append(example)
    return out


def _cut(examples: list[Example], sizes: tuple[int, int, int], rng: random.Random) -> tuple[tuple[Example, ...], ...]:
    """Shuffle and cut into train/dev/test of `sizes`, each split balanced (examples alternate labels)."""
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    parts: list[list[Example]] = [[], [], []]
    for group in by_label.values():
        rng.shuffle(group)
        start = 0
        for index, size in enumerate(sizes):
            share = size // len(by_label)
            parts[index].extend(group[start : start + share])
            start += share
    for part in parts:
        rng.shuffle(part)
    return tuple(tuple(part) for part in parts)


def builtin_sentiment(seed: int = 0, sizes: tuple[int, int, int] = SENTIMENT_SIZES) -> Splits:
    """Generated two-class sentiment (neg/pos) with negation, intensifiers and "but" contrasts; balanced."""
    rng = random.Random(f"builtin-sentiment:{seed}")

    def make(r: random.Random, label: int) -> Example:
        return Example(_sentiment_sentence(r, positive=bool(label)), SENTIMENT_LABELS[label])

    train, dev, test = _cut(_unique_examples(make, sum(sizes), rng), sizes, rng)
    return Splits("builtin-sentiment", SENTIMENT_LABELS, train, dev, test)


def builtin_entailment(seed: int = 0, sizes: tuple[int, int, int] = ENTAILMENT_SIZES) -> Splits:
    """Generated sentence pairs (entailment / not_entailment) from hypernym, negation and role-swap rules."""
    rng = random.Random(f"builtin-entailment:{seed}")

    def make(r: random.Random, label: int) -> Example:
        premise, hypothesis = r.choice(_ENTAILED if label == 0 else _NOT_ENTAILED)(r)
        return Example(premise, ENTAILMENT_LABELS[label], hypothesis)

    train, dev, test = _cut(_unique_examples(make, sum(sizes), rng), sizes, rng)
    return Splits("builtin-entailment", ENTAILMENT_LABELS, train, dev, test, is_pair=True)


def builtin_texts(seed: int = 0) -> list[str]:
    """Every sentence of both built-in datasets (used to train a fallback WordPiece vocabulary)."""
    texts: list[str] = []
    for splits in (builtin_sentiment(seed), builtin_entailment(seed)):
        for part in (splits.train, splits.dev, splits.test):
            for example in part:
                texts.append(example.text)
                if example.text_b:
                    texts.append(example.text_b)
    return texts
