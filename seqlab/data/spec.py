"""Which data a run or a study reads, as one value: the dataset (or your file), its folder, dev/test files, columns.

`TrainConfig` and `ExperimentConfig` store these as flat fields (so every config.json and trial key written so far
stays valid) and give them back as a `DataSpec` (`config.data_spec`); the readers are reached through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqlab.data.sources import ColumnChoice, DataSource

FLAT_FIELDS: tuple[str, ...] = ("data", "data_dir", "dev", "test", "text_column", "label_column", "text_pair_column",
                                "no_header")  # how configs store a DataSpec


@dataclass(frozen=True)
class DataSpec:
    """A dataset name or table file (None: a recipe's own choice), the folder of the real datasets, your own dev and
    test files, and how to read the columns of your files."""

    data: str | None = "builtin-sentiment"
    data_dir: str | None = None
    dev: str | None = None
    test: str | None = None
    columns: ColumnChoice = field(default_factory=ColumnChoice)

    @classmethod
    def of(cls, config: Any) -> DataSpec:
        """The spec of a config that stores it flat (FLAT_FIELDS: data, data_dir, dev, test and the columns)."""
        return cls(config.data, config.data_dir, config.dev, config.test,
                   ColumnChoice(config.text_column, config.label_column, config.text_pair_column, config.no_header))

    @classmethod
    def from_flat(cls, values: dict[str, Any]) -> DataSpec:
        """The spec of a flat dict such as config.json's "train" (missing keys: the defaults)."""
        return cls(values.get("data", "builtin-sentiment"), values.get("data_dir"), values.get("dev"),
                   values.get("test"), ColumnChoice(values.get("text_column"), values.get("label_column"),
                                                    values.get("text_pair_column"), bool(values.get("no_header"))))

    def flat(self) -> dict[str, Any]:
        """The spec as the flat fields configs store (the inverse of `from_flat`)."""
        columns = self.columns
        return {"data": self.data, "data_dir": self.data_dir, "dev": self.dev, "test": self.test,
                "text_column": columns.text, "label_column": columns.label, "text_pair_column": columns.text_pair,
                "no_header": columns.no_header}

    def source(self, seed: int = 0, data_dir: Path | None = None, split_seed: int | None = None) -> DataSource:
        """The DataSource that reads it, split with `seed`, or a split carved from your file with `split_seed` when
        given (`data_dir` overrides the stored folder)."""
        folder = data_dir or (Path(self.data_dir) if self.data_dir else None)
        return DataSource(self.data, folder, seed, self.dev, self.test, self.columns, split_seed=split_seed)
