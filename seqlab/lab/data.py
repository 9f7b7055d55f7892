"""The datasets: what is known, how big and long they are, a few rows, and fetching the real ones."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from seqlab.data.download import DownloadResult, download_dataset, source_for
from seqlab.data.examples import Example
from seqlab.data.registry import DatasetInfo, downloaded_data_root, known_datasets
from seqlab.data.sources import LoadedData
from seqlab.data.spec import DataSpec
from seqlab.data.stats import SplitStats, dataset_stats
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.paths import cache_dir


@dataclass(frozen=True)
class DatasetRequest:
    """Which data (a `DataSpec`: dataset or table file, folder, dev/test files, columns) and the split seed."""

    spec: DataSpec = field(default_factory=DataSpec)
    seed: int = 0

    def load(self) -> LoadedData:
        """The dataset read as `seqlab train` would read it."""
        return self.spec.source(self.seed).load()


@dataclass(frozen=True)
class DatasetsReport:
    """Every dataset seqlab can read."""

    datasets: list[DatasetInfo]

    def to_json(self) -> list[dict[str, Any]]:
        """What `seqlab data list --json` prints."""
        return to_jsonable([{**info.__dict__, "labels": list(info.labels)} for info in self.datasets])


@dataclass(frozen=True)
class StatsReport:
    """A dataset as loaded, and its numbers per split (train first)."""

    loaded: LoadedData
    numbers: list[SplitStats]

    def to_json(self) -> dict[str, Any]:
        """What `seqlab data stats --json` prints."""
        splits = self.loaded.splits
        return to_jsonable({"name": splits.name, "labels": list(splits.labels), "is_pair": splits.is_pair,
                            "splits": [s.__dict__ for s in self.numbers]})


@dataclass(frozen=True)
class ShowReport:
    """A few rows of one split, picked with the seed: (index, example) in index order, out of `total`."""

    loaded: LoadedData
    split: str
    rows: list[tuple[int, Example]]
    total: int

    def to_json(self) -> list[dict[str, Any]]:
        """What `seqlab data show --json` prints."""
        return to_jsonable([{"index": i, "label": row.label, "text": row.text, "text_b": row.text_b}
                            for i, row in self.rows])


@dataclass(frozen=True)
class DownloadRequest:
    """Which dataset to fetch, where to unpack it (None: the cache), and an optional mirror and digest."""

    name: str
    data_dir: Path | None = None
    url: str | None = None
    sha256: str | None = None
    force: bool = False


@dataclass(frozen=True)
class DownloadReport:
    """What was downloaded (or reused) and where it landed."""

    request: DownloadRequest
    root: Path
    result: DownloadResult

    def to_json(self) -> Any:
        """What `seqlab data download --json` prints."""
        return to_jsonable(self.result)


def datasets() -> DatasetsReport:
    """Every dataset seqlab can read: built-in, real (needing --data-dir or a download) and their labels."""
    return DatasetsReport(known_datasets())


def stats(request: DatasetRequest, bins: int = 10) -> StatsReport:
    """Examples per split and label, and length percentiles and a histogram with `bins` bars."""
    loaded = request.load()
    return StatsReport(loaded, dataset_stats(loaded.splits, bins))


def show(request: DatasetRequest, split: str = "train", count: int = 5) -> ShowReport:
    """`count` rows of `split` picked at random with the request's seed, exactly as the readers parsed them."""
    loaded = request.load()
    rows = loaded.splits.split(split)
    if not rows:
        raise SeqlabError(f"{loaded.splits.name} has no labeled {split} split; try --split dev")
    picked = sorted(random.Random(request.seed).sample(range(len(rows)), min(count, len(rows))))
    return ShowReport(loaded, split, [(i, rows[i]) for i in picked], len(rows))


def download(request: DownloadRequest,
             progress: Callable[[str, int, int | None], None] | None = None) -> DownloadReport:
    """Download a real dataset once (cached), check its checksum and unpack it; `progress(archive, done, total)`
    hears about the bytes fetched."""
    source = source_for(request.name)
    root = request.data_dir or downloaded_data_root()
    report = (lambda done, total: progress(source.archive, done, total)) if progress else None
    result = download_dataset(request.name, root, cache_dir(), url=request.url, sha256=request.sha256,
                              force=request.force, progress=report)
    return DownloadReport(request, root, result)
