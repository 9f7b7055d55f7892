"""`seqlab experiment run --executor ray`: trials as Ray tasks on a local Ray instance (started once per test
session, on loopback) give the report one process gives; without Ray, or with options that do not go together,
one error line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.experiments.ray_pool import rehome, trial_resources
from seqlab.experiments.trials import Trial
from seqlab.training.config import TrainConfig

from .test_workers import STAMP, _masked


@pytest.fixture(scope="session")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A Ray instance of 2 CPUs on 127.0.0.1 for the whole session (its workers cache under a temporary folder),
    with Ray's defaults otherwise (token authentication on); the environment Ray changes is put back after."""
    ray = pytest.importorskip("ray")  # in the [test] extra; skipped where it is not installed
    cache = tmp_path_factory.mktemp("ray-cache")
    auth_mode = os.environ.get("RAY_AUTH_MODE")  # ray.init sets it for this process; put back after
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RAY_ADDRESS", raising=False)  # a new instance, never a cluster the machine happens to have
        ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                 runtime_env={"env_vars": {"SEQLAB_CACHE": str(cache)}}, logging_level="WARNING",
                 log_to_driver=False)
        yield ray
        ray.shutdown()
    os.environ.pop("RAY_AUTH_MODE", None)
    if auth_mode is not None:
        os.environ["RAY_AUTH_MODE"] = auth_mode


def _report(runner, args: list[str], out: Path) -> dict[str, Any]:
    """results.json of `seqlab experiment run ARGS --out OUT`, times and the folder masked."""
    result = runner.invoke(app, ["experiment", "run", *args, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for table in report["tables"]:
        if "s/trial" in table["columns"]:
            seconds = table["columns"].index("s/trial")
            for row in table["rows"]:
                row[seconds] = "TIME"
    report["config"]["out"] = "OUT"
    for trial in report["trials"]:
        if trial.get("config", {}).get("init_from"):  # the run folder it starts from, named by its creation time
            trial["config"]["init_from"] = STAMP.sub("-TIME", trial["config"]["init_from"])
    report["command"] = report["command"].replace(str(out), "OUT")
    return _masked(json.loads(json.dumps(report).replace(str(out), "OUT")))


def test_ray_writes_the_report_one_process_writes(local_ray, runner, tmp_path):
    args = ["rnn-width", "--tiny", "--seeds", "1"]
    one = _report(runner, args, tmp_path / "local")
    on_ray = _report(runner, [*args, "--executor", "ray"], tmp_path / "ray")
    assert [t["result"]["dev"]["accuracy"] for t in on_ray["trials"]] == [t["result"]["dev"]["accuracy"]
                                                                           for t in one["trials"]]
    assert on_ray == one
    assert "executor" not in one["config"] and "ray_address" not in one["config"]  # where, not what
    for trial in json.loads((tmp_path / "ray" / "results.json").read_text())["trials"]:  # folders came back
        assert (tmp_path / "ray" / trial["run_dir"] / "model.safetensors").is_file()


def test_a_trial_after_another_gets_its_run_on_ray(local_ray, runner, tmp_path):
    """lm-transfer fine-tunes from a pretraining trial: its run folder is shipped to the task, and the record
    names this report's copy (init_from), as a sequential run's does."""
    args = ["lm-transfer", "--tiny", "--seeds", "1", "--max-train", "40"]
    one = _report(runner, args, tmp_path / "local")
    on_ray = _report(runner, [*args, "--executor", "ray"], tmp_path / "ray")
    assert on_ray == one
    assert any((t["config"].get("init_from") or "").startswith("OUT/trials/") for t in on_ray["trials"])


def test_without_ray_it_is_one_error_line(runner, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    out = tmp_path / "study"
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--executor", "ray", "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert 'pip install -e ".[cluster]"' in " ".join(result.output.split())
    assert not out.exists()  # refused before any report folder is made


def test_an_address_where_nothing_answers_is_one_error_line(runner, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "study"
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--executor", "ray", "--ray-address",
                                 "127.0.0.1:1", "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "nothing answers at --ray-address 127.0.0.1:1" in lines[0], result.output
    assert not out.exists()  # Ray's own retries would take minutes; this is refused before the report folder


@pytest.mark.parametrize("args, message", [
    (["--executor", "spark"], "--executor must be one of local, ray"),
    (["--ray-address", "10.0.0.1:6379"], "--ray-address is for --executor ray"),
    (["--executor", "ray", "--workers", "2"], "--workers is for the local executor"),
])
def test_options_that_do_not_go_together_are_one_error_line(runner, args, message):
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", *args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output


def _trial(device: str) -> Trial:
    return Trial("t", {}, config=TrainConfig(data="builtin-sentiment", device=device))


def test_a_trial_asks_for_its_cpus_and_a_gpu_when_it_trains_on_cuda():
    assert trial_resources(_trial("cpu"), 3, cluster_gpus=4) == {"num_cpus": 3, "num_gpus": 0}
    assert trial_resources(_trial("cuda"), 1, cluster_gpus=4) == {"num_cpus": 1, "num_gpus": 1}
    assert trial_resources(_trial("auto"), 1, cluster_gpus=2) == {"num_cpus": 1, "num_gpus": 1}
    assert trial_resources(_trial("auto"), 1, cluster_gpus=0) == {"num_cpus": 1, "num_gpus": 0}
    measure = Trial("m", {}, measure=lambda payload, context: {}, payload={})
    assert trial_resources(measure, 2, cluster_gpus=2) == {"num_cpus": 2, "num_gpus": 0}
    with pytest.raises(SeqlabError, match="the Ray cluster has no GPU"):
        trial_resources(_trial("cuda"), 1, cluster_gpus=0)
    with pytest.raises(SeqlabError, match="give --device cuda"):
        trial_resources(_trial("cuda:1"), 1, cluster_gpus=2)


def test_paths_into_the_task_folder_become_the_report_folder():
    record = {"config": {"init_from": "/tmp/t1/trials/a/run"}, "runs": ["/tmp/t1", "/tmp/t10/x"], "n": 3}
    assert rehome(record, "/tmp/t1", "/home/me/study") == {
        "config": {"init_from": "/home/me/study/trials/a/run"}, "runs": ["/home/me/study", "/tmp/t10/x"], "n": 3}
