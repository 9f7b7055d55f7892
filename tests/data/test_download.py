"""`download_dataset` offline: file:// archives, a fake opener, checksums (including a mismatch), unpacking."""

from __future__ import annotations

import hashlib
import io
import tarfile
import urllib.error
import zipfile
from pathlib import Path

import pytest

from seqlab.data import download
from seqlab.data.registry import load_splits
from seqlab.errors import SeqlabError


def _tar_gz(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _rte_zip(path: Path) -> Path:
    rows = "index\tsentence1\tsentence2\tlabel\n0\tA dog runs.\tAn animal runs.\tentailment\n"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("RTE/train.tsv", rows)
        zipped.writestr("RTE/dev.tsv", rows)
        zipped.writestr("RTE/test.tsv", "index\tsentence1\tsentence2\n0\ta\tb\n")
    return path


def test_imdb_tarball_becomes_train_and_test_tsv(tmp_path):
    files = {f"aclImdb/{split}/{label}/{i}_{7 if label == 'pos' else 2}.txt": f"{split} {label} {i}<br />\tok"
             for split in ("train", "test") for label in ("neg", "pos") for i in range(5)}
    files["aclImdb/README"] = "readme"
    archive = _tar_gz(tmp_path / "src.tar.gz", files)
    result = download.download_dataset("imdb", tmp_path / "data", tmp_path / "cache", url=archive.as_uri())
    assert result.fetched and result.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert result.checksum_verified == "no published checksum"  # a --url mirror is not the published file
    first = (tmp_path / "data" / "imdb" / "train.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert first == "neg\ttrain neg 0<br /> ok"
    assert load_splits("imdb", tmp_path / "data").counts() == {"train": 14, "dev": 2, "test": 4}


def test_stackoverflow_tarball_keeps_the_folder_form(tmp_path):
    files = {f"{split}/{tag}/{i}.txt": f"question {i}" for split in ("train", "test")
             for tag in ("csharp", "java", "javascript", "python") for i in range(5)}
    archive = _tar_gz(tmp_path / "so.tar.gz", {"README.md": "x", **files})
    download.download_dataset("stackoverflow", tmp_path / "data", tmp_path / "cache", url=archive.as_uri())
    assert load_splits("stackoverflow", tmp_path / "data").counts() == {"train": 16, "dev": 4, "test": 20}


def test_sha256_mismatch_deletes_the_archive(tmp_path):
    archive = _rte_zip(tmp_path / "RTE.zip")
    with pytest.raises(SeqlabError, match=r"RTE.zip: sha256 is [0-9a-f]{64}, expected 00+; the download is corrupt"):
        download.download_dataset("rte", tmp_path / "data", tmp_path / "cache", url=archive.as_uri(), sha256="0" * 64)
    assert not (tmp_path / "cache" / "downloads" / "RTE.zip").exists()
    assert not (tmp_path / "data" / "rte").exists()


def test_published_checksum_is_checked_through_a_fake_opener(tmp_path, monkeypatch):
    payload = _rte_zip(tmp_path / "RTE.zip").read_bytes()

    class FakeResponse(io.BytesIO):
        headers = {"Content-Length": str(len(payload))}

    opened = []
    monkeypatch.setattr(download, "_open_url", lambda url: opened.append(url) or FakeResponse(payload))
    monkeypatch.setitem(download.SOURCES, "rte", download.Source(
        "rte", "https://example.invalid/RTE.zip", "RTE.zip", "rte", download.Checksum("md5", hashlib.md5(payload).hexdigest())))
    seen = []
    result = download.download_dataset("rte", tmp_path / "data", tmp_path / "cache", progress=lambda d, t: seen.append((d, t)))
    assert opened == ["https://example.invalid/RTE.zip"] and result.checksum_verified == "md5 ok"
    assert seen[-1] == (len(payload), len(payload))
    assert load_splits("rte", tmp_path / "data").counts() == {"train": 1, "dev": 1, "test": 0}
    with pytest.raises(SeqlabError, match="already exists"):
        download.download_dataset("rte", tmp_path / "data", tmp_path / "cache")
    again = download.download_dataset("rte", tmp_path / "data2", tmp_path / "cache")
    assert not again.fetched and len(opened) == 1  # the cached archive is reused

    monkeypatch.setitem(download.SOURCES, "rte", download.Source(
        "rte", "https://example.invalid/RTE.zip", "RTE.zip", "rte", download.Checksum("md5", "f" * 32)))
    with pytest.raises(SeqlabError, match="md5 is .* expected f+"):
        download.download_dataset("rte", tmp_path / "data3", tmp_path / "cache", force=True)


def test_offline_is_one_clear_error(tmp_path, monkeypatch):
    def offline(url):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(download, "_open_url", offline)
    with pytest.raises(SeqlabError, match=r"could not reach https://.*RTE.zip \(Name or service not known\); "
                                          r"download it on a machine with a network and pass --data-dir"):
        download.download_dataset("rte", tmp_path / "data", tmp_path / "cache")
    assert list((tmp_path / "cache" / "downloads").iterdir()) == []  # no partial file left behind


def test_archive_escaping_its_folder_is_refused(tmp_path):
    archive = _tar_gz(tmp_path / "evil.tar.gz", {"../../escape.txt": "x", "train/python/0.txt": "y"})
    with pytest.raises(SeqlabError, match="points outside the folder"):
        download.download_dataset("stackoverflow", tmp_path / "data", tmp_path / "cache", url=archive.as_uri())
    assert not (tmp_path / "escape.txt").exists()


def test_unknown_download_name():
    with pytest.raises(SeqlabError, match="no download known for 'sst'; downloadable: imdb, stackoverflow, rte, sst2"):
        download.source_for("sst")
