"""How proofs and checks look: rich panels and tables for people, plain dicts for --json, LaTeX for papers."""

from __future__ import annotations

from typing import Any, Sequence

import sympy
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich import box
from rich.table import Table
from rich.text import Text

from seqlab.proofs.base import MODEL, ProofStep
from seqlab.proofs.runner import CheckedIdentity, CheckReport, ProvedIdentity

VERIFIED = "[bold green]verified[/]"
NOT_VERIFIED = "[bold red]NOT verified[/]"


def step_text(step: ProofStep) -> str:
    """The step's expression as unicode (sympy's pretty printer) or as the text it already is."""
    if isinstance(step.expression, str):
        return step.expression
    return sympy.pretty(step.expression, use_unicode=True, wrap_line=False)


# Unicode that step labels use for readability in the terminal, spelled for LaTeX math mode.
_LATEX_MATH = {"²": "^{2}", "≥": r"\geq ", "≤": r"\leq ", "ᵀ": "^{T}", "∂": r"\partial "}


def step_latex(step: ProofStep) -> str:
    """The step's expression as LaTeX math (text steps become \\text{...}); unicode signs become LaTeX."""
    if isinstance(step.expression, str):
        return r"\text{" + latex_escape(step.expression) + "}"
    text = sympy.latex(step.expression)
    for char, spelled in _LATEX_MATH.items():
        text = text.replace(char, spelled)
    return text


def proof_panel(item: ProvedIdentity) -> Panel:
    """One identity's proof: conditions, numbered steps with their expressions, and the verdict."""
    parts: list[RenderableType] = [Text(item.identity.conditions, style="italic"), Text("")]
    for number, step in enumerate(item.proof.steps, 1):
        parts.append(Text.from_markup(f"[bold cyan]{number}.[/] {escape(step.explanation)}"))
        parts.append(Text(step_text(step), style="white", no_wrap=True, overflow="ellipsis"))
    verdict = VERIFIED if item.proof.verified else NOT_VERIFIED
    parts.append(Text.from_markup(f"\n[bold]{escape(item.proof.statement)}[/]  {verdict}"))
    return Panel(Group(*parts), title=f"[bold]{escape(item.identity.id)}[/]: {escape(item.identity.title)}", title_align="left")


def verified_line(items: Sequence[ProvedIdentity]) -> Text:
    """'3/3 proofs verified by sympy.' (green when all are, red otherwise)."""
    verified = sum(item.proof.verified for item in items)
    style = "bold green" if verified == len(items) else "bold red"
    return Text(f"{verified}/{len(items)} proofs verified by sympy.", style=style)


def proofs_table(items: Sequence[ProvedIdentity]) -> Table:
    """One row per identity: its id, its statement, and whether sympy verified the proof."""
    table = Table(title="sympy proofs")
    table.add_column("identity", style="bold")
    table.add_column("statement")
    table.add_column("verdict")
    for item in items:
        verdict = "[green]verified[/]" if item.proof.verified else "[red]NOT verified[/]"
        table.add_row(item.identity.id, item.proof.statement, verdict)
    return table


def proved_and_checked_table(items: Sequence[ProvedIdentity], report: CheckReport) -> RenderableType:
    """One line per identity whatever the width: its id, whether sympy proved it, whether it held on the model (the
    tour's), and its title, cut with an ellipsis where the terminal ends (the statements: `seqlab prove ID`, or the
    tour's --verbose)."""
    return _OneLinePerIdentity(tuple(items), report)


