"""BERT from our parts: presets, the classifier, and loading Hugging Face checkpoints (and refusing bad ones)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from seqlab.errors import SeqlabError
from seqlab.models.bert import BertClassifier, BertConfig, BertModel, gelu
from seqlab.models.bert_loading import hf_to_seqlab_name, load_bert
from seqlab.models.factory import count_parameters
from seqlab.training.freezing import freeze_body

TINY = {"vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
        "intermediate_size": 32, "max_position_embeddings": 24}


@pytest.fixture(scope="module")
def hf_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT saved by Hugging Face itself (config.json + model.safetensors)."""
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    model = transformers.BertModel(transformers.BertConfig(**TINY))
    directory = tmp_path_factory.mktemp("tiny-bert")
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def _copy(checkpoint: Path, destination: Path) -> Path:
    shutil.copytree(checkpoint, destination)
    return destination


def _inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[2, 5, 6, 3, 7, 8, 3], [2, 9, 3, 0, 0, 0, 0]])
    segments = torch.tensor([[0, 0, 0, 0, 1, 1, 1], [0] * 7])
    return ids, ids != 0, segments


@torch.no_grad()
def test_loaded_tiny_checkpoint_matches_hugging_face(hf_checkpoint: Path) -> None:
    import transformers

    ours = load_bert(hf_checkpoint)
    theirs = transformers.BertModel.from_pretrained(str(hf_checkpoint), local_files_only=True).eval()
    ids, mask, segments = _inputs()
    mine = ours(ids, mask, segments)
    reference = theirs(input_ids=ids, attention_mask=mask.long(), token_type_ids=segments)
    torch.testing.assert_close(mine.last_hidden_state[mask], reference.last_hidden_state[mask], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(mine.pooled_output, reference.pooler_output, atol=1e-5, rtol=1e-5)


def test_loads_pytorch_model_bin_with_bert_prefix_gamma_beta_and_pretraining_heads(
    hf_checkpoint: Path, tmp_path: Path
) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "old-style")
    state = load_file(str(directory / "model.safetensors"))
    old_style = {}
    for name, tensor in state.items():
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        old_style[f"bert.{name}"] = tensor
    old_style["cls.predictions.bias"] = torch.zeros(TINY["vocab_size"])
    old_style["bert.embeddings.position_ids"] = torch.arange(TINY["max_position_embeddings"])[None]
    (directory / "model.safetensors").unlink()
    torch.save(old_style, directory / "pytorch_model.bin")
    loaded = load_bert(directory)
    reference = load_bert(hf_checkpoint)
    for (name, a), (_, b) in zip(loaded.state_dict().items(), reference.state_dict().items()):
        assert torch.equal(a, b), name


def test_renamed_key_is_one_error_listing_missing_and_unexpected(hf_checkpoint: Path, tmp_path: Path) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "renamed")
    state = load_file(str(directory / "model.safetensors"))
    state["encoder.layer.1.attention.self.kwery.weight"] = state.pop("encoder.layer.1.attention.self.query.weight")
    save_file(state, str(directory / "model.safetensors"))
    with pytest.raises(SeqlabError) as caught:
        load_bert(directory)
    message = str(caught.value)
    assert "missing layers.1.attention.query.weight" in message
    assert "unexpected encoder.layer.1.attention.self.kwery.weight" in message
    assert "\n" not in message


def test_wrong_shape_is_one_error(hf_checkpoint: Path, tmp_path: Path) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "shape")
    config = json.loads((directory / "config.json").read_text())
    config["intermediate_size"] = 48
    (directory / "config.json").write_text(json.dumps(config))
    with pytest.raises(SeqlabError, match=r"wrong shape.*layers\.0\.ffn\.linear1\.weight \(32, 16\) vs \(48, 16\)"):
        load_bert(directory)


