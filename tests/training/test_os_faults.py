"""Issue 16: faults of the machine, not of the input: a full disk, a read-only or unreadable folder, two
writers on one run, a kill between the last checkpoint and the result files, damaged run folders.

Tests run as root, where chmod stops nothing, so OS errors are injected: the one function that fails is
replaced by one raising the OSError the kernel would give. Every case ends in one `error:` line and exit 2,
and what was on disk before stays usable.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from seqlab.cli import app
from seqlab.io import locked_folder
from seqlab.training import checkpoint, runs
from seqlab.training.runs import list_runs, read_metrics

TINY = ["--embed-dim", "8", "--hidden", "8", "--max-train-examples", "64", "--max-length", "16", "--threads", "1",
        "--device", "cpu", "--quiet"]


def _one_error(result, says: str) -> str:
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert says in lines[0], lines[0]
    return lines[0]


def _train(runner, *extra: str, epochs: int = 2) -> Path:
    result = runner.invoke(app, ["train", "--epochs", str(epochs), *TINY, *extra, "--json"])
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.output)["run_dir"])


def _raise_on(monkeypatch, target: object, name: str, code: int, when=lambda *a, **k: True) -> None:
    """Replace target.name by a function raising OSError(code) when `when(*args)` holds, else the original."""
    original = getattr(target, name)

    def failing(*args, **kwargs):
        if when(*args, **kwargs):
            path = next((a for a in args if isinstance(a, (str, Path))), "file")
            raise OSError(code, os.strerror(code), str(path))
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


# --- every OS-level failure is one line -------------------------------------------------------------------

OS_FAULTS = [
    pytest.param(errno.ENOSPC, "no space left on the disk", id="disk-full"),
    pytest.param(errno.EROFS, "read-only file system", id="read-only"),
    pytest.param(errno.EACCES, "permission denied", id="permission-denied"),
    pytest.param(errno.ENAMETOOLONG, "file name too long", id="name-too-long"),
]
WRITERS = [
    pytest.param(["train", *TINY, "--epochs", "1"], id="train"),
    pytest.param(["experiment", "run", "rnn-optimizers", "--tiny", "--budget", "1", "--threads", "1", "--device", "cpu"],
                 id="experiment"),
    pytest.param(["plot", "masks"], id="plot"),
]


@pytest.mark.parametrize("code,says", OS_FAULTS)
@pytest.mark.parametrize("argv", WRITERS)
def test_a_failing_write_is_one_line_and_exit_2(code, says, argv, runner, monkeypatch, tmp_path):
    import seqlab.io

    _raise_on(monkeypatch, seqlab.io.os, "replace", code)  # every atomic write ends in os.replace,
    _raise_on(monkeypatch, seqlab.io.os, "link", code)  # every new file (a figure) in os.link
    monkeypatch.chdir(tmp_path)
    _one_error(runner.invoke(app, argv), says)
    assert not list(tmp_path.rglob("*.tmp")), "a failed write leaves no temporary file"


@pytest.mark.parametrize("code,says", OS_FAULTS)
def test_a_runs_root_that_cannot_be_created_is_one_line(code, says, runner, monkeypatch, tmp_path):
    import pathlib

    _raise_on(monkeypatch, pathlib.Path, "mkdir", code, when=lambda self, *a, **k: "runs" in str(self))
    _one_error(runner.invoke(app, ["train", *TINY, "--epochs", "1"]), says)


def test_seqlab_runs_that_is_a_file(runner, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path / "a-file"))
    _one_error(runner.invoke(app, ["train", *TINY, "--epochs", "1"]), "is a file, not a folder")
    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path / "a-file" / "below"))
    _one_error(runner.invoke(app, ["train", *TINY, "--epochs", "1"]), "not a folder")


def test_a_very_long_name_is_shortened_not_refused(runner):
    run_dir = _train(runner, "--name", "x" * 400, epochs=1)
    assert len(run_dir.name) < 120


def test_no_home_folder_matters_only_without_seqlab_cache(monkeypatch, tmp_path):
    from pathlib import Path as P

    from seqlab.errors import SeqlabError
    from seqlab.paths import cache_dir

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(P, "home", staticmethod(no_home))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("SEQLAB_CACHE")
    with pytest.raises(SeqlabError, match="set SEQLAB_CACHE"):
        cache_dir()


def test_running_out_of_memory_is_one_line(runner, monkeypatch):
    from seqlab.training import trainer

    def allocate(*args, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:127] DefaultCPUAllocator: can't allocate memory: "
                           "you tried to allocate 1024000000000 bytes.")

    monkeypatch.setattr(trainer, "build_model", allocate)
    _one_error(runner.invoke(app, ["train", *TINY, "--epochs", "1"]), "not enough memory")
    assert not Path(os.environ["SEQLAB_RUNS"]).exists()  # nothing was written before the model existed


# --- a full disk mid-training keeps the last checkpoint, and resume works once space is back ---------------

def test_disk_full_mid_training_keeps_the_last_checkpoint_and_resume_finishes(runner, monkeypatch):
    real_save_state = checkpoint.save_state
    calls = {"n": 0}

    def save_state_then_fill_disk(path, state):
        calls["n"] += 1
        if calls["n"] == 3:  # the start, epoch 1, then the disk is full at epoch 2
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_save_state(path, state)

    monkeypatch.setattr(checkpoint, "save_state", save_state_then_fill_disk)
    result = runner.invoke(app, ["train", "--epochs", "3", *TINY, "--name", "full"])
    _one_error(result, "no space left")
    (run_dir,) = Path(os.environ["SEQLAB_RUNS"]).glob("full-*")
    assert torch.load(run_dir / "state.pt", weights_only=True)["epoch"] == 1  # the previous checkpoint is intact

    monkeypatch.setattr(checkpoint, "save_state", real_save_state)  # space freed
    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--quiet", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.output)["epochs_run"] == 3
    epochs = [r["epoch"] for r in read_metrics(run_dir) if r.get("event") == "epoch" and r["split"] == "dev"]
    assert epochs == [1, 2, 3]


# --- a kill between the last checkpoint and predictions.tsv / result.json ----------------------------------

@pytest.mark.parametrize("missing", [("result.json",), ("predictions.tsv", "result.json")], ids=["result", "both"])
def test_resume_completes_a_run_killed_before_its_result_files(missing, runner):
    run_dir = _train(runner)
    expected = json.loads((run_dir / "result.json").read_text())
    predictions = (run_dir / "predictions.tsv").read_text()
    for name in missing:  # exactly what a kill after the final save_resumable leaves
        (run_dir / name).unlink()
    (summary,) = list_runs(run_dir.parent)
    assert not summary.finished

    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--quiet", "--json"])
    assert resumed.exit_code == 0, resumed.output
    result = json.loads((run_dir / "result.json").read_text())
    assert result["dev"] == expected["dev"] and result["best_epoch"] == expected["best_epoch"]
    assert (run_dir / "predictions.tsv").read_text() == predictions
    (summary,) = list_runs(run_dir.parent)
    assert summary.finished
    again = runner.invoke(app, ["train", "--resume", str(run_dir)])
    _one_error(again, "already finished")
    (run_dir / "result.json").write_bytes(b"\x00garbled")  # a damaged result is rewritten by resume too
    assert runner.invoke(app, ["train", "--resume", str(run_dir), "--quiet"]).exit_code == 0
    assert json.loads((run_dir / "result.json").read_text())["dev"] == expected["dev"]


def test_a_failure_while_writing_the_result_is_finished_by_resume(runner, monkeypatch):
    from seqlab.training import trainer

    real_write_result = trainer.write_result
    _raise_on(monkeypatch, trainer, "write_result", errno.ENOSPC)
    _one_error(runner.invoke(app, ["train", "--epochs", "1", *TINY, "--name", "late"]), "no space left")
    monkeypatch.setattr(trainer, "write_result", real_write_result)
    (run_dir,) = Path(os.environ["SEQLAB_RUNS"]).glob("late-*")
    assert not (run_dir / "result.json").exists()
    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert (run_dir / "result.json").is_file()


# --- one writer per run folder -------------------------------------------------------------------------------

def test_a_second_writer_on_a_run_is_refused_in_one_line(runner):
    run_dir = _train(runner, epochs=1)
    with locked_folder(run_dir):  # another process is training it
        _one_error(runner.invoke(app, ["train", "--resume", str(run_dir), "--epochs", "2"]), "in use by another")
    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--epochs", "2", "--quiet"])
    assert resumed.exit_code == 0, resumed.output


def test_two_resumes_at_once_one_trains_and_metrics_are_not_interleaved(runner, tmp_path):
    """Two real processes: the second `--resume` is refused while the first trains; the records match a clean run."""
    run_dir = _train(runner, "--max-train-examples", "400", epochs=1)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    argv = ["train", "--resume", str(run_dir), "--epochs", "4", "--quiet"]
    # the second process imports everything first and starts its command when told, so it surely overlaps
    waiting = ("import sys, seqlab.cli, seqlab.training.trainer; sys.stdin.readline(); "
               f"sys.argv = ['seqlab', *{argv!r}]; seqlab.cli.main()")
    second = subprocess.Popen([sys.executable, "-c", waiting], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # the first process waits after its first step (holding the lock) until the second has been refused, so a
    # fast training can never finish before the second one asks
    go_on = tmp_path / "go-on"
    holding = ("import sys, time, pathlib\n"
               "import seqlab.training.trainer as trainer\n"
               "from seqlab.cli import main\n"
               "real_fit = trainer.fit\n"
               "held, go_on = [], pathlib.Path(sys.argv[1])\n"
               "def fit(*args, on_step=None, **kwargs):\n"
               "    def pause(epoch, epochs, step, steps):\n"
               "        if held:\n"
               "            return\n"
               "        held.append(step)\n"
               "        print('holding', flush=True)\n"
               "        deadline = time.monotonic() + 120\n"
               "        while not go_on.exists() and time.monotonic() < deadline:\n"
               "            time.sleep(0.01)\n"
               "    return real_fit(*args, on_step=pause, **kwargs)\n"
               "trainer.fit = fit\n"
               "sys.argv = ['seqlab', *sys.argv[2:]]\n"
               "main()\n")
    first = subprocess.Popen([sys.executable, "-c", holding, str(go_on), *argv], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        held = first.stdout.readline().strip() if first.stdout else ""
        _, second_err = second.communicate("go\n", timeout=120)
    finally:
        go_on.touch()
        first.wait(timeout=120)
        second.wait(timeout=120)
    assert held == "holding", first.stderr.read() if first.stderr else ""
    assert first.returncode == 0, first.stderr.read() if first.stderr else ""
    assert second.returncode == 2 and "in use by another seqlab process" in second_err, second_err
    assert len(second_err.strip().splitlines()) == 1
    records = read_metrics(run_dir)
    assert [r["epoch"] for r in records if r.get("event") == "epoch" and r["split"] == "dev"] == [1, 2, 3, 4]


def test_orphan_temporary_files_are_removed_on_the_next_write(runner):
    run_dir = _train(runner, epochs=1)
    orphans = [run_dir / ".state.pt.k1ll3d.tmp", run_dir / "encoder" / ".vocab.json.x.tmp"]
    for orphan in orphans:
        orphan.write_bytes(b"half a file")
    resumed = runner.invoke(app, ["train", "--resume", str(run_dir), "--epochs", "2", "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert not any(orphan.exists() for orphan in orphans)


# --- permissions name the right cause; weights are shared like every other file -----------------------------

def test_weights_have_the_mode_of_the_other_files(runner):
    run_dir = _train(runner, epochs=1)
    modes = {name: (run_dir / name).stat().st_mode & 0o777
             for name in ("config.json", "model.safetensors", "last.safetensors", "state.pt", "result.json")}
    assert len(set(modes.values())) == 1, modes


@pytest.mark.parametrize("name,argv,says", [
    ("model.safetensors", ["evaluate"], "cannot be read (permission denied)"),
    ("state.pt", ["train", "--resume"], "cannot be read (permission denied)"),
    ("config.json", ["evaluate"], "cannot be read (permission denied)"),
    ("encoder/encoder.json", ["evaluate"], "permission denied"),
], ids=["weights", "state", "config", "encoder"])
def test_an_unreadable_run_file_is_permission_denied_not_corrupt(name, argv, says, runner, monkeypatch):
    import builtins
    import pathlib

    run_dir = _train(runner, epochs=1)
    target = str(run_dir / name)
    real_open, real_read_text = builtins.open, pathlib.Path.read_text

    def guarded_open(file, *args, **kwargs):
        if str(file) == target:
            raise PermissionError(errno.EACCES, "Permission denied", target)
        return real_open(file, *args, **kwargs)

    def guarded_read_text(self, *args, **kwargs):
        if str(self) == target:
            raise PermissionError(errno.EACCES, "Permission denied", target)
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(pathlib.Path, "read_text", guarded_read_text)
    line = _one_error(runner.invoke(app, [*argv, str(run_dir)]), says)
    assert "corrupt" not in line


# --- damaged run folders do not hide the others --------------------------------------------------------------

DAMAGE = {
    "binary-metrics": ("metrics.jsonl", b"\x00\xff\xfe garbage \x80\n[1, 2]\n{\"epoch\": \"one\"}\n"),
    "result-a-list": ("result.json", b"[1, 2, 3]"),
    "result-binary": ("result.json", b"\x89PNG\x00\x00"),
    "config-binary": ("config.json", b"\x00\x01\x02"),
    "config-a-list": ("config.json", b"[]"),
    "config-wrong-types": ("config.json", json.dumps({"train": {"max_length": "sixty"}, "model": {"family": "lstm"},
                                                      "labels": ["a"]}).encode()),
    "config-a-folder": ("config.json", None),
}


def test_runs_compare_and_plot_survive_a_folder_of_damaged_runs(runner, tmp_path):
    good = _train(runner, "--name", "good", epochs=1)
    root = good.parent
    for name, (file, content) in DAMAGE.items():
        damaged = root / name
        for item in good.rglob("*"):
            if item.is_file():
                (damaged / item.relative_to(good)).parent.mkdir(parents=True, exist_ok=True)
                (damaged / item.relative_to(good)).write_bytes(item.read_bytes())
        (damaged / file).unlink()
        if content is None:
            (damaged / file).mkdir()
        else:
            (damaged / file).write_bytes(content)

    listed = runner.invoke(app, ["runs", "--json"])
    assert listed.exit_code == 0, listed.output
    by_name = {Path(r["path"]).name: r for r in json.loads(listed.output)}
    assert by_name[good.name]["damaged"] is None and by_name[good.name]["finished"]
    assert by_name["binary-metrics"]["damaged"] is None  # garbled lines are skipped, the run is readable
    for name in DAMAGE:
        if name != "binary-metrics":
            assert by_name[name]["damaged"], name
    table = runner.invoke(app, ["runs"])
    assert table.exit_code == 0, table.output
    assert f"damaged: config-binary: {root / 'config-binary' / 'config.json'} is not valid JSON" in table.output

    compared = runner.invoke(app, ["compare", str(good), str(root / "config-binary"), str(root / "result-a-list"),
                                   "--out", str(tmp_path / "figs"), "--json"])
    assert compared.exit_code == 0, compared.output
    payload = json.loads(compared.output)
    assert len(payload["runs"]) == 2 and len(payload["damaged"]) == 1
    _one_error(runner.invoke(app, ["plot", "curves", str(root / "config-a-list"), "--out", str(tmp_path / "f")]),
               "not a valid run config")


def test_names_with_mathtext_reach_figures_safely(runner, tmp_path):
    run_dir = _train(runner, "--name", "run", epochs=1)
    for name in ("a$b", "$\\frac{x", "back\\slash$$"):
        odd = run_dir.parent / name
        run_dir.rename(odd)
        for argv in (["plot", "curves", str(odd)], ["compare", str(odd), str(odd)]):
            result = runner.invoke(app, [*argv, "--out", str(tmp_path / "figs")])
            assert result.exit_code == 0, result.output
        run_dir = odd


@pytest.mark.parametrize("code,says", [(errno.EROFS, "read-only file system"), (errno.EACCES, "permission denied")],
                         ids=["read-only", "permission-denied"])
def test_resuming_a_run_in_a_folder_that_cannot_be_written_is_one_line(code, says, runner, monkeypatch):
    import builtins

    run_dir = _train(runner, epochs=1)
    state_before = (run_dir / "state.pt").read_bytes()
    real_open = builtins.open

    def read_only_open(file, mode="r", *args, **kwargs):
        if str(file).startswith(str(run_dir)) and any(flag in mode for flag in "wax+"):
            raise OSError(code, os.strerror(code), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only_open)
    _one_error(runner.invoke(app, ["train", "--resume", str(run_dir), "--epochs", "2"]), says)
    monkeypatch.setattr(builtins, "open", real_open)
    assert (run_dir / "state.pt").read_bytes() == state_before


def test_a_closed_pipe_ends_quietly(runner, monkeypatch):
    from seqlab.commands import runs as runs_command

    def closed(*args, **kwargs):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(runs_command, "emit_json", closed)
    result = runner.invoke(app, ["runs", "--json"])
    assert result.exit_code == 0 and "error" not in result.output
