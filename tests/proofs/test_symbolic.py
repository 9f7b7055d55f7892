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
