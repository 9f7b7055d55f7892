"""docs/howto/check-your-code.md stays true: it has a row for every kind, names every bug the zoo diagnoses, and its
worked example prints what the page says."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from seqlab.cli import app
from seqlab.impl.kinds import KINDS
from .zoos import EVERY_ZOO

PAGE = Path(__file__).resolve().parents[2] / "docs" / "howto" / "check-your-code.md"


def test_every_kind_and_every_diagnosed_bug_is_on_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    for kind in KINDS:
        assert any(f"`{kind}`" in row.split("|")[1] for row in rows), kind
    for kind, _, _, expected in EVERY_ZOO:
        if expected is not None:
            bug = expected.removeprefix("attention: ")
            assert bug in text, (kind, bug)


def test_the_worked_example_prints_what_the_page_says(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    source = text.split("cat > my_attention.py <<'PY'\n", 1)[1].split("PY\n", 1)[0]
    (tmp_path / "my_attention.py").write_text(source, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--impl", f"{tmp_path / 'my_attention.py'}:attention"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last in text and "4 of 10 checks failed: no 1/sqrt(d_k)." == last
    for line in result.output.splitlines()[:14]:
        assert line.rstrip() in text, line
