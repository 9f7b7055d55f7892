"""DataSpec: the data options as one value, shared by TrainConfig and ExperimentConfig; a config.json written
before DataSpec existed (tests/fixtures/flat-config.json, a real run's, with its own dev file and a named text
column) still loads, and its data reads back as the same spec and the same DataSource."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from seqlab.data.sources import ColumnChoice, DataSource
from seqlab.data.spec import FLAT_FIELDS, DataSpec
from seqlab.experiments.config import ExperimentConfig
from seqlab.training.config import TrainConfig
from seqlab.training.runs import read_run_info

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "flat-config.json"
EXPECTED = DataSpec("/tmp/lab-fix/own/train.tsv", None, "/tmp/lab-fix/own/dev.tsv", None,
                    ColumnChoice("sentence", "label", None, False))


def test_an_old_flat_config_json_loads_as_a_data_spec(tmp_path: Path) -> None:
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["train"]
    config = TrainConfig.from_dict(stored)
    assert config.data_spec == EXPECTED == DataSpec.from_flat(stored)
    assert config.source() == DataSource(EXPECTED.data, None, config.seed, EXPECTED.dev, None, EXPECTED.columns)
    shutil.copy(FIXTURE, tmp_path / "config.json")
    assert read_run_info(tmp_path).config.data_spec == EXPECTED


def test_storage_stays_flat_so_old_runs_and_trial_keys_keep_their_meaning() -> None:
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["train"]
    config = TrainConfig.from_dict(stored)
    written = config.to_dict()
    assert {name: written[name] for name in FLAT_FIELDS} == EXPECTED.flat() == {n: stored[n] for n in FLAT_FIELDS}
    assert "data_spec" not in written and TrainConfig.from_dict(written) == config


def test_experiments_and_training_share_it() -> None:
    experiment = ExperimentConfig("rnn-width", data="/x/train.tsv", dev="/x/dev.tsv", text_column="t", no_header=True)
    assert experiment.data_spec == DataSpec("/x/train.tsv", None, "/x/dev.tsv", None, ColumnChoice("t", None, None, True))
    assert experiment.column_choice() == experiment.data_spec.columns
    train = TrainConfig(data="/x/train.tsv", dev="/x/dev.tsv", text_column="t", no_header=True)
    assert train.data_spec == experiment.data_spec
    assert DataSpec.from_flat({}) == DataSpec() == TrainConfig().data_spec
