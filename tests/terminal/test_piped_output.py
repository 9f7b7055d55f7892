"""Output piped to a file or another program (`seqlab train ... | tee log`) is plain lines: no progress bar redraws
(carriage returns, cursor moves, bar glyphs) and no colour codes, while the epoch lines and the result remain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_piped_train_output_has_epoch_lines_and_no_progress_bar(tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEQLAB_RUNS": str(tmp_path / "runs"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "seqlab", "train", "--model", "lstm", "--epochs", "2",
                           "--max-train-examples", "200", "--threads", "1"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    both = done.stdout + done.stderr
    assert "\r" not in both and "\x1b[" not in both
    assert not any(glyph in both for glyph in "━╸╺█▏"), both
    assert "epoch 1/2" in done.stdout and "epoch 2/2" in done.stdout and "dev accuracy" in done.stdout