def test_truncated_safetensors_is_one_error(hf_checkpoint: Path, tmp_path: Path) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "truncated")
    data = (directory / "model.safetensors").read_bytes()
    (directory / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(SeqlabError, match="corrupt or truncated"):
        load_bert(directory)


def test_corrupt_bin_and_missing_files_are_one_error(hf_checkpoint: Path, tmp_path: Path) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "bin")
    (directory / "model.safetensors").unlink()
    (directory / "pytorch_model.bin").write_bytes(b"not a checkpoint")
    with pytest.raises(SeqlabError, match="corrupt, truncated or unsafe"):
        load_bert(directory)
    (directory / "pytorch_model.bin").unlink()
    with pytest.raises(SeqlabError, match="no model.safetensors or pytorch_model.bin"):
        load_bert(directory)
    with pytest.raises(SeqlabError, match="no config.json"):
        load_bert(tmp_path)
    with pytest.raises(SeqlabError, match="does not exist"):
        load_bert(tmp_path / "nowhere")


def test_bad_config_json_is_one_error(hf_checkpoint: Path, tmp_path: Path) -> None:
    directory = _copy(hf_checkpoint, tmp_path / "config")
    (directory / "config.json").write_text("{not json")
    with pytest.raises(SeqlabError, match="config.json is not valid JSON"):
        load_bert(directory)
    (directory / "config.json").write_text(json.dumps({**TINY, "model_type": "roberta"}))
    with pytest.raises(SeqlabError, match="describes a 'roberta' model, not BERT"):
        load_bert(directory)


def test_name_mapping() -> None:
    old_name = "bert.encoder.layer.11.attention.output.LayerNorm.gamma"
    assert hf_to_seqlab_name(old_name) == "layers.11.norm1.weight"
    assert hf_to_seqlab_name("encoder.layer.3.output.dense.bias") == "layers.3.ffn.linear2.bias"
    assert hf_to_seqlab_name("embeddings.token_type_embeddings.weight") == "embeddings.segment.weight"
    assert hf_to_seqlab_name("cls.predictions.transform.dense.weight") is None
    assert hf_to_seqlab_name("embeddings.position_ids") is None


def test_preset_parameter_counts_on_meta_device() -> None:
    expected = {"bert-base-uncased": 109_482_240, "bert-tiny": 4_385_920, "bert-mini": 11_170_560,
                "minilm": 22_713_216}
    presets = BertConfig.presets()
    with torch.device("meta"):
        for name, total in expected.items():
            assert count_parameters(BertModel(presets[name]))["total"] == total, name


def test_frozen_classifier_trains_only_the_head() -> None:
    torch.manual_seed(0)
    model = BertClassifier(BertModel(BertConfig(**TINY)), num_labels=3)
    assert all(p.requires_grad for p in model.parameters())  # the one freezing mechanism is --freeze's
    freeze_body(model)
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["head.weight", "head.bias"]
    ids, mask, segments = _inputs()
    out = model(ids, mask, segments, output_attentions=True)
    assert out.logits.shape == (2, 3) and len(out.attentions) == 2


def test_segments_matter_and_padding_does_not() -> None:
    torch.manual_seed(0)
    model = BertModel(BertConfig(**TINY)).eval()
    ids, mask, segments = _inputs()
    base = model(ids, mask, segments).last_hidden_state
    assert not torch.allclose(base[0], model(ids, mask).last_hidden_state[0])
    other = model(ids.masked_fill(~mask, 17), mask, segments).last_hidden_state
    torch.testing.assert_close(base[1, :3], other[1, :3], atol=1e-5, rtol=1e-5)


def test_real_tokens_only_path_equals_the_padded_path() -> None:
    torch.manual_seed(0)
    model = BertModel(BertConfig(**TINY)).eval()
    ids, mask, segments = _inputs()
    with torch.no_grad():
        packed = model(ids, mask, segments)
        padded = model(ids, mask, segments, output_attentions=True)  # attentions keep the padded layout
    torch.testing.assert_close(packed.last_hidden_state[mask], padded.last_hidden_state[mask], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(packed.pooled_output, padded.pooled_output, atol=1e-6, rtol=1e-5)
    assert packed.last_hidden_state[~mask].abs().max() == 0

    model.train()  # gradients reach every weight the same way (dropout off to compare)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    for layer in model.layers:
        layer.attention.dropout_p = 0.0
    grads = []
    for attentions in (False, True):
        model.zero_grad()
        model(ids, mask, segments, output_attentions=attentions).pooled_output.square().sum().backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], atol=1e-5, rtol=1e-4, msg=name)


