"""Every --help at 80 columns shows its source text as written: no formula, <token>, path pattern or * eaten.

Help is drawn as markdown; a docstring full of formulas (`4*128*(100+128)`), tokens (`<unk>`) and paths
(`train/<tag>/<n>.txt`) lost characters to it. Each test renders the page a learner sees (CliRunner,
COLUMNS=80) and compares it with the docstring and every option's help, character for character once
whitespace and the panel borders are set aside (rich wraps and folds lines where it likes).
"""

from __future__ import annotations

import re

from typing import Any

import pytest
import typer.main

from seqlab.cli import app
from seqlab.commands._help import protect_markdown

BORDERS = re.compile(r"[\s│╭╮╰╯─]+")
LIST_ITEM = re.compile(r"^(\s*)[-+*] ", re.M)


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(argv path, click command) for the root, every group and every command under it."""
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def as_written(source: str) -> str:
    """What a reader should see of help source `source`: its markup (**bold**, `code`, \\ escapes) taken off."""
    text = source.partition("\f")[0]
    text = re.sub(r"(?<!\\)(`+)(.+?)(?<!\\)\1", r"\2", text, flags=re.S)
    text = re.sub(r"(?<![\w*\\])\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", text, flags=re.S)
    text = LIST_ITEM.sub(r"\1• ", text)
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def squeezed(text: str) -> str:
    """`text` without whitespace or panel borders: what survives any wrapping."""
    return BORDERS.sub("", text)


def page(argv: tuple[str, ...], runner) -> str:
    result = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "80", "TERM": "dumb"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("argv", "command"), COMMANDS, ids=lambda value: " ".join(value) or "seqlab"
                         if isinstance(value, tuple) else "")
def test_every_help_page_shows_its_source_text_whole(runner, argv, command):
    shown = squeezed(page(argv, runner))
    sources = [("docstring", command.help or "")]
    sources += [(f"help of {param.name}", param.help) for param in command.params if getattr(param, "help", None)]
    if hasattr(command, "commands"):
        sources += [(f"summary of {name}", (sub.help or "").split("\n\n")[0]) for name, sub in command.commands.items()
                    if not sub.hidden]
    missing = [f"{where}: {as_written(text)!r}" for where, text in sources
               if squeezed(as_written(text)) not in shown]
    assert missing == [], "\n".join(missing)


@pytest.mark.parametrize(("argv", "written"), [
    (("quiz",), "4*128*(100+128) + 8*128"),
    (("tokenize",), "anything else is <unk> (red)"),
    (("data", "download"), "train/<tag>/<n>.txt"),
])
def test_the_reported_damage_is_gone(runner, argv, written):
    assert squeezed(written) in squeezed(page(argv, runner))


def test_every_formula_token_and_path_in_the_sources_survives(runner):
    """The words markdown used to eat (with *, <, >, _, #, [ or ~ in them), one by one, on their own page."""
    eaten = []
    for argv, command in COMMANDS:
        shown = squeezed(page(argv, runner))
        texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
        for word in as_written(" ".join(texts)).split():
            if re.search(r"[*<>_#\[~]", word) and word != "•" and squeezed(word) not in shown:
                eaten.append(f"{' '.join(argv)}: {word}")
    assert eaten == []


def test_protect_markdown_keeps_bold_code_and_lists_and_escapes_the_rest():
    assert protect_markdown("**seqlab tour**: run `a*b` then 4*128*(x+y)") == \
        r"**seqlab tour**: run `a*b` then 4\*128\*(x+y)"
    assert protect_markdown("<unk> train/<tag>/*.txt __init__ :cat:") == \
        r"\<unk\> train/\<tag\>/\*.txt \_\_init\_\_ :cat:"
    assert protect_markdown("- **id**: f\\*c") == "- **id**: f\\*c"  # already escaped: left alone