class _OneLinePerIdentity:
    """The table of proved_and_checked_table, laid out for the width it is drawn at (rich would squeeze a no-wrap
    column to nothing rather than cut the long titles)."""

    def __init__(self, items: tuple[ProvedIdentity, ...], report: CheckReport) -> None:
        self.items, self.report = items, report

    def __rich_console__(self, console: Any, options: Any) -> Any:
        live = {row.identity.id: row for row in self.report.rows}
        proved = all(item.proof.verified for item in self.items)
        widths = [max(len(i.identity.id) for i in self.items), len("proved" if proved else "NOT proved"),
                  len("does not apply")]
        room = max(options.max_width - sum(widths) - 3 * (len(widths) + 1), 10)  # 3: padding and rule per column
        table = Table(title=f"identities: proved, then measured on {self.report.source}", title_justify="left",
                      box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("identity", style="bold", no_wrap=True, min_width=widths[0])
        table.add_column("sympy", no_wrap=True, min_width=widths[1])
        table.add_column("on the model", no_wrap=True, min_width=widths[2])
        table.add_column("what it says", no_wrap=True, max_width=room)
        for item in self.items:
            row = live.get(item.identity.id)
            table.add_row(
                item.identity.id,
                "[green]proved[/]" if item.proof.verified else "[red]NOT proved[/]",
                "-" if row is None else _on_the_model(row),
                _cut(item.identity.title, room),
            )
        yield table


def _cut(text: str, width: int) -> Text:
    """`text` dimmed and cut to `width` characters, an ellipsis marking the cut."""
    line = Text(text, style="dim")
    line.truncate(width, overflow="ellipsis")
    return line


def _on_the_model(row: CheckedIdentity) -> str:
    """'holds', 'FAILS', 'holds (stand-in only)' or 'does not apply' (rich markup) for the tour's table."""
    if not row.applicable:
        return "[dim]does not apply[/]"
    verdict = "[green]holds[/]" if row.check.passed else "[red]FAILS[/]"
    return verdict + ("" if row.check.measured_on == MODEL else " [yellow](stand-in only)[/]")


def proofs_json(items: Sequence[ProvedIdentity]) -> dict[str, Any]:
    """Proofs as plain JSON: steps carry both unicode text and LaTeX."""
    return {
        "all_verified": all(item.proof.verified for item in items),
        "identities": [
            {
                "id": item.identity.id,
                "title": item.identity.title,
                "conditions": item.identity.conditions,
                "statement": item.proof.statement,
                "verified": item.proof.verified,
                "steps": [
                    {"explanation": step.explanation, "text": step_text(step), "latex": step_latex(step)}
                    for step in item.proof.steps
                ],
            }
            for item in items
        ],
    }


def format_number(value: float) -> str:
    """Compact display of a measurement or tolerance: 0, 3.1e-16, 0.0143, 1.76."""
    if value == 0:
        return "0"
    if abs(value) < 1e-3 or abs(value) >= 1e5:
        return f"{value:.1e}"
    return f"{value:.4g}"


def format_bound(value: float, lower_bound: bool) -> str:
    """The tolerance as a short bound: '<= 1e-09', '> 0.05', '<= 0'."""
    sign = ">" if lower_bound else "<="
    if value == 0:
        return f"{sign} 0"
    number = f"{value:.0e}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.3g}"
    return f"{sign} {number}"


def check_table(report: CheckReport) -> Table:
    """The side-by-side table: identity | sympy | measured on | measured | bound | verdict (fits 80 columns)."""
    table = Table(title=f"identities on {escape(report.source)} ({report.device}, seed {report.seed})")
    table.add_column("identity", style="bold", no_wrap=True)
    table.add_column("sympy", no_wrap=True)
    table.add_column("measured on", no_wrap=True)
    table.add_column("measured", justify="right", no_wrap=True)
    table.add_column("bound", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for row in report.rows:
        symbolic = "[green]verified[/]" if row.verified else "[red]NOT[/]"
        if not row.applicable:
            on, verdict = "[dim]n/a[/]", "[dim]n/a[/]"
        else:
            verdict = "[bold green]pass[/]" if row.passed else "[bold red]FAIL[/]"
            on = "model" if row.check.measured_on == MODEL else "[yellow]stand-in[/]"
        dim = "" if row.applicable else "[dim]"
        table.add_row(
            escape(row.identity.id),
            symbolic,
            on,
            dim + format_number(row.check.measured),
            dim + format_bound(row.check.tolerance, row.check.lower_bound),
            verdict,
        )
    return table


def check_headline(report: CheckReport) -> str:
    """One line (rich markup): how many identities hold on the model itself (its own rows only), which were NOT
    measured on it (only on stand-ins, named), how many do not apply to it, and what --strict makes of that.

    "11/11 identities hold on run X" would overstate a run where some rows were measured on fresh modules.
    """
    counts = report.counts()
    source = escape(report.source)
    missing = report.not_measured
    style = "red" if not report.all_passed or (report.strict and missing) else ("yellow" if missing else "green")
    if counts["model"]:
        line = f"{counts['model_passed']}/{counts['model']} identities hold on {source} itself"
    else:
        line = f"No identity could be measured on {source} itself"
    if missing:
        passed = sum(row.passed for row in missing)
        names = ", ".join(escape(row.identity.id) for row in missing)
        line += (f"; NOT measured on this model (only on stand-ins, {passed}/{len(missing)} hold there): {names}")
    if counts["not_applicable"]:
        count = counts["not_applicable"]
        line += f"; {count} {'does' if count == 1 else 'do'} not apply to it"
    line += "."
    if report.strict and missing:
        line += " --strict: exit 1, since not every identity about the model's parts was measured on them."
    elif missing:
        line += " (--strict would exit 1 on that.)"
    return f"[bold {style}]{line}[/]"


def check_details(report: CheckReport) -> Group:
    """What each live measurement was, one short paragraph per identity (under the table)."""
    lines = [Text.from_markup("[bold]what was measured[/]")]
    for row in report.rows:
        lines.append(Text.from_markup(f"[bold]{escape(row.identity.id)}[/]: {escape(row.check.detail)}"))
    return Group(*lines)


def check_json(report: CheckReport) -> dict[str, Any]:
    """The check report as plain JSON."""
    return {
        "target": report.source,
        "device": report.device,
        "seed": report.seed,
        "all_passed": report.all_passed,
        "strict": report.strict,
        "strict_passed": report.strict_passed,
        "not_measured_on_model": [row.identity.id for row in report.not_measured],
        "not_applicable": [row.identity.id for row in report.not_applicable],
        "counts": report.counts(),
        "results": [
            {
                "id": row.identity.id,
                "title": row.identity.title,
                "conditions": row.identity.conditions,
                "symbolic_verified": row.verified,
                "measured": row.check.measured,
                "tolerance": row.check.tolerance,
                "bound": ">" if row.check.lower_bound else "<=",
                "live_passed": row.check.passed,
                "passed": row.passed,
                "verdict": row.verdict,
                "detail": row.check.detail,
                "measured_on": row.check.measured_on,
                "extra": dict(row.check.extra),
            }
            for row in report.rows
        ],
    }


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "∂": r"$\partial$",
    "²": r"\textsuperscript{2}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def latex_document(items: Sequence[ProvedIdentity]) -> str:
    """A standalone .tex document: one section per identity with its conditions, steps and verdict."""
    lines = [
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\title{seqlab: identities of sequence models, proved with sympy}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]
    for item in items:
        lines.append(r"\section{" + latex_escape(item.identity.title) + "}")
        lines.append(r"\textbf{Conditions.} " + latex_escape(item.identity.conditions))
        lines.append(r"\begin{enumerate}")
        for step in item.proof.steps:
            lines.append(r"\item " + latex_escape(step.explanation))
            lines.append(r"\[ " + step_latex(step) + r" \]")
        lines.append(r"\end{enumerate}")
        verdict = "verified by sympy" if item.proof.verified else "NOT verified by sympy"
        lines.append(r"\noindent\textbf{" + latex_escape(item.proof.statement) + "} (" + verdict + ")")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
