"""`seqlab data download`: fetch a published archive once, check its checksum, unpack it into the reader's layout.

Archives are cached under `seqlab.paths.cache_dir()/downloads`; datasets land in DATA_DIR/<folder>
(default `<cache>/data`, where `load_splits` also looks). Nothing is downloaded unless a user asks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_text

CHUNK = 1 << 16
TIMEOUT_S = 30

# Progress callback: (bytes so far, total bytes or None).
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Checksum:
    """A published digest of an archive: algorithm ("sha256" or "md5") and hex digest."""

    algorithm: str
    digest: str


@dataclass(frozen=True)
class Source:
    """Where a dataset's archive lives, its known checksum, and the folder the readers expect."""

    name: str
    url: str
    archive: str
    folder: str
    checksum: Checksum | None
    note: str = ""


# Checksums: the MD5s that torchtext publishes for these exact URLs; none is published for Stack Overflow.
SOURCES: dict[str, Source] = {
    "imdb": Source("imdb", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", "aclImdb_v1.tar.gz",
                   "imdb", Checksum("md5", "7c2ac02c03563afcf9b574c7e56c153a"),
                   "84 MB; the 50,000 labeled reviews become imdb/train.tsv and imdb/test.tsv"),
    "stackoverflow": Source("stackoverflow",
                            "https://storage.googleapis.com/download.tensorflow.org/data/stack_overflow_16k.tar.gz",
                            "stack_overflow_16k.tar.gz", "stackoverflow", None, "6 MB; no published checksum"),
    "rte": Source("rte", "https://dl.fbaipublicfiles.com/glue/data/RTE.zip", "RTE.zip", "rte",
                  Checksum("md5", "bef554d0cafd4ab6743488101c638539"), "GLUE RTE"),
    "sst2": Source("sst2", "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip", "SST-2.zip", "sst2",
                   Checksum("md5", "9f81648d4199384278b86e315dac217c"), "GLUE SST-2"),
}


@dataclass(frozen=True)
class DownloadResult:
    """What a download did: where the dataset now is, the archive's sha256, and whether it was fetched."""

    name: str
    folder: Path
    archive: Path
    sha256: str
    checksum_verified: str
    fetched: bool


def source_for(name: str) -> Source:
    """The download source of `name`; SeqlabError listing the downloadable names otherwise."""
    if name not in SOURCES:
        raise SeqlabError(
            f"no download known for {name!r}; downloadable: {', '.join(SOURCES)} "
            "(sst and cfimdb come with the minbert assignment; place them under --data-dir)"
        )
    return SOURCES[name]


def _open_url(url: str):
    """Open `url` (tests replace this with a fake opener)."""
    return urllib.request.urlopen(url, timeout=TIMEOUT_S)  # noqa: S310 (the URL table is ours or the user's file://)


def fetch(url: str, destination: Path, progress: Progress | None = None) -> str:
    """Stream `url` into `destination` (atomically: a partial download never takes the name); return its sha256."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = _open_url(url)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                raise SeqlabError(
                    f"could not reach {url} ({reason}); download it on a machine with a network and pass --data-dir"
                ) from None
            with response:
                headers = getattr(response, "headers", None) or {}
                length = headers.get("Content-Length")
                total = int(length) if length and str(length).isdigit() else None
                done = 0
                while True:
                    try:
                        chunk = response.read(CHUNK)
                    except OSError as exc:
                        raise SeqlabError(f"the download of {url} broke off ({exc}); run the command again") from None
                    if not chunk:
                        break
                    out.write(chunk)
                    sha256.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        os.replace(tmp_name, destination)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return sha256.hexdigest()


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of the file at `path`."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, checksum: Checksum) -> None:
    """SeqlabError (and the file removed) when the file's digest differs from `checksum`."""
    actual = file_digest(path, checksum.algorithm)
    if actual != checksum.digest.lower():
        path.unlink(missing_ok=True)
        raise SeqlabError(
            f"{path.name}: {checksum.algorithm} is {actual}, expected {checksum.digest}; the download is corrupt "
            "or changed upstream, so it was deleted; run the command again"
        )


