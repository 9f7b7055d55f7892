"""`seqlab prove --help` and `seqlab check --help` list the identities of seqlab.proofs.REGISTRY (read from the
source, so the help loads neither sympy nor torch), and `seqlab --help` does not even read them."""

from __future__ import annotations

import pytest

from seqlab.cli import app
from seqlab.commands import _help
from seqlab.proofs import all_identities


def _output(runner, *argv: str) -> str:
    result = runner.invoke(app, list(argv), env={"COLUMNS": "200", "TERM": "dumb"}, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_source_reading_gives_the_registry() -> None:
    assert _help.registry_identities() == [(identity.id, identity.title) for identity in all_identities()]


@pytest.mark.parametrize("command", ["prove", "check"])
def test_help_lists_every_identity_with_its_title(runner, command: str) -> None:
    text = _output(runner, command, "--help")
    for identity in all_identities():
        assert f"{identity.id}: {identity.title}" in text
    assert "sentence-pairs: NSP / SOP pairs" in text  # missing from the hand-written list this replaced
    assert "f*c + i*g" in text  # markdown characters in a title are shown as written


def test_the_command_list_reads_no_identity(runner, monkeypatch) -> None:
    def unread() -> list[tuple[str, str]]:
        raise AssertionError("seqlab --help read the proofs registry")

    monkeypatch.setattr(_help, "registry_identities", unread)
    text = _output(runner, "--help")
    assert "Prove the identities sequence models rely on" in text


def test_markdown_escape() -> None:
    assert _help.markdown_escape("f*c + [MASK] `x` a_b") == r"f\*c + \[MASK\] \`x\` a\_b"
