"""The sympy side: every identity proves, the registry selects by id, and LaTeX export is well formed."""

from __future__ import annotations

import pytest

from seqlab.errors import SeqlabError
from seqlab.proofs import all_identities, select
from seqlab.proofs.render import latex_document, latex_escape
from seqlab.proofs.runner import prove_identities

IDS = [identity.id for identity in all_identities()]


@pytest.mark.parametrize("identity_id", IDS)
def test_every_proof_verifies_with_steps(identity_id):
    (identity,) = select([identity_id])
    result = identity.prove()
    assert result.verified is True
    assert len(result.steps) >= 3
    assert identity.conditions and identity.title and result.statement


def test_ids_are_unique_slugs():
    assert len(IDS) == len(set(IDS))
    assert all(identity_id.replace("-", "").isalnum() and identity_id.islower() for identity_id in IDS)


def test_select_keeps_order_and_drops_duplicates():
    chosen = select(["causal-mask", "layernorm-norm", "causal-mask"])
    assert [identity.id for identity in chosen] == ["causal-mask", "layernorm-norm"]
    assert len(select([])) == len(IDS)


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(SeqlabError) as info:
        select(["layernorm-norm", "no-such-thing"])
    message = str(info.value)
    assert "no-such-thing" in message and "layernorm-norm" in message and "attention-cost" in message


def test_layernorm_proof_states_the_three_variants():
    import sympy as sp

    result = select(["layernorm-norm"])[0].prove()
    d = sp.Symbol("d", integer=True, positive=True)
    finals = [step.expression.rhs for step in result.steps if isinstance(step.expression, sp.Eq)]
    assert sp.sqrt(d) in finals
    assert sp.sqrt(d - 1) in finals


def test_latex_document_escapes_text_and_has_a_section_per_identity():
    items = prove_identities(["layernorm-2d", "softmax-shift"])
    tex = latex_document(items)
    assert tex.startswith(r"\documentclass{article}") and tex.rstrip().endswith(r"\end{document}")
    assert tex.count(r"\section{") == 2
    assert tex.count(r"\begin{enumerate}") == tex.count(r"\end{enumerate}") == 2
    assert latex_escape("50% of a_b & {c}") == r"50\% of a\_b \& \{c\}"


def _rhs(identity_id: str) -> list:
    import sympy as sp

    result = select([identity_id])[0].prove()
    return [step.expression.rhs for step in result.steps if isinstance(step.expression, sp.Eq)]


def test_mask_proofs_say_for_which_sizes_they_were_verified():
    from seqlab.proofs.masks import SIZES_UP_TO, _causal_facts, _padding_facts

    for identity_id in ("causal-mask", "padding-mask"):
        statement = select([identity_id])[0].prove().statement
        assert f"..{SIZES_UP_TO}" in statement and "sympy-verified" in statement
    assert all(_causal_facts(size) for size in range(1, SIZES_UP_TO + 1))
    assert _padding_facts(4, 3)


def test_softmax_shift_compares_the_displayed_expression_itself():
    import sympy as sp

    result = select(["softmax-shift"])[0].prove()
    shown, cancelled = result.steps[1].expression.rhs, result.steps[2].expression.rhs
    i, j = sp.symbols("i j", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    assert sp.simplify(shown - sp.exp(z[i]) / sp.Sum(sp.exp(z[j]), (j, 1, n))) == 0 and cancelled == 0


def test_scaling_states_its_assumptions():
    identity = select(["attention-scaling"])[0]
    assert "independent" in identity.conditions and "mean 0" in identity.conditions and "Normal" in identity.conditions
    assert "mean 0 and variance 1" in identity.prove().statement


def test_lstm_proof_shows_the_only_if():
    import sympy as sp

    assert -sp.Symbol("a_i", real=True) in _rhs("lstm-not-convex")


def test_cost_title_and_crossover_with_projections():
    import sympy as sp

    identity = select(["attention-cost"])[0]
    assert "O(n^2 d + n d^2)" in identity.title
    d = sp.Symbol("d", positive=True)
    assert 2 * d in _rhs("attention-cost") and 4 * d in _rhs("attention-cost")


def test_new_identities_prove_their_key_facts():
    import sympy as sp

    assert sp.Interval(0, 1) in _rhs("attention-rows")
    assert sp.FiniteSet(0, 1) in _rhs("attention-rows")
    assert sp.eye(2) in _rhs("residual-jacobian")
    assert sp.zeros(2, 2) in _rhs("rnn-gradients")  # dh_2/dh_0 - J_2 J_1 = 0
    assert sp.diag(*sp.symbols("f1 f2", real=True)) in _rhs("lstm-memory")
    k, w = sp.Symbol("k", real=True), sp.Symbol("omega", real=True)
    assert sp.cos(k * w) in _rhs("positional-dot")


def test_latex_of_every_proof_is_well_formed():
    tex = latex_document(prove_identities([]))
    assert tex.count(r"\section{") == len(IDS)
    assert tex.count(r"\[") == tex.count(r"\]")
