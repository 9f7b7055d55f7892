"""Rich renderables for the viz commands' terminal output (the heatmaps themselves are viz.attention_terminal)."""

from __future__ import annotations

from rich.table import Table

from seqlab.viz.attention_export import AttentionFiles


def written_files_table(files: AttentionFiles) -> Table:
    """`seqlab attention`'s list of what it wrote: each view and its file."""
    table = Table(show_header=True, title="written", title_justify="left")
    table.add_column("view")
    table.add_column("file", overflow="fold")
    for view, path in (
        ("every layer x head", files.grid),
        (f"layer {files.layer}, head {files.head_index}", files.head),
        ("average over heads", files.average),
        ("bertviz head view", files.head_view),
        ("bertviz model view", files.model_view),
        ("attention explorer", files.explorer),
    ):
        table.add_row(view, str(path))
    return table
