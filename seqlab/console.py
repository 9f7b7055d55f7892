"""Shared rich consoles and the JSON printer every command uses for `--json`."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.segment import Segment

from seqlab.io import to_jsonable

# C0 controls (tab aside), DEL, C1 controls, and the Unicode line/paragraph separators: a terminal acts on
# them (ESC starts colour, title and clear-screen sequences; CR and BS overwrite what was printed).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # the same, newline kept
_C1 = re.compile("[\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


class SafeConsole(Console):
    """A rich Console that shows control characters in printed text as escapes (\\e, \\x07).

    Rich's own colours and cursor moves travel as styles and control segments and pass untouched; only
    text, where rows, file names and tokens from user data end up, is cleaned. So no command can be made
    to retitle, recolour or clear the terminal by a dataset or a file name, whatever it prints.
    """

    def on_broken_pipe(self) -> None:
        """A reader closing the pipe (`seqlab runs | head`) is a normal end: rest to /dev/null, exit 0
        (rich's default exits 1)."""
        self.quiet = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise SystemExit(0)

    def _render_buffer(self, buffer: Any) -> str:
        cleaned = (segment if control or not _CONTROL_IN_LINES.search(text)
                   else Segment(_CONTROL_IN_LINES.sub(_visible, text), style, control)
                   for segment in buffer for text, style, control in (segment,))
        return super()._render_buffer(cleaned)


console = SafeConsole()
err_console = SafeConsole(stderr=True)


def emit_json(payload: Any) -> None:
    """Print `payload` as JSON on stdout (no rich markup, no wrapping), for scripts."""
    text = json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False)
    # json escapes C0 controls itself; DEL and C1 (a one-byte CSI on some terminals) only occur inside strings
    text = _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


ERROR_LIMIT = 400  # characters of an error line; a longer one keeps its start and its end (the fix)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def safe_text(text: object, limit: int | None = None) -> str:
    """`text` with control characters shown as escapes (\\n, \\e, \\x07), cut to `limit` characters.

    Everything printed from user data (rows, file and run names, tokens) goes through this, so a row
    holding ESC]0;...BEL or ESC[2J cannot retitle the terminal or clear it. A cut keeps the start and
    the end, joined by an ellipsis.
    """
    shown = _CONTROL.sub(_visible, str(text))
    if limit is not None and len(shown) > limit:
        keep = max(limit - 1, 2)
        shown = shown[: keep - keep // 3] + "…" + shown[len(shown) - keep // 3 :]
    return shown


def error_line(message: str) -> None:
    """Print one styled error line on stderr: control characters escaped, an overlong message shortened."""
    text = escape(safe_text(message, ERROR_LIMIT))
    err_console.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)