def _safe_extract(archive: Path, into: Path) -> None:
    """Unpack a .tar.gz or .zip into `into`, refusing members that would land outside it."""
    root = into.resolve()

    def check(name: str) -> None:
        target = (root / name).resolve()
        if target != root and root not in target.parents:
            raise SeqlabError(f"{archive.name} holds {name!r}, which points outside the folder; refusing to unpack it")

    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                for name in zipped.namelist():
                    check(name)
                zipped.extractall(into)
            return
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]  # no links, devices or fifos
            for member in members:
                check(member.name)
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
            tar.extractall(into, members=members, **safe)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SeqlabError(f"{archive.name} could not be unpacked ({exc}); delete it and download again") from None


def _find_dir(root: Path, name: str) -> Path:
    """The first folder called `name` under `root` (archives differ in how deep they nest)."""
    if (root / name).is_dir():
        return root / name
    for path in sorted(root.rglob(name)):
        if path.is_dir():
            return path
    raise SeqlabError(f"the archive has no {name}/ folder; it is not the expected dataset")


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def _layout_imdb(unpacked: Path, target: Path) -> None:
    """aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt -> target/{train,test}.tsv (LABEL<TAB>TEXT)."""
    acl = _find_dir(unpacked, "aclImdb")
    target.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        lines = []
        for label in ("neg", "pos"):
            files = sorted((acl / split / label).glob("*.txt"), key=lambda p: int(p.stem.split("_")[0]))
            lines += [f"{label}\t{_clean(f.read_text(encoding='utf-8'))}\n" for f in files]
        atomic_write_text(target / f"{split}.tsv", "".join(lines))


def _layout_stackoverflow(unpacked: Path, target: Path) -> None:
    """train/<tag>/<n>.txt and test/<tag>/<n>.txt moved to target/."""
    train = _find_dir(unpacked, "train")
    target.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        shutil.move(str(train.parent / split), str(target / split))


def _layout_glue(folder_name: str) -> Callable[[Path, Path], None]:
    def layout(unpacked: Path, target: Path) -> None:
        source = _find_dir(unpacked, folder_name)
        target.mkdir(parents=True, exist_ok=True)
        for tsv in source.glob("*.tsv"):
            shutil.move(str(tsv), str(target / tsv.name))

    return layout


_LAYOUTS: dict[str, Callable[[Path, Path], None]] = {
    "imdb": _layout_imdb,
    "stackoverflow": _layout_stackoverflow,
    "rte": _layout_glue("RTE"),
    "sst2": _layout_glue("SST-2"),
}


def download_dataset(
    name: str,
    data_root: Path,
    cache: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> DownloadResult:
    """Download (or reuse the cached archive of) dataset `name`, verify it, and unpack it into data_root/<folder>.

    `url` replaces the known URL (a mirror or a file:// path); `sha256` adds a digest to check.
    An existing dataset folder is left alone unless `force`.
    """
    source = source_for(name)
    target = Path(data_root) / source.folder
    archive = Path(cache) / "downloads" / source.archive
    if target.exists() and any(target.iterdir()) and not force:
        raise SeqlabError(f"{target} already exists; use it as is, or pass --force to download it again")
    fetched = False
    if force or not archive.is_file():
        fetch(url or source.url, archive, progress)
        fetched = True
    checks = [c for c in (source.checksum if not url else None, Checksum("sha256", sha256) if sha256 else None) if c]
    for checksum in checks:
        verify(archive, checksum)
    actual_sha256 = file_digest(archive, "sha256")
    Path(data_root).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".unpack-", dir=data_root) as tmp:
        unpacked = Path(tmp) / "archive"
        _safe_extract(archive, unpacked)
        staged = Path(tmp) / "staged"
        _LAYOUTS[name](unpacked, staged)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    verified = ", ".join(f"{c.algorithm} ok" for c in checks) or "no published checksum"
    return DownloadResult(name, target, archive, actual_sha256, verified, fetched)
