"""Rich renderables for data views, shared by `seqlab data`, `seqlab tokenize` and the tour."""

from __future__ import annotations

from typing import Sequence

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from seqlab.console import safe_text
from seqlab.data.compare import EncodingView, TokenView
from seqlab.data.examples import Example
from seqlab.data.registry import DatasetInfo
from seqlab.data.stats import SplitStats

LEGEND = "[dim]red = unknown to the vocabulary, blue = ## piece continuing a word, magenta = special[/]"


def bar(count: int, largest: int, width: int = 40) -> str:
    """A horizontal bar of `count` scaled to `largest`, drawn with block characters."""
    if largest <= 0:
        return ""
    eighths = round(count / largest * width * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def stats_table(name: str, numbers: Sequence[SplitStats], n_labels: int, is_pair: bool) -> Table:
    """Examples per split and label, mean and percentile lengths in words."""
    table = Table(title=f"{name}: {n_labels} labels{' (sentence pairs)' if is_pair else ''}; lengths in words",
                  pad_edge=False)
    # one "label: count" per line, in a column as wide as the widest pair, so no pair is split across lines
    pairs = [[f"{label}: {count:,}" for label, count in s.labels.items()] for s in numbers]
    widest = max((len(pair) for split_pairs in pairs for pair in split_pairs), default=0)
    for column in ("split", "examples", "per label", "mean", "p50", "p90", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column in ("split", "per label") else "right",
                         min_width=widest if column == "per label" else None)
    for s, split_pairs in zip(numbers, pairs):
        per_label = "\n".join(split_pairs)
        table.add_row(s.split, f"{s.count:,}", Text(per_label), f"{s.mean_length:.1f}",
                      *(str(v) for v in s.percentiles.values()), str(s.max_length))
    return table


def length_histogram(numbers: SplitStats) -> Group:
    """The split's length histogram as bars, one line per bin."""
    largest = max((count for _, _, count in numbers.histogram), default=0)
    lines = [Text.from_markup(f"[bold]{numbers.split} length histogram[/] (words per example)")]
    for low, high, count in numbers.histogram:
        span = f"{low}" if low == high else f"{low}-{high}"
        line = Text(f"  {span:>11} │")
        line.append(bar(count, largest), style="cyan")
        line.append(f" {count:,}")
        lines.append(line)
    return Group(*lines)


def examples_table(title: str, rows: Sequence[tuple[int, Example]], is_pair: bool) -> Table:
    """Numbered examples with label and text (user text is never read as markup)."""
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("label", style="bold")
    table.add_column("text")
    if is_pair:
        table.add_column("text b")
    for index, example in rows:
        cells = [Text(str(index)), Text(safe_text(example.label)), Text(safe_text(example.text))]
        if is_pair:
            cells.append(Text(safe_text(example.text_b or "")))
        table.add_row(*cells)
    return table


def _rows_that_fit(tokens: Sequence[TokenView], width: int) -> list[list[TokenView]]:
    """Cut the positions into rows whose columns (token or id, whichever is wider) fit in `width`."""
    rows: list[list[TokenView]] = [[]]
    used = len("segment") + 2
    for token in tokens:
        cell = max(len(token.token), len(str(token.id))) + 2
        if rows[-1] and used + cell > width:
            rows.append([])
            used = len("segment") + 2
        rows[-1].append(token)
        used += cell
    return rows


def encoding_view(view: EncodingView, name: str, width: int) -> Group:
    """Title, token/id/segment rows wrapped to `width` (## pieces blue, unknowns red), and the decoded text."""
    parts: list = [Text.from_markup(f"[bold]{name}[/]: {len(view.tokens)} ids, vocabulary {view.vocab_size:,} ")
                   + Text(f"({view.source})", style="dim")]
    for chunk in _rows_that_fit(view.tokens, width):
        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column("", style="dim", no_wrap=True)
        for _ in chunk:
            table.add_column("", justify="center", no_wrap=True)
        styles = ["bold red reverse" if t.unknown else "magenta" if t.special else "blue" if t.continuation else ""
                  for t in chunk]
        table.add_row("token", *(Text(t.token, style=s) for t, s in zip(chunk, styles)))
        table.add_row("id", *(str(t.id) for t in chunk))
        table.add_row("segment", *(str(t.segment) for t in chunk))
        parts.append(table)
    line = Text("  decoded: ", style="dim")
    line.append(view.decoded or "(nothing)")
    line.append(f"   unknown: {view.unknown_count}", style="bold red" if view.unknown_count else "green")
    parts.append(line)
    return Group(*parts)


def datasets_table(infos: Sequence[DatasetInfo]) -> Table:
    """`seqlab data list`: per dataset its name and description, then its labels and its files under DATA_DIR."""
    table = Table(title="datasets (or pass a .tsv/.csv/.jsonl file with --text-column/--label-column)",
                  title_justify="left", box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("field", style="dim", no_wrap=True)
    table.add_column("value", overflow="fold")
    for index, info in enumerate(infos):
        if index:
            table.add_row("", "", "")
        table.add_row(info.name, "what", info.description)
        table.add_row("", "labels", " ".join(info.labels))
        if info.needs_data_dir:
            table.add_row("", "files", Text(f"DATA_DIR/{info.folder}/{info.files}"))
            table.add_row("", "format", info.file_format)
        else:
            table.add_row("", "files", "built in, offline")
    return table
