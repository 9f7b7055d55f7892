"""Issue 32: seqlab runs where there is no `fcntl` (Windows); the run-folder lock still admits one writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seqlab.errors import SeqlabError
from seqlab.io import LOCK_FILE, locked_folder

WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # import fcntl now raises ImportError, as on Windows
import json, pathlib
from seqlab.errors import SeqlabError
from seqlab.io import locked_folder
from seqlab.cli import app
from typer.testing import CliRunner
folder = pathlib.Path(sys.argv[1])
refused = False
with locked_folder(folder):
    try:
        with locked_folder(folder):
            pass
    except SeqlabError as exc:
        refused = "in use by another seqlab process" in str(exc)
result = CliRunner().invoke(app, ["train", "--epochs", "1", "--embed-dim", "8", "--hidden", "8", "--max-length",
                                  "16", "--max-train-examples", "32", "--threads", "1", "--device", "cpu",
                                  "--quiet", "--json"])
print(json.dumps({"refused": refused, "train": result.exit_code, "fcntl": "fcntl" in sys.modules
                  and sys.modules["fcntl"] is not None}))
"""


def test_train_and_the_lock_work_without_fcntl(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "SEQLAB_RUNS": str(tmp_path / "r")}
    done = subprocess.run([sys.executable, "-c", WITHOUT_FCNTL, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == '{"refused": true, "train": 0, "fcntl": false}'


def test_seqlab_io_does_not_use_fcntl():
    source = (Path(__file__).resolve().parents[2] / "seqlab" / "io.py").read_text(encoding="utf-8")
    assert "fcntl" not in source


def test_a_second_writer_is_refused_and_the_lock_ends_with_the_holder(tmp_path):
    with locked_folder(tmp_path):
        with pytest.raises(SeqlabError, match="in use by another seqlab process"):
            with locked_folder(tmp_path):
                pass
    with locked_folder(tmp_path):  # released: the next writer gets it
        assert (tmp_path / LOCK_FILE).exists()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom seqlab.io import locked_folder\n"
                               f"with locked_folder({str(tmp_path)!r}):\n    print('held', flush=True)\n"
                               "    time.sleep(60)\n"],
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SeqlabError, match="in use"):
            with locked_folder(tmp_path):
                pass
    finally:
        holder.kill()  # a killed writer leaves no stale lock
        holder.wait()
    with locked_folder(tmp_path):
        pass
