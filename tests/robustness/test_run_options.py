"""Issue 32: options that a run folder decides are refused in one line: `train --resume RUN --lr nan` (resume
keeps the run's options) and `--init-from` pointing at something that is not a language-model run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqlab.cli import app

from .helpers import TINY, one_error, snapshot


@pytest.fixture
def run(runner) -> Path:
    """A one-epoch classifier run."""
    result = runner.invoke(app, ["train", "--epochs", "1", *TINY, "--json"])
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.output)["run_dir"])


@pytest.mark.parametrize("extra,named", [
    (["--lr", "nan"], "--lr cannot change a resumed run"),
    (["--batch-size", "4", "--seed", "3"], "--batch-size, --seed cannot change a resumed run"),
    (["--model", "gru"], "--model cannot change"),
], ids=["lr-nan", "two-options", "model"])
def test_options_a_resume_would_ignore_are_refused(extra, named, run, runner):
    before = snapshot(run)
    one_error(runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", *extra]), named)
    assert snapshot(run) == before


def test_resume_takes_epochs_quiet_and_json(run, runner, monkeypatch):
    monkeypatch.setenv("SEQLAB_DATA", str(run))  # an option's environment variable is not an option typed
    result = runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["epochs_run"] == 2


def test_init_from_says_what_is_wrong_with_the_folder_first(run, runner, tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("not a run\n", encoding="utf-8")
    for target, says in ((run, "is a classify run; it must be a language model run"),
                         (plain, "is a file, not a run folder"),
                         (tmp_path / "nowhere", "does not exist"),
                         (tmp_path, "is not a seqlab run (no config.json)")):
        line = one_error(runner.invoke(app, ["train", "--init-from", str(target), "--model", "bert", "--quiet"]), says)
        assert "would be ignored" not in line
