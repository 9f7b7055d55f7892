"""The parameter report's one table: full for `seqlab params`, compact for the tour, ✗ where a count disagrees."""

from __future__ import annotations

from rich.console import Console
from torch import nn

from seqlab.counting import formulas as fx
from seqlab.counting.heads import heads_check
from seqlab.counting.presets import preset_report
from seqlab.counting.render import heads_line, print_report, report_table
from seqlab.counting.report import Part, count_report


def _text(renderable, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_full_and_compact_tables_have_their_columns():
    report = preset_report("bert-tiny")
    full, compact = report_table(report), report_table(report, compact=True)
    assert [c.header for c in full.columns] == ["part", "shapes", "counted", "formula", "formula value", ""]
    assert [c.header for c in compact.columns] == ["part", "counted", "formula", ""]
    assert full.row_count == compact.row_count == len(report.parts) + 1  # every part, then the total


def test_compact_table_fits_80_columns_and_marks_every_row():
    text = _text(report_table(preset_report("minilm"), compact=True))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.count("✓") == len(preset_report("minilm").parts) + 1 and "✗" not in text
    assert "L*(4*d^2 + 4*d)" in text


def test_a_mismatch_is_crossed_out():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    report = count_report(model, [Part("first", r"^0\.", fx.linear(4, 3))], {}, "two layers")
    text = _text(report_table(report))
    assert "unaccounted" in text and text.count("✗") == 2  # the unaccounted row and the total


def test_print_report_adds_symbols_notes_and_heads():
    console = Console(width=80, record=True, color_system=None)
    report = preset_report("lm-transfer")
    heads = heads_check(report.symbols["d"])
    print_report(report, console, heads)
    text = console.export_text()
    assert "symbols: V=50,001 vocabulary, d=200 width, f=200 feed-forward width, L=4 layers" in text
    assert "note: body (the encoder that transfers to a classifier)" in text
    assert text.replace("\n", " ").count("✓") >= 2 and "simplifies to 4*d^2 + 4*d" in heads_line(heads)
