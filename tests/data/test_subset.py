"""Training subsets: the first N, or a seeded label-stratified sample."""

from collections import Counter
from dataclasses import dataclass

from seqlab.data.subset import cap_examples, stratified_sample


@dataclass(frozen=True)
class Ex:
    text: str
    label: str


EXAMPLES = tuple(Ex(str(i), "a" if i % 4 else "b") for i in range(400))  # 300 a, 100 b


def test_stratified_keeps_label_shares_and_order():
    picked = cap_examples(EXAMPLES, 40, stratified=True, seed=3)
    assert len(picked) == 40 and Counter(e.label for e in picked) == {"a": 30, "b": 10}
    assert [int(e.text) for e in picked] == sorted(int(e.text) for e in picked)


def test_stratified_is_seeded():
    assert cap_examples(EXAMPLES, 40, True, 1) == cap_examples(EXAMPLES, 40, True, 1)
    assert cap_examples(EXAMPLES, 40, True, 1) != cap_examples(EXAMPLES, 40, True, 2)


def test_leftover_places_go_to_the_largest_remainders():
    picked = stratified_sample(EXAMPLES, 7, [e.label for e in EXAMPLES], seed=0)  # 5.25 a, 1.75 b
    assert Counter(e.label for e in picked) == {"a": 5, "b": 2}


def test_first_n_and_no_limit():
    assert cap_examples(EXAMPLES, 3) == EXAMPLES[:3]
    assert cap_examples(EXAMPLES, None) == EXAMPLES and cap_examples(EXAMPLES, 10_000, True) == EXAMPLES
