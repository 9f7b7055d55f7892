"""Loading Hugging Face BERT checkpoints (config.json + model.safetensors or pytorch_model.bin) into our BertModel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors.torch import load_file

from seqlab.errors import SeqlabError, refused_by_weights_only
from seqlab.models.bert import BertConfig, BertModel
from seqlab.paths import pretrained_bert_dir

# Hugging Face parameter names -> ours, applied in order (each name matches at most one rule).
_RENAMES: tuple[tuple[str, str], ...] = (
    (r"^embeddings\.word_embeddings\.", "embeddings.word."),
    (r"^embeddings\.position_embeddings\.", "embeddings.position."),
    (r"^embeddings\.token_type_embeddings\.", "embeddings.segment."),
    (r"^embeddings\.LayerNorm\.", "embeddings.norm."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.", r"layers.\1.attention.\2."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.attention.out."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.", r"layers.\1.norm1."),
    (r"^encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.ffn.linear1."),
    (r"^encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.ffn.linear2."),
    (r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.", r"layers.\1.norm2."),
    (r"^pooler\.dense\.", "pooler."),
)
_IGNORED = re.compile(r"^(cls\.|embeddings\.position_ids$)")  # pretraining heads, a constant buffer


def hf_to_seqlab_name(name: str) -> str | None:
    """Our parameter name for a Hugging Face BERT name; None for names we deliberately skip.

    An optional "bert." prefix is stripped and old "gamma"/"beta" layer-norm names become weight/bias.
    Names that match no rule come back unchanged (and are then reported as unexpected).
    """
    name = name.removeprefix("bert.")
    if _IGNORED.match(name):
        return None
    name = re.sub(r"LayerNorm\.gamma$", "LayerNorm.weight", name)
    name = re.sub(r"LayerNorm\.beta$", "LayerNorm.bias", name)
    for pattern, replacement in _RENAMES:
        renamed, count = re.subn(pattern, replacement, name)
        if count:
            return renamed
    return name


def read_bert_config(directory: Path) -> BertConfig:
    """The BertConfig from directory/config.json; SeqlabError when it is missing or unreadable."""
    path = Path(directory) / "config.json"
    if not path.is_file():
        raise SeqlabError(f"no config.json in {directory}; point at a Hugging Face BERT checkpoint folder")
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeqlabError(f"{path} is not valid JSON ({exc}); download the checkpoint again") from None
    if not isinstance(values, dict):
        raise SeqlabError(f"{path} should hold a JSON object of BERT settings; download the checkpoint again")
    model_type = values.get("model_type", "bert")
    if model_type != "bert":
        raise SeqlabError(f"{path} describes a {model_type!r} model, not BERT; use a BERT checkpoint folder")
    return BertConfig.from_dict(values)


def read_checkpoint_tensors(directory: Path) -> dict[str, torch.Tensor]:
    """All tensors of model.safetensors (preferred) or pytorch_model.bin in `directory`, on the CPU."""
    directory = Path(directory)
    safetensors_path = directory / "model.safetensors"
    bin_path = directory / "pytorch_model.bin"
    if safetensors_path.is_file():
        try:
            return load_file(str(safetensors_path), device="cpu")
        except Exception as exc:  # safetensors raises its own error types for bad headers and short files
            raise SeqlabError(
                f"{safetensors_path} is corrupt or truncated ({exc}); download the checkpoint again"
            ) from None
    if bin_path.is_file():
        try:
            state = torch.load(bin_path, map_location="cpu", weights_only=True)
        except OSError:
            raise
        except Exception as exc:  # pickle, zip and size errors all mean the same thing to the user
            if refused_by_weights_only(exc):  # never relay torch's advice to load it unsafely
                raise SeqlabError(f"{bin_path} holds Python objects besides tensors, so it was not loaded (unsafe); "
                                  "use a checkpoint saved as model.safetensors") from None
            raise SeqlabError(f"{bin_path} is corrupt, truncated or unsafe ({type(exc).__name__}); "
                              "download it again") from None
        if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
            raise SeqlabError(f"{bin_path} does not hold a dict of tensors; use a BERT state-dict checkpoint")
        return state
    raise SeqlabError(f"no model.safetensors or pytorch_model.bin in {directory}; point at a BERT checkpoint folder")


def _listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def load_bert(directory: Path | str | None = None) -> BertModel:
    """Our BertModel with the weights of a Hugging Face BERT checkpoint folder (default: the bundled MiniLM).

    Missing or unexpected weights, wrong shapes and corrupt files are one SeqlabError each.
    The model comes back in eval mode, in float32, on the CPU.
    """
    if directory is None:
        directory = pretrained_bert_dir()
    directory = Path(directory)
    if not directory.is_dir():
        raise SeqlabError(f"checkpoint folder {directory} does not exist; pass a Hugging Face BERT folder")
    config = read_bert_config(directory)
    state: dict[str, torch.Tensor] = {}
    for name, tensor in read_checkpoint_tensors(directory).items():
        ours = hf_to_seqlab_name(name)
        if ours is not None:
            state[ours] = tensor

    with torch.device("meta"):  # no time spent on a random init that the checkpoint replaces
        model = BertModel(config)
    expected = dict(model.state_dict())
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {_listing(missing)}")
        if unexpected:
            parts.append(f"unexpected {_listing(unexpected)}")
        raise SeqlabError(
            f"checkpoint in {directory} does not match a BERT with its config.json: {'; '.join(parts)}; "
            "use a BERT (not RoBERTa/DistilBERT) checkpoint whose weights match its config"
        )
    wrong_shape = [
        f"{name} {tuple(state[name].shape)} vs {tuple(param.shape)}"
        for name, param in expected.items()
        if tuple(state[name].shape) != tuple(param.shape)
    ]
    if wrong_shape:
        raise SeqlabError(
            f"checkpoint in {directory} has weights of the wrong shape for its config.json: {_listing(wrong_shape)}; "
            "check that config.json belongs to these weights"
        )
    model.load_state_dict({k: v.float().contiguous() for k, v in state.items()}, assign=True)
    return model.eval()
