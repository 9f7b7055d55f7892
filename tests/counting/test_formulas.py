"""The closed-form parameter formulas, derived with sympy from Linear/Embedding/LayerNorm."""

from __future__ import annotations

import sympy as sp

from seqlab.counting import formulas as fx


def test_textbook_forms_come_out_of_the_composition():
    assert fx.show(fx.self_attention()) == "4*d^2 + 4*d"
    assert fx.show(fx.feed_forward()) == "2*d*f + d + f"
    assert fx.show(fx.embedding(fx.V, fx.d)) == "V*d"
    assert sp.expand(fx.lstm_layer() - (4 * fx.h * (fx.x + fx.h) + 8 * fx.h)) == 0
    assert sp.expand(fx.gru_layer() - (3 * fx.h * (fx.x + fx.h) + 6 * fx.h)) == 0


def test_bidirectional_doubles_a_layer():
    one = fx.rnn_layer("lstm", fx.x, fx.h, bidirectional=False)
    assert sp.expand(fx.rnn_layer("lstm", fx.x, fx.h, bidirectional=True) - 2 * one) == 0


def test_heads_split_the_width_but_not_the_count():
    assert fx.heads_do_not_change_count()
    assert sp.simplify(fx.per_head_attention(fx.d, fx.H) - fx.per_head_attention(fx.d, 1)) == 0
    assert "H" in fx.show(fx.per_head_attention_terms(), expand=False)


def test_total_is_gathered_under_L():
    assert fx.show_total(fx.L * fx.transformer_layer() + fx.V * fx.d) == "L*(4*d^2 + 2*d*f + 9*d + f) + V*d"
