"""How a check of a learner's implementation looks: the table of checks, the diagnoses, the last line, the JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from seqlab.console import safe_text
from seqlab.impl.kinds import KINDS
from seqlab.impl.report import ImplReport
from seqlab.proofs.base import MODEL


def impl_view(report: ImplReport) -> list[RenderableType]:
    """Everything a person reads about one check, in order: the problem alone, or the table, the details of what
    failed, the diagnoses and the last line."""
    if report.problem:
        return [Text.from_markup(impl_headline(report))]
    return [impl_table(report), impl_details(report), impl_diagnoses(report), Text.from_markup(impl_headline(report))]


def impl_table(report: ImplReport) -> Table:
    """One row per check: verdict, name, source, the number against its tolerance (details: `impl_details`)."""
    table = Table(title=f"{safe_text(report.target)}: {KINDS[report.kind].title}", title_justify="left", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("measured / tolerance", justify="right", no_wrap=True)
    for row in report.rows:
        verdict = ("[green]pass[/]" if row.passed else "[red]FAIL[/]") if row.measured_on == MODEL else \
            "[yellow]not measured[/]"
        table.add_row(verdict, safe_text(row.name), row.source, f"{row.measured:.1e} / {row.tolerance:.0e}")
    return table


def impl_details(report: ImplReport) -> Text:
    """What was measured, for each row that did not pass (every row's detail is in --json)."""
    lines = [Text(safe_text(note), style="dim") for note in report.notes]
    lines += [Text.assemble((f"{safe_text(row.name)}: ", "bold"), safe_text(row.detail))
              for row in report.rows if not row.passed or row.measured_on != MODEL]
    return Text("\n").join(lines)


def impl_diagnoses(report: ImplReport) -> Panel | Text:
    """The named bugs the learner's code matches (and how to fix each), or a sentence when none matched."""
    if report.passed:
        return Text("")
    if not report.diagnoses:
        return Text("No known bug matches exactly: read the failed rows above (where and by how much).")
    lines = [Text.assemble(("bug: ", "bold red"), (safe_text(d.name), "bold"), f" - {safe_text(d.advice)}",
                           (f" ({safe_text(d.evidence)})" if d.evidence else "", "dim"))
             for d in report.diagnoses]
    return Panel(Group(*lines), title="diagnosis", title_align="left", border_style="red")


def impl_headline(report: ImplReport) -> str:
    """The last line: all held on your code, or how many failed, or the one problem."""
    if report.problem:
        return f"{safe_text(report.target)}: {safe_text(report.problem)}"
    failed = [row for row in report.rows if not row.passed]
    not_measured = report.not_measured
    if report.passed:
        return f"[green]All {len(report.rows)} checks held on your code[/] ({KINDS[report.kind].title})."
    parts = [f"[red]{len(failed)} of {len(report.rows)} checks failed[/]"] if failed else []
    if not_measured:
        parts.append(f"{len(not_measured)} not measured on your code")
    named = "; ".join(d.name for d in report.diagnoses)
    return ", ".join(parts) + (f": {safe_text(named)}" if named else "") + "."


def impl_json(report: ImplReport) -> dict[str, Any]:
    """The report as plain data for --json."""
    return {
        "target": report.target,
        "kind": report.kind,
        "passed": report.passed,
        "problem": report.problem or None,
        "diagnoses": [{"name": d.name, "advice": d.advice, "evidence": d.evidence} for d in report.diagnoses],
        "checks": [{"name": r.name, "source": r.source, "measured": r.measured, "tolerance": r.tolerance,
                    "passed": r.passed, "measured_on": r.measured_on, "detail": r.detail} for r in report.rows],
    }
