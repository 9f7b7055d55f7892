"""Issue 9: two CPU processes under torchrun (gloo, DDP) follow the single-process loss trajectory."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from seqlab.cli import app
from seqlab.training.runs import read_metrics

# Without bucketing, rank r's batches r, r+2, ... of 8 together are exactly the single process's batches of 16.
ARGS = ["train", "--epochs", "2", "--max-train-examples", "128", "--batch-size", "16", "--no-bucket",
        "--dropout", "0", "--embed-dim", "16", "--hidden", "16", "--threads", "1", "--device", "cpu",
        "--max-length", "24", "--log-every", "2", "--quiet"]


def _curve(run_dir, split: str, event: str) -> list[float]:
    return [r["loss"] for r in read_metrics(run_dir) if r["split"] == split and r["event"] == event]


@pytest.mark.slow
def test_two_process_ddp_matches_single_process(runner, tmp_path, monkeypatch):
    ddp_root, single_root = tmp_path / "ddp", tmp_path / "single"
    env = {**os.environ, "SEQLAB_RUNS": str(ddp_root), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "-m", "seqlab", *ARGS, "--name", "ddp"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]
    (ddp_dir,) = ddp_root.iterdir()  # only rank 0 made a run directory
    assert json.loads((ddp_dir / "result.json").read_text())["world_size"] == 2

    monkeypatch.setenv("SEQLAB_RUNS", str(single_root))
    single = runner.invoke(app, [*ARGS, "--name", "single"])
    assert single.exit_code == 0, single.output
    (single_dir,) = single_root.iterdir()

    for split, event in (("train", "step"), ("train", "epoch"), ("dev", "epoch")):
        ddp, one = _curve(ddp_dir, split, event), _curve(single_dir, split, event)
        assert len(ddp) == len(one) > 0
        assert ddp == pytest.approx(one, rel=1e-4, abs=1e-5), (split, event)
    assert read_metrics(ddp_dir)[-1]["accuracy"] == pytest.approx(read_metrics(single_dir)[-1]["accuracy"])