def test_packing_is_skipped_without_padding_or_with_an_empty_row() -> None:
    from seqlab.models.unpad import PackedTokens

    assert PackedTokens.of(None) is None
    assert PackedTokens.of(torch.ones(2, 4, dtype=torch.bool)) is None
    assert PackedTokens.of(torch.tensor([[True, False], [False, False]])) is None
    packed = PackedTokens.of(torch.tensor([[True, True, False], [True, False, False]]))
    assert packed.index.tolist() == [0, 1, 3]
    x = torch.arange(18.0).view(2, 3, 3)
    assert packed.unpad(x).tolist() == [[0, 1, 2], [3, 4, 5], [9, 10, 11]]
    assert packed.pad(packed.unpad(x))[0, 2].abs().sum() == 0


def test_same_seed_same_init() -> None:
    torch.manual_seed(3)
    first = BertModel(BertConfig(**TINY)).state_dict()
    torch.manual_seed(3)
    second = BertModel(BertConfig(**TINY)).state_dict()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_gelu_is_the_exact_erf_form() -> None:
    x = torch.linspace(-5, 5, 101)
    torch.testing.assert_close(gelu(x), torch.nn.functional.gelu(x))


def test_bad_config_values_are_clear_errors() -> None:
    with pytest.raises(SeqlabError, match="unsupported hidden_act 'swish'"):
        BertConfig(hidden_act="swish")
    with pytest.raises(SeqlabError, match="width 16 is not divisible by 3 heads"):
        BertConfig(hidden_size=16, num_attention_heads=3)
    config = BertConfig.from_dict({**TINY, "model_type": "bert", "architectures": ["BertModel"]})
    assert config.hidden_size == 16 and config.to_dict()["vocab_size"] == 40


def test_hand_written_gelu_equals_the_fused_activation():
    import torch.nn.functional as F

    from seqlab.models.bert import ACTIVATIONS, gelu, gelu_tanh

    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)
    torch.testing.assert_close(ACTIVATIONS["gelu"](x), gelu(x), rtol=0, atol=1e-12)
    torch.testing.assert_close(ACTIVATIONS["gelu_new"](x), gelu_tanh(x), rtol=0, atol=1e-12)
    assert F.gelu is ACTIVATIONS["gelu"]


def test_bert_layer_is_the_one_transformer_block_and_old_runs_still_load() -> None:
    from seqlab.models.bert import OLD_LAYER_NAMES, BertLayer
    from seqlab.models.transformer import TransformerBlock

    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    torch.manual_seed(0)
    model = BertModel(config).eval()
    assert all(isinstance(layer, BertLayer) and isinstance(layer, TransformerBlock) for layer in model.layers)
    assert not model.layers[0].norm_first and isinstance(model.layers[0].ffn.dropout, torch.nn.Identity)  # post-norm,
    # and no dropout inside the feed-forward, as BERT
    saved = model.state_dict()
    renamed = {}
    for key, value in saved.items():  # a run saved before the unification: BERT's own names for the layer's parts
        for old, new in OLD_LAYER_NAMES:
            key = re.sub(rf"^(layers\.\d+\.){re.escape(new)}", rf"\g<1>{old}", key)
        renamed[key] = value.clone()
    assert any(".attention_norm." in key for key in renamed) and not any(".norm1." in key for key in renamed)
    again = BertModel(config).eval()
    again.load_state_dict(renamed)
    ids = torch.randint(0, 50, (2, 7))
    mask = torch.ones(2, 7, dtype=torch.bool)
    with torch.no_grad():
        assert torch.equal(again(ids, mask).last_hidden_state, model(ids, mask).last_hidden_state)
