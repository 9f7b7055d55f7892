"""`seqlab attention` lists the files it wrote with each path whole on a line of its own, even at 80 columns."""

from __future__ import annotations

import json
from pathlib import Path

from seqlab.cli import app


def test_attention_prints_every_written_path_whole_at_80_columns(runner, tmp_path):
    trained = runner.invoke(app, ["train", "--data", "builtin-sentiment", "--model", "transformer", "--epochs", "1",
                                  "--width", "16", "--heads", "2", "--layers", "1", "--ffn", "32", "--max-length", "16",
                                  "--max-train-examples", "64", "--threads", "1", "--device", "cpu", "--seed", "0",
                                  "--json"])
    assert trained.exit_code == 0, trained.output
    run = json.loads(trained.stdout)["run_dir"]
    out = tmp_path / "a-rather-deep-folder-for-figures" / "of-attention-for-the-lesson-on-heads"
    result = runner.invoke(app, ["attention", run, "a fine film", "--out", str(out)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    written = sorted(out.iterdir())
    assert len(written) == 6 and len(str(written[0])) > 80  # longer than the terminal is wide
    lines = [line.strip() for line in result.output.splitlines()]
    for path in written:
        assert str(path) in lines, (str(path), result.output)  # whole, alone on its line
