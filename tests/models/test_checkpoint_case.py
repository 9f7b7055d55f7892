"""One Checkpoint type reads a BERT folder for every command: a cased checkpoint (do_lower_case false) is
tokenized the same way by train, attention and check (before, only attention honoured do_lower_case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from seqlab.data.encoders import load_encoder
from seqlab.data.wordpiece import SPECIAL_TOKENS
from seqlab.lab import attention, train
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.checkpoint import Checkpoint
from seqlab.proofs.target import SAMPLE_TEXTS, encode_batch, target_from_pretrained
from seqlab.training.config import TrainConfig
from seqlab.training.runs import ENCODER_DIR

WORDS = ("the", "film", "was", "great", "bad", "i", "expected", "more", "from", "director", "a", "not", "good")
TEXT = "The Film was great"


@pytest.fixture(scope="module")
def cased(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT whose vocab.txt has 'The' and 'the' as different tokens, and do_lower_case false."""
    folder = tmp_path_factory.mktemp("cased-bert")
    vocab = [*SPECIAL_TOKENS, *WORDS, *(w.capitalize() for w in WORDS)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    values = {"vocab_size": len(vocab), "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
              "intermediate_size": 32, "max_position_embeddings": 64}
    (folder / "config.json").write_text(json.dumps(values), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": False}), encoding="utf-8")
    torch.manual_seed(0)
    model = BertModel(BertConfig.from_dict(values))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))
    return folder


def test_the_checkpoint_keeps_case(cased: Path) -> None:
    checkpoint = Checkpoint.at(cased)
    assert checkpoint.lowercase is False
    assert checkpoint.encoder().encode(TEXT).tokens == ["[CLS]", "The", "Film", "was", "great", "[SEP]"]
    (cased.parent / "uncased").mkdir(exist_ok=True)
    assert Checkpoint.at(cased.parent / "uncased").lowercase is True  # no tokenizer_config.json: uncased


def test_train_attention_and_check_tokenize_a_cased_checkpoint_alike(cased: Path, tmp_path: Path) -> None:
    expected = Checkpoint.at(cased).encoder()
    config = TrainConfig(model={"family": "bert-pretrained", "checkpoint": str(cased)}, epochs=1,
                         max_train_examples=16, batch_size=16, device="cpu", threads=1, name="cased")
    run_dir = train.run(train.TrainRequest(config, runs_dir=tmp_path / "runs")).result.run_dir
    trained = load_encoder(run_dir / ENCODER_DIR)
    assert trained.encode(TEXT).tokens == expected.encode(TEXT).tokens

    looked = attention.run(attention.AttentionRequest(TEXT, checkpoint=cased, out=tmp_path / "att"))
    assert list(looked.capture.tokens) == expected.encode(TEXT).tokens

    checked = target_from_pretrained(cased, torch.device("cpu"), 0)
    want = encode_batch(expected, SAMPLE_TEXTS, torch.device("cpu"))
    assert torch.equal(checked.batch["input_ids"], want["input_ids"])
    capital_i = expected.encode("I").ids[1]
    assert capital_i in checked.batch["input_ids"]  # "I expected more ...": the cased "I", not "i"
