"""TrainConfig validation and the command-line option -> model spec mapping."""

from __future__ import annotations

import dataclasses

import pytest

from seqlab.errors import SeqlabError
from seqlab.training.config import TrainConfig, default_lr, model_spec, validate


def test_defaults_are_valid_and_round_trip_through_dict():
    config = validate(TrainConfig())
    assert config == dataclasses.replace(TrainConfig(), lr=3e-3)  # the lstm's learning rate, filled in
    assert validate(config) is config
    assert TrainConfig.from_dict({**config.to_dict(), "from_a_future_version": 1}) == config


@pytest.mark.parametrize("family, task, lr", [("lstm", "auto", 3e-3), ("bert", "auto", 5e-4),
                                              ("bert-pretrained", "auto", 5e-5), ("bert", "mlm", 3e-3)])
def test_a_library_caller_gets_the_same_learning_rate_as_the_command_line(family, task, lr):
    config = validate(TrainConfig(model={"family": family}, task=task))
    assert config.lr == lr == default_lr(family, task)
    assert validate(dataclasses.replace(config, lr=0.1)).lr == 0.1  # an explicit one is kept


@pytest.mark.parametrize("family, shortest", [("lstm", 2), ("transformer", 2), ("bert", 3), ("bert-pretrained", 3)])
def test_max_length_leaves_room_for_the_encoders_special_tokens(family, shortest):
    validate(TrainConfig(model={"family": family}, max_length=shortest))
    with pytest.raises(SeqlabError, match=rf"^--max-length must be from {shortest} to 65,536 tokens \(got 1\)"):
        validate(TrainConfig(model={"family": family}, max_length=1))
    if shortest == 3:
        with pytest.raises(SeqlabError, match=r"adds \[CLS\], \[SEP\] to each text"):
            validate(TrainConfig(model={"family": family}, max_length=2))
    pair = TrainConfig(model={"family": family}, max_length=shortest, text_pair_column="b")
    if family.startswith("bert"):  # [CLS] a [SEP] b [SEP]
        with pytest.raises(SeqlabError, match=f"from {shortest + 1} to"):
            validate(pair)
    else:
        validate(pair)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().lr = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"model": {"family": "cnn"}}, "unknown model 'cnn'"),
        ({"lr": 0.0}, "--lr must be greater than 0"),
        ({"lr": -1e-3}, "--lr must be greater than 0"),
        ({"batch_size": 0}, "--batch-size must be at least 1"),
        ({"epochs": 0}, "--epochs must be at least 1"),
        ({"optimizer": "lion"}, "unknown optimizer 'lion'"),
        ({"warmup_ratio": 1.5}, "--warmup"),
        ({"schedule": "cosine"}, "unknown --schedule 'cosine'"),
        ({"grad_clip": -1.0}, "--grad-clip"),
        ({"patience": 0}, "--patience"),
        ({"model": {"family": "transformer", "d_model": 30, "n_heads": 4}}, "--width 30 does not split into --heads 4"),
        ({"model": {"family": "transformer", "d_model": 30}}, "--heads 4"),  # the factory's default heads
        ({"model": {"family": "bert", "hidden_size": 30, "num_attention_heads": 4}}, "does not split"),
        ({"task": "lm"}, "--task lm needs --model lm"),
        ({"model": {"family": "bert-pretrained"}, "max_length": 1000}, "512"),
    ],
)
def test_bad_values_raise_one_clear_error(changes, fragment):
    with pytest.raises(SeqlabError, match=fragment.replace("(", r"\(")):
        validate(dataclasses.replace(TrainConfig(), **changes))


def test_model_spec_maps_options_to_each_familys_keys():
    assert model_spec("lstm", layers=2, hidden=32, embed_dim=16, bidirectional=True, dropout=0.2) == {
        "family": "lstm", "num_layers": 2, "hidden_size": 32, "embed_dim": 16, "bidirectional": True, "dropout": 0.2,
    }
    assert model_spec("transformer", layers=1, heads=2, width=32, ffn=64) == {
        "family": "transformer", "n_layers": 1, "n_heads": 2, "d_model": 32, "d_ff": 64,
    }
    bert = model_spec("bert", width=32, heads=2, dropout=0.0)
    assert bert["hidden_size"] == 32 and bert["num_attention_heads"] == 2
    assert bert["dropout"] == bert["hidden_dropout_prob"] == bert["attention_probs_dropout_prob"] == 0.0
    assert model_spec("gru", heads=None, bidirectional=False) == {"family": "gru"}


def test_model_spec_rejects_options_the_family_lacks():
    with pytest.raises(SeqlabError, match="--heads does not apply to --model lstm"):
        model_spec("lstm", heads=4)
    with pytest.raises(SeqlabError, match="unknown model 'cnn'"):
        model_spec("cnn")


def test_task_and_run_name():
    assert TrainConfig(model={"family": "lm"}).resolved_task == "lm"
    assert TrainConfig(model={"family": "lm"}, task="classify").resolved_task == "classify"
    assert TrainConfig(data="some/dir/reviews.tsv", model={"family": "gru"}).run_name == "reviews-gru"
    assert TrainConfig(name="mine").run_name == "mine"
    assert default_lr("bert-pretrained") < default_lr("lstm")
    # masked-LM pretraining: 3e-3 from scratch, a gentler 1e-4 to continue MiniLM's
    assert default_lr("bert", "mlm") == 3e-3 and default_lr("bert-pretrained", "mlm") == 1e-4


def test_max_dev_examples_is_for_pretraining_runs_only():
    validate(TrainConfig(model={"family": "lm"}, max_dev_examples=100))
    with pytest.raises(SeqlabError, match="pretraining run"):
        validate(TrainConfig(model={"family": "lstm"}, max_dev_examples=100))
    with pytest.raises(SeqlabError, match="at least 1"):
        validate(TrainConfig(model={"family": "lm"}, max_dev_examples=0))


def test_absolute_paths_make_a_run_independent_of_the_working_folder(tmp_path, monkeypatch):
    from seqlab.training.config import TrainConfig, absolute_paths

    monkeypatch.chdir(tmp_path)
    config = absolute_paths(TrainConfig(data="trec/train.tsv", dev="trec/dev.tsv", data_dir="data"))
    assert config.data == str(tmp_path / "trec" / "train.tsv") and config.dev == str(tmp_path / "trec" / "dev.tsv")
    assert config.data_dir == str(tmp_path / "data") and config.test is None
    assert absolute_paths(TrainConfig(data="sst")).data == "sst"  # a dataset name stays a name
    assert config.run_name == "trec-lstm" and config.dataset_name == "trec"
