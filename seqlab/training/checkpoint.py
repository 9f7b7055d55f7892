"""Checkpoints: weights as safetensors (atomic), and the resumable training state as state.pt."""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from safetensors.torch import save as save_safetensors
from torch import nn

from seqlab.errors import SeqlabError, refused_by_weights_only
from seqlab.io import atomic_write_bytes


def unwrap(model: nn.Module) -> nn.Module:
    """The plain module inside DistributedDataParallel and torch.compile wrappers."""
    while True:
        if hasattr(model, "module") and isinstance(getattr(model, "module"), nn.Module):
            model = model.module
        elif hasattr(model, "_orig_mod"):
            model = model._orig_mod
        else:
            return model


def _tied_names(module: nn.Module) -> dict[str, list[str]]:
    """For each parameter shared under several names (an LM head tied to the embedding), its other names."""
    by_object: dict[int, list[str]] = {}
    for name, parameter in module.named_parameters(remove_duplicate=False):
        by_object.setdefault(id(parameter), []).append(name)
    return {names[0]: names[1:] for names in by_object.values() if len(names) > 1}


def save_weights(model: nn.Module, path: Path) -> Path:
    """Write the model's weights to `path` as safetensors; readers never see half a file.

    Tied duplicates are written once (under the first name), and every tensor is copied to the CPU first:
    on a GPU, cuDNN keeps an RNN's weights as views into one flat buffer, which safetensors refuses to write.
    """
    path = Path(path)
    source = unwrap(model)
    duplicates = {name for others in _tied_names(source).values() for name in others}
    state = {name: tensor.detach().to("cpu", copy=True).contiguous()
             for name, tensor in source.state_dict().items() if name not in duplicates}
    # serialized in memory, then written by seqlab's atomic path (its own temporary name, renamed over the
    # target): safetensors' save_file leaves its own .tmpXXXXXX files when killed, and a full disk there is
    # a SafetensorError instead of the OSError every command reports in one line
    return atomic_write_bytes(path, save_safetensors(state, metadata={"format": "pt"}))


def _readable(path: Path, what: str) -> None:
    """SeqlabError when `path` is missing, a folder, or not readable (named as such, not as "corrupt")."""
    if not path.exists():
        return
    if path.is_dir():
        raise SeqlabError(f"{what} {path} is a folder, expected a file; the run folder is damaged")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise SeqlabError(f"{what} {path} cannot be read (permission denied); ask its owner for read access "
                          "(chmod a+r) or copy the run") from None


def _check_tensors(model: nn.Module, path: Path) -> None:
    """SeqlabError when a loaded tensor has a dtype seqlab never writes or holds NaN/inf values."""
    for name, tensor in unwrap(model).state_dict().items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise SeqlabError(f"checkpoint {path} holds NaN or infinite values in {name}; "
                              "it was not written by a healthy training, train the run again")


class _WrongDtype(Exception):
    """A tensor in a checkpoint whose dtype differs from the model's."""


_SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
                       torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8"}


def load_weights(model: nn.Module, path: Path, device: torch.device | str = "cpu") -> nn.Module:
    """Load safetensors weights into `model`; a missing, truncated or mismatched file is one SeqlabError."""
    path = Path(path)
    _readable(path, "checkpoint")
    if not path.is_file():
        raise SeqlabError(f"checkpoint {path} is missing; the run did not finish an epoch, train it again")
    expected = {name: tensor.dtype for name, tensor in unwrap(model).state_dict().items()}
    try:
        with safe_open(str(path), framework="pt") as handle:  # checks the header covers the whole file
            for name in handle.keys():
                dtype = handle.get_slice(name).get_dtype()
                if name in expected and dtype != _SAFETENSORS_DTYPES.get(expected[name], dtype):
                    raise _WrongDtype(f"{name} is {dtype}, expected {_SAFETENSORS_DTYPES[expected[name]]}")
    except _WrongDtype as exc:
        raise SeqlabError(f"checkpoint {path} was not written by seqlab for this model ({exc}); "
                          "train the run again") from None
    except Exception as exc:  # safetensors raises several types for truncated or garbled files
        raise SeqlabError(
            f"checkpoint {path} is corrupt or truncated ({type(exc).__name__}); train the run again"
        ) from None
    target = unwrap(model)
    state = load_file(str(path), device=str(device))
    for kept, others in _tied_names(target).items():  # a tied weight is stored under one of its names
        present = next((name for name in [kept, *others] if name in state), None)
        for name in [kept, *others]:
            if present is not None and name not in state:
                state[name] = state[present]
    names = set(target.state_dict())
    missing, unexpected = sorted(names - set(state)), sorted(set(state) - names)
    if not missing and not unexpected:
        try:
            target.load_state_dict(state, strict=True)
        except RuntimeError as exc:  # shapes differ
            first = str(exc).strip().splitlines()[-1].strip()
            raise SeqlabError(f"checkpoint {path} does not match the model in config.json ({first})") from None
    if missing or unexpected:
        raise SeqlabError(
            f"checkpoint {path} does not match the model in config.json "
            f"(missing: {', '.join(missing[:5]) or 'none'}; unexpected: {', '.join(unexpected[:5]) or 'none'}); "
            "was it written by another seqlab version?"
        )
    _check_tensors(model, path)
    return model


def rng_state() -> dict[str, Any]:
    """The random states of python, numpy and torch (CPU and every CUDA device), in weights_only-safe types."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": random.getstate(),
        "numpy": [kind, torch.from_numpy(np.asarray(keys, dtype=np.int64)), int(pos), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` captured."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_state(path: Path, state: dict[str, Any]) -> Path:
    """Atomically write the resumable state (optimizer, scheduler, rng, counters) with torch.save."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return atomic_write_bytes(Path(path), buffer.getvalue())


def load_state(path: Path) -> dict[str, Any]:
    """Read state.pt with torch.load(weights_only=True); a missing or corrupt file is one SeqlabError."""
    path = Path(path)
    _readable(path, "training state")
    if not path.is_file():
        raise SeqlabError(f"{path} is missing, so this run cannot be resumed; start a new training instead")
    try:
        with warnings.catch_warnings():  # a damaged file makes torch warn about its pickle protocol first
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        if refused_by_weights_only(exc):  # never relay torch's advice to load it unsafely
            raise SeqlabError(f"{path} holds Python objects seqlab never writes, so it was not loaded; "
                              "this run cannot be resumed, train again") from None
        raise SeqlabError(f"{path} is corrupt ({type(exc).__name__}); this run cannot be resumed, train again") from None
    if not isinstance(state, dict):
        raise SeqlabError(f"{path} is not a seqlab training state; this run cannot be resumed, train again")
    return state
