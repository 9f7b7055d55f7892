"""Issues 32 and 34: a full disk or a kill while a run folder is written costs nothing that was saved before.

Weights go through seqlab's own atomic path (serialized in memory, a `.NAME.XXXX.tmp` file, renamed over the
target), so a kill leaves only files the next writer removes, and a full disk is an OSError the command
reports in one line. A full disk is simulated by a file object whose write() fails with ENOSPC, as the
kernel's does; a kill by os._exit in a child process at the moment a checkpoint's temporary file is written.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import seqlab.io
from seqlab.cli import app
from seqlab.training.runs import read_metrics

from .helpers import TINY, one_error, snapshot

CHECKPOINTS = ("last.safetensors", "state.pt")  # what --resume starts from (model.safetensors may hold a newer best)


class _FullDisk:
    """A file opened for writing whose write() fails like a full disk's."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # write() errors carry no file name

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def fill_disk(monkeypatch, when) -> None:
    """Make seqlab.io's open() hand out full-disk files for the paths where `when(path)` holds."""
    def opening(file, mode="r", *args, **kwargs):
        handle = builtins.open(file, mode, *args, **kwargs)
        return _FullDisk(handle) if ("w" in mode or "a" in mode) and when(Path(file)) else handle

    monkeypatch.setattr(seqlab.io, "open", opening, raising=False)


def _train(runner, *extra: str) -> Path:
    result = runner.invoke(app, ["train", *TINY, *extra, "--json"])
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.output)["run_dir"])


def _runs(tmp_path: Path) -> list[Path]:
    root = tmp_path / "runs"
    return sorted(root.iterdir()) if root.is_dir() else []


def test_a_full_disk_while_a_new_run_folder_is_written_is_one_line_and_leaves_no_folder(runner, monkeypatch, tmp_path):
    fill_disk(monkeypatch, lambda path: True)
    line = one_error(runner.invoke(app, ["train", "--epochs", "1", *TINY]), "no space left on the disk holding")
    assert "its folder was removed" in line
    assert _runs(tmp_path) == []  # no half-made run that `seqlab runs` would list as damaged


def test_a_full_disk_while_weights_are_written_keeps_the_last_good_checkpoint(runner, monkeypatch, tmp_path):
    """Resuming into a full disk: the weights' write fails, everything saved at epoch 1 stays, and a resume with
    space freed trains to the same numbers as a run extended the same way that never failed."""
    clean = _train(runner, "--epochs", "1", "--name", "clean")  # the same two steps with no fault: 1 epoch, then 2
    extended = runner.invoke(app, ["train", "--resume", str(clean), "--epochs", "2", "--quiet"])
    assert extended.exit_code == 0, extended.output
    run = _train(runner, "--epochs", "1", "--name", "full")
    before = snapshot(run)
    fill_disk(monkeypatch, lambda path: path.name.startswith(".last.safetensors."))
    line = one_error(runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet"]),
                    "no space left")
    assert f"{run / 'last.safetensors'}" in line  # the file, so the disk, is named
    after = snapshot(run)
    assert {k: v for k, v in after.items() if Path(k).name in CHECKPOINTS} == \
        {k: v for k, v in before.items() if Path(k).name in CHECKPOINTS}
    assert not [p for p in run.rglob(".*") if seqlab.io.is_temporary(p)]
    assert torch.load(run / "state.pt", weights_only=True)["epoch"] == 1

    monkeypatch.undo()  # space freed
    resumed = runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert (run / "model.safetensors").read_bytes() == (clean / "model.safetensors").read_bytes()  # bit-exact
    assert [r["loss"] for r in read_metrics(run) if r.get("event") == "epoch"] == \
        [r["loss"] for r in read_metrics(clean) if r.get("event") == "epoch"]


KILLED_WRITER = """
import os, sys
import seqlab.io
from seqlab.cli import main
real = seqlab.io.replace_from
def replace_from(tmp, path, write):
    if os.path.basename(path) == "last.safetensors" and os.path.exists(os.path.join(os.path.dirname(path), "state.pt")):
        write(tmp)  # the temporary file is on disk ...
        os._exit(137)  # ... when the process is killed: no cleanup runs
    return real(tmp, path, write)
seqlab.io.replace_from = replace_from
sys.argv = ["seqlab", *sys.argv[1:]]
main()
"""


def test_a_kill_during_a_checkpoint_write_leaves_no_temporary_file_after_resume(runner, tmp_path):
    run = _train(runner, "--epochs", "1", "--name", "killed")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, "train", "--resume", str(run), "--epochs", "2",
                             "--quiet"], env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr
    (run / ".tmpAb12Cd").write_bytes(b"\x00" * 64)  # what an older seqlab's safetensors save_file left when killed
    left = [p for p in run.rglob(".*") if seqlab.io.is_temporary(p)]
    assert len(left) == 2  # the kill left seqlab's temporary weights next to the old .tmpXXXXXX
    assert torch.load(run / "state.pt", weights_only=True)["epoch"] == 1  # the last good checkpoint

    resumed = runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.output)["epochs_run"] == 2
    assert not [p for p in run.rglob("*") if seqlab.io.is_temporary(p) or ".tmp" in p.name]


def test_weights_are_written_by_seqlab_not_by_safetensors_save_file(monkeypatch, tmp_path):
    """save_file writes through its own temporary files and raises SafetensorError on a full disk."""
    import safetensors.torch

    from seqlab.training import checkpoint

    def refuse(*args, **kwargs):
        raise AssertionError("save_file called")

    monkeypatch.setattr(safetensors.torch, "save_file", refuse)
    model = torch.nn.Linear(3, 2)
    path = checkpoint.save_weights(model, tmp_path / "w.safetensors")
    fresh = torch.nn.Linear(3, 2)
    checkpoint.load_weights(fresh, path)
    assert torch.equal(fresh.weight, model.weight)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.safetensors"]


def test_a_damaged_state_prints_one_line_without_torch_warnings(runner, tmp_path):
    run = _train(runner, "--epochs", "1")
    (run / "state.pt").write_bytes(b"\x80\x05garbage" + bytes(range(256)))  # pickle protocol 5, then junk
    one_error(runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet"]), "state.pt is corrupt")


@pytest.mark.parametrize("name", [".state.pt.k1ll3d.tmp", ".tmpXy9Z0q"])
def test_temporary_names_are_told_from_the_user_s_files(name):
    assert seqlab.io.is_temporary(Path(name))
    for kept in ("model.safetensors", ".tmp", ".tmprc", "notes.tmp", ".tmpABCDEFG"):
        assert not seqlab.io.is_temporary(Path(kept))
