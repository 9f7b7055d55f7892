"""`seqlab data list` reads at 80 columns: one block per dataset, every file pattern on one line, copy-pastable."""
from rich.console import Console

from seqlab.data.registry import known_datasets
from seqlab.data.render import datasets_table


def _lines(width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(datasets_table(known_datasets()))
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_every_dataset_starts_a_block_with_its_name_at_the_margin():
    lines = _lines(80)
    starts = [line.split()[0] for line in lines[1:] if line and not line.startswith(" ")]
    assert starts == [info.name for info in known_datasets()]


def test_file_patterns_and_formats_stay_whole_on_one_line_at_80_columns():
    lines = _lines(80)
    assert max(len(line) for line in lines) <= 80
    for info in known_datasets():
        if info.needs_data_dir:
            assert any(f"DATA_DIR/{info.folder}/{info.files}" in line for line in lines), info.name
            assert any(line.strip() == f"format  {info.file_format}" for line in lines), info.name
        assert any(line.strip().endswith("labels  " + " ".join(info.labels)) for line in lines), info.name
