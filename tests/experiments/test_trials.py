"""Trial keys and the store: same config -> same key; only a complete trial.json counts as done."""

from __future__ import annotations

import dataclasses

from seqlab.experiments.trials import Trial, TrialStore, trial_key
from seqlab.training.config import TrainConfig


def test_key_ignores_threads_and_name_but_not_hyperparameters():
    base = Trial("a", {}, TrainConfig(model={"family": "lstm", "hidden_size": 8}))
    same = Trial("b", {}, dataclasses.replace(base.config, threads=4, name="other"))
    different = Trial("a", {}, dataclasses.replace(base.config, lr=0.1))
    assert trial_key(base) == trial_key(same)
    assert trial_key(base) != trial_key(different)
    assert trial_key(base, "abc") != trial_key(base, "abd")  # the dependency's key is part of it


def test_torn_or_foreign_trial_file_is_not_done(tmp_path):
    trial = Trial("t", {}, TrainConfig())
    store = TrialStore(tmp_path)
    key = trial_key(trial)
    folder = store.fresh_folder(trial, key)
    (folder / "trial.json").write_text('{"key": "', encoding="utf-8")
    assert store.finished(trial, key) is None
    (folder / "trial.json").write_text('{"key": "someone-else"}', encoding="utf-8")
    assert store.finished(trial, key) is None
    store.save(trial, key, {"key": key, "result": {}})
    assert store.finished(trial, key) == {"key": key, "result": {}}


def test_own_file_fields_change_the_key_only_when_set():
    """Trials planned before --dev/--test and the column options existed keep their keys."""
    from seqlab.experiments.trials import Trial, hashed_description, trial_key
    from seqlab.training.config import TrainConfig

    plain = hashed_description(Trial("a", {}, TrainConfig()), None)["config"]
    assert not {"dev", "test", "text_column", "label_column", "text_pair_column", "no_header"} & set(plain)
    assert trial_key(Trial("a", {}, TrainConfig(dev="/d/dev.tsv"))) != trial_key(Trial("a", {}, TrainConfig()))
