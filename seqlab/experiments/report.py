"""The report folder: README.md (tables, figures, the command that reproduces it) and results.json."""

from __future__ import annotations

import html
import os
import platform
import re
import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import torch

from seqlab.version import __version__
from seqlab.console import safe_text
from seqlab.experiments.config import DEFAULT_SEEDS, OWN_FILE_FIELDS, ExperimentConfig
from seqlab.experiments.recipe import Recipe, ResultTable, Summary
from seqlab.io import atomic_write_json, atomic_write_text

README_FILE = "README.md"
RESULTS_FILE = "results.json"
EXPERIMENT_FILE = "experiment.json"


def reproduce_command(config: ExperimentConfig, out_dir: Path) -> str:
    """The `seqlab experiment run` line that makes (or resumes) this report."""
    parts = ["seqlab", "experiment", "run", config.recipe]
    options: list[tuple[str, Any]] = [
        ("--data-dir", config.data_dir), ("--data", config.data),
        ("--budget", config.budget if config.budget != "quick" else None), ("--max-configs", config.max_configs),
        ("--seeds", config.seeds if config.seeds != DEFAULT_SEEDS else None), ("--seed", config.seed or None),
        ("--epochs", config.epochs), ("--max-train", config.max_train), ("--max-length", config.max_length),
        ("--run", config.run), ("--device", config.device if config.device != "auto" else None),
        ("--threads", config.threads),
        *(("--" + name.replace("_", "-"), getattr(config, name)) for name in OWN_FILE_FIELDS if name != "no_header"),
    ]
    for flag, value in options:
        if value is not None:
            parts += [flag, str(value)]
    if config.no_header:
        parts.append("--no-header")
    parts += ["--out", str(out_dir)]
    return shlex.join(parts)


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def markdown_safe(text: object) -> str:
    """`text` for a Markdown file, shown as text by every renderer: control characters as escapes, and `<`, `>`,
    `&` as entities outside code spans (inside one Markdown shows them literally), so a data file named
    `<img src=x onerror=...>.tsv` is never HTML. seqlab's own Markdown (`code`, **bold**) keeps working."""
    shown, parts, last = safe_text(text), [], 0
    for span in _CODE_SPAN.finditer(shown):
        parts += [html.escape(shown[last:span.start()], quote=False), span.group(0)]
        last = span.end()
    return "".join(parts) + html.escape(shown[last:], quote=False)


def code_block(text: str) -> list[str]:
    """Lines of a fenced code block holding `text` (control characters escaped), its fence longer than any run
    of backticks inside, so no text can close it early."""
    shown = safe_text(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, shown, fence]


def markdown_table(table: ResultTable) -> str:
    """A GitHub markdown table (cells made safe by `markdown_safe`, pipes escaped)."""
    def cell(value: str) -> str:
        return markdown_safe(str(value).replace("\n", " ")).replace("|", "\\|")

    lines = [f"| {' | '.join(cell(c) for c in table.columns)} |", f"|{'|'.join('---' for _ in table.columns)}|"]
    lines += [f"| {' | '.join(cell(c) for c in row)} |" for row in table.rows]
    return "\n".join(lines)


def environment(threads: int | None = None) -> dict[str, str]:
    """Versions and machine, so a reader can tell where the numbers came from: the CPU cores, and the torch
    threads each trial used (`threads`, the --threads given; else torch's default)."""
    used = f"{threads} torch thread{'s' if threads != 1 else ''} per trial" if threads else (
        f"torch's default threads ({torch.get_num_threads()})")
    return {"seqlab": __version__, "torch": torch.__version__, "python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, {used}"}


def write_readme(recipe: Recipe, config: ExperimentConfig, out_dir: Path, summary: Summary, facts: dict[str, Any],
                 plan_notes: list[str]) -> Path:
    """README.md: what was run, the tables, the figures, the notes, and how to reproduce it."""
    # file names, labels and column names reach every line below: each goes through markdown_safe
    lines = [f"# {markdown_safe(recipe.name)}", "", markdown_safe(recipe.description), ""]
    lines += ["## Reproduce", "", *code_block(reproduce_command(config, out_dir)), ""]
    lines += ["Rerunning the same command into the same `--out` skips every finished trial.", ""]
    lines += ["## Setting", ""]
    lines += [f"- {markdown_safe(key)}: {markdown_safe(value)}" for key, value in facts.items()]
    lines += [f"- {markdown_safe(note)}" for note in plan_notes]
    lines.append("")
    for table in summary.tables:
        lines += [f"## {markdown_safe(table.title)}", "", markdown_table(table), ""]
    if summary.notes:
        lines += ["## Reading the results", ""] + [f"- {markdown_safe(note)}" for note in summary.notes] + [""]
    if summary.figures:
        lines += ["## Figures", ""] + [f"![{markdown_safe(name)}]({quote(str(name))})" for name in summary.figures]
        lines.append("")
    return atomic_write_text(out_dir / README_FILE, "\n".join(lines))


def write_results(out_dir: Path, payload: dict[str, Any]) -> Path:
    """results.json: config, every trial record, the summary tables and data."""
    return atomic_write_json(out_dir / RESULTS_FILE, payload)


def now_utc() -> str:
    """The current time, ISO 8601 in UTC to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
