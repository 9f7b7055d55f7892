"""Issue 33: `seqlab train --config FILE.toml|json`: the file's options under the command line's, model options merged
onto the file's model, paths relative to the file, a run's config.json re-running the run, and every bad file one
line with exit 2."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.experiments.config import ExperimentConfig
from seqlab.training.config import TrainConfig
from seqlab.training.config_file import experiment_config_from_file, read_table, train_config_from_file

TINY = ["--epochs", "1", "--max-train-examples", "40", "--embed-dim", "8", "--hidden", "8", "--max-length", "16",
        "--threads", "1", "--device", "cpu", "--quiet"]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_options_fill_in_what_the_command_line_did_not_give(tmp_path: Path) -> None:
    path = _write(tmp_path, "small.toml", 'model = "gru"\nhidden = 32\nembed-dim = 16\nepochs = 3\nlr = 0.01\n'
                  'warmup = 0.2\nmax_train_examples = 500\ngrad_clip = 0\n')
    config = train_config_from_file(path, TrainConfig(seed=4), frozenset({"--seed"}))
    assert config.model == {"family": "gru", "hidden_size": 32, "embed_dim": 16}
    assert (config.epochs, config.lr, config.warmup_ratio, config.seed) == (3, 0.01, 0.2, 4)
    assert (config.max_train_examples, config.stratify_subset) == (500, True)  # as --max-train-examples
    assert config.grad_clip is None  # as --grad-clip 0


def test_command_line_options_win_and_model_options_merge_onto_the_files_model(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.json", json.dumps({"model": "transformer", "width": 32, "heads": 4, "epochs": 3,
                                                  "seed": 9}))
    base = TrainConfig(model={"family": "lstm"}, epochs=1)  # --epochs 1 --heads 2 typed; --model left default
    config = train_config_from_file(path, base, frozenset({"--epochs", "--heads"}), {"heads": 2, "width": None})
    assert config.model == {"family": "transformer", "d_model": 32, "n_heads": 2}  # --heads 2 over the file's 4
    assert (config.epochs, config.seed) == (1, 9)


def test_another_family_on_the_command_line_drops_the_files_model_options(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.toml", 'model = "transformer"\nheads = 4\n')
    config = train_config_from_file(path, TrainConfig(model={"family": "gru"}), frozenset({"--model", "--hidden"}),
                                    {"hidden": 8})
    assert config.model == {"family": "gru", "hidden_size": 8}


def test_relative_paths_are_relative_to_the_files_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "course"
    folder.mkdir()
    path = _write(folder, "c.toml", 'data = "mine/train.tsv"\ndev = "mine/dev.tsv"\ndata_dir = "/abs/data"\n'
                  'init_from = "../runs/lm"\n')
    monkeypatch.chdir(tmp_path)
    config = train_config_from_file(Path("course/c.toml"), TrainConfig())
    assert config.data == str(folder / "mine" / "train.tsv")
    assert config.dev == str(folder / "mine" / "dev.tsv")
    assert config.data_dir == "/abs/data"
    assert config.init_from == str(tmp_path / "runs" / "lm")
    assert train_config_from_file(_write(folder, "d.toml", 'data = "sst"\n'), TrainConfig()).data == "sst"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("a.toml", "epochs = 1\nepoch = 2\n", "unknown key 'epoch' (did you mean 'epochs'?); valid keys: the long options"),
    ("a.toml", "epochs = 1\n[x", "not valid TOML"),
    ("a.json", '{"epochs": 1,}', "not valid JSON: Expecting property name enclosed in double quotes (line 1, column 14)"),
    ("a.json", "[1, 2]", "expected a table of options at the top, found a list"),
    ("a.toml", 'epochs = "three"\n', "epochs must be int, got \"three\""),
    ("a.toml", "bucket = 1\n", "bucket must be bool, got 1"),
    ("a.toml", "model = 3\n", "model must be a family name"),
    ("a.yaml", "epochs: 1\n", "expected a .toml or .json file"),
])
def test_a_bad_file_is_one_error_naming_it(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(SeqlabError, match="^--config .*" + re.escape(expected)):
        train_config_from_file(path, TrainConfig())


def test_a_missing_file_or_a_folder_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(SeqlabError, match="no such file"):
        read_table(tmp_path / "none.toml")
    (tmp_path / "run.json").mkdir()
    with pytest.raises(SeqlabError, match="is a folder"):
        read_table(tmp_path / "run.json")


def test_experiment_options_from_a_file_under_the_command_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.toml", 'seeds = 1\nbudget = "full"\nmax-train = 100\nout = "reports/w"\n'
                  'reuse = ["reports/a"]\n')
    base = ExperimentConfig(recipe="rnn-width", budget="tiny", seeds=3)  # --tiny typed
    config = experiment_config_from_file(path, base, frozenset({"--tiny"}))
    assert (config.recipe, config.budget, config.seeds, config.max_train) == ("rnn-width", "tiny", 1, 100)
    assert config.out == str(tmp_path / "reports" / "w")
    assert config.reuse == (str(tmp_path / "reports" / "a"),)
    with pytest.raises(SeqlabError, match="unknown key 'recipe'; valid keys: .*budget"):
        experiment_config_from_file(_write(tmp_path, "r.toml", 'recipe = "x"\n'), base)


def _train_config(run_dir: Path) -> dict:
    return json.loads((run_dir / "config.json").read_text())["train"]


def test_a_runs_config_json_re_runs_it_with_the_same_config(runner, tmp_path: Path, monkeypatch) -> None:
    first = runner.invoke(app, ["train", *TINY, "--model", "gru", "--lr", "0.01", "--json"])
    assert first.exit_code == 0, first.output
    run_dir = Path(json.loads(first.stdout)["run_dir"])
    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path / "other"))
    again = runner.invoke(app, ["train", "--config", str(run_dir / "config.json"), "--quiet", "--json"])
    assert again.exit_code == 0, again.output
    other_dir = Path(json.loads(again.stdout)["run_dir"])
    assert other_dir.parent == tmp_path / "other"
    assert _train_config(other_dir) == _train_config(run_dir)
    assert json.loads(again.stdout)["dev"] == json.loads(first.stdout)["dev"]  # same seed, same numbers

    changed = runner.invoke(app, ["train", "--config", str(run_dir / "config.json"), "--seed", "3", "--hidden", "4",
                                  "--quiet", "--json"])
    assert changed.exit_code == 0, changed.output
    config = _train_config(Path(json.loads(changed.stdout)["run_dir"]))
    assert config["seed"] == 3 and config["model"] == {"family": "gru", "hidden_size": 4, "embed_dim": 8}
    assert dataclasses.replace(TrainConfig.from_dict(config), seed=0, model=_train_config(run_dir)["model"]) \
        == TrainConfig.from_dict(_train_config(run_dir))


def test_cli_bad_file_is_one_line_and_exit_2(runner, tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.toml", "epochs = 1\nhiden = 8\n")
    result = runner.invoke(app, ["train", "--config", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'hiden' (did you mean 'hidden'?)" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 3  # one (wrapped) line
    resumed = runner.invoke(app, ["train", "--resume", str(tmp_path), "--config", str(path)])
    assert resumed.exit_code == 2 and "--config cannot change a resumed run" in resumed.output


def test_cli_experiment_run_reads_its_options_from_a_file(runner, tmp_path: Path) -> None:
    path = _write(tmp_path, "study.toml", 'seeds = 1\nmax-configs = 1\nbudget = "full"\nout = "report"\n')
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--config", str(path), "--tiny", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["out_dir"] == str(tmp_path / "report")  # relative to the file's folder
    assert report["trials"] == 1  # max-configs 1, seeds 1 from the file
    assert "--budget tiny" in report["command"]  # --tiny typed wins over the file's budget = "full"
    bad = runner.invoke(app, ["experiment", "run", "rnn-width", "--config", str(_write(tmp_path, "b.json", "{"))])
    assert bad.exit_code == 2 and "not valid JSON" in bad.output
