"""How one attention weight is made, with the live model's numbers: the query of one token, the keys of all,
q·k, the division by sqrt(d_k), the mask, the softmax, and the output as the weighted sum of the values.

`query_key_steps` hooks the model's own `query`, `key` and `value` Linear layers (and the input of its `out`
projection) in one layer of seqlab's MultiHeadSelfAttention (seqlab's Transformer, CausalLM, BERT and the
pretrained MiniLM all use it), runs the model once on the sentence, and recomputes one row of one head from
what the hooks saw, in float64. The row is compared with the attention weights the model itself returned and
the output with the model's own context vector for that head; `QueryKeySteps.matches` says whether they agree.

Layers and heads are numbered from 0, as everywhere else in `seqlab attention`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.viz.attention_heads import find_token
from seqlab.training.source import Source
from seqlab.viz.attention_source import AttentionCapture, capture_attention

NUMBERING = "layers and heads are numbered from 0"
WEIGHT_TOLERANCE = 1e-5  # float32 model vs float64 recomputation: |difference| of a probability
TOP_COMPONENTS = 3  # dimensions of q shown (largest |q_i|), with each key's value on them
PAGE_TERMS = 6  # terms q_i k_i of each dot product the explorer lists (the largest by size)


@dataclass(frozen=True)
class QueryKeySteps:
    """One attention row written out: query `query_index` of `head` in `layer`, over every key.

    Vectors are float64 numpy arrays of one head (length d_k): `query` [d_k], `keys` and `values` [T, d_k].
    `dots` [T] = q·k_j, `scaled` = dots / sqrt(d_k), `allowed` [T] False where the mask hides a key (a later token
    of a causal model), `weights` = softmax over the allowed keys (0 elsewhere), `output` = Σ_j weights_j v_j.
    `model_weights` [T] and `model_output` [d_k] are what the model itself computed for the same row.
    """

    model_name: str
    tokens: tuple[str, ...]
    layer: int
    head: int
    query_index: int
    n_layers: int
    n_heads: int
    causal: bool
    query: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    dots: np.ndarray
    scaled: np.ndarray
    allowed: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    model_weights: np.ndarray
    model_output: np.ndarray
    capture: AttentionCapture  # every layer's and head's weights from the same forward pass

    @property
    def d_k(self) -> int:
        """Width of one head's queries and keys."""
        return int(self.query.shape[0])

    @property
    def weight_error(self) -> float:
        """Largest |recomputed weight - model's weight| over the row."""
        return float(np.max(np.abs(self.weights - self.model_weights)))

    @property
    def output_error(self) -> float:
        """Largest |recomputed output - model's output| over the head's d_k dimensions."""
        return float(np.max(np.abs(self.output - self.model_output)))

    def matches(self, tolerance: float = WEIGHT_TOLERANCE) -> bool:
        """Whether the recomputed weights and output equal the model's own (allclose within `tolerance`)."""
        scale = max(1.0, float(np.max(np.abs(self.model_output))))
        return self.weight_error <= tolerance and self.output_error <= tolerance * scale

    def top_dimensions(self, count: int = TOP_COMPONENTS) -> list[int]:
        """The dimensions where |q_i| is largest, largest first: where a key must be large to score high."""
        return [int(i) for i in np.argsort(-np.abs(self.query), kind="stable")[:count]]

    def key_terms(self, key: int, count: int = TOP_COMPONENTS) -> list[tuple[int, float]]:
        """The `count` largest terms q_i k_i of q·k_key by size, as (dimension, term): what the dot product is made of."""
        terms = self.query * self.keys[key]
        order = np.argsort(-np.abs(terms), kind="stable")[:count]
        return [(int(i), float(terms[i])) for i in order]

    def to_dict(self) -> dict[str, Any]:
        """Every number of the computation (for --json and the explorer page)."""
        rounded = lambda a: np.round(np.asarray(a, dtype=np.float64), 6).tolist()  # noqa: E731
        return {
            "numbering": NUMBERING,
            "model": self.model_name,
            "tokens": list(self.tokens),
            "layer": self.layer,
            "head": self.head,
            "query_index": self.query_index,
            "query_token": self.tokens[self.query_index],
            "d_k": self.d_k,
            "sqrt_d_k": math.sqrt(self.d_k),
            "causal": self.causal,
            "q": rounded(self.query),
            "k": rounded(self.keys),
            "v": rounded(self.values),
            "dots": rounded(self.dots),
            "scaled": rounded(self.scaled),
            "allowed": [bool(a) for a in self.allowed],
            "weights": rounded(self.weights),
            "output": rounded(self.output),
            "model_weights": rounded(self.model_weights),
            "model_output": rounded(self.model_output),
            "key_terms": [[[d, round(t, 6)] for d, t in self.key_terms(j, PAGE_TERMS)] for j in range(len(self.tokens))],
            "top_dimensions": self.top_dimensions(),
            "weight_error": self.weight_error,
            "output_error": self.output_error,
            "matches_model": self.matches(),
        }


def attention_layers(model: nn.Module) -> list[MultiHeadSelfAttention]:
    """The model's self-attention modules in layer order (layer 0 first)."""
    layers = [m for m in model.modules() if isinstance(m, MultiHeadSelfAttention)]
    if not layers:
        raise SeqlabError("this model has no self-attention layers (LSTM/GRU read tokens one by one); "
                          "use a transformer, lm or bert run")
    return layers


def parse_head(text: str) -> tuple[int | None, int]:
    """`--head L,H` as (layer, head), or `--head H` as (None, head); SeqlabError on anything else."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    if len(numbers) == 1:
        return None, numbers[0]
    raise SeqlabError(f"--head {text!r}: give LAYER,HEAD (e.g. --head 1,3; numbered from 0) or a head number")


@contextmanager
def _recording(attention: MultiHeadSelfAttention) -> Iterator[dict[str, torch.Tensor]]:
    """Hooks on the layer's query/key/value Linear layers (their outputs) and on `out` (its input, the context)."""
    seen: dict[str, torch.Tensor] = {}

    def keep(name: str):
        def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            seen[name] = output.detach()
        return hook

    def keep_context(module: nn.Module, inputs: tuple) -> None:
        seen["context"] = inputs[0].detach()

    handles = [getattr(attention, name).register_forward_hook(keep(name)) for name in ("query", "key", "value")]
    handles.append(attention.out.register_forward_pre_hook(keep_context))
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


def _one_head(projected: torch.Tensor, head: int, n_heads: int) -> np.ndarray:
    """[1,T,D] (or [T,D]) projections -> head `head`'s slice [T, d_k] as float64, heads split as the model does."""
    x = projected.reshape(-1, projected.shape[-1]).double().cpu()  # [T,D]
    d_k = x.shape[-1] // n_heads
    return x.view(x.shape[0], n_heads, d_k)[:, head].numpy()  # D = heads x d_k, head-major


def softmax_row(scaled: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Softmax of `scaled` over the allowed keys, 0 on the masked ones (a row with no allowed key is all 0)."""
    if not allowed.any():
        return np.zeros_like(scaled)
    shifted = np.where(allowed, scaled - scaled[allowed].max(), -np.inf)
    exp = np.exp(shifted)
    return exp / exp.sum()


def query_key_steps(
    model: nn.Module,
    encoder: Any,
    text: str,
    layer: int,
    head: int,
    query: str,
    text_b: str | None = None,
    model_name: str = "model",
) -> QueryKeySteps:
    """Run `model` once on `text` and write out query `query` (a token or #position) of `layer`/`head` (0-based)."""
    layers = attention_layers(model)
    n_heads = layers[0].n_heads
    if not 0 <= layer < len(layers):
        raise SeqlabError(f"--head {layer},{head}: layer {layer} is out of range; {model_name} has layers "
                          f"0..{len(layers) - 1} ({NUMBERING})")
    if not 0 <= head < n_heads:
        raise SeqlabError(f"--head {layer},{head}: head {head} is out of range; {model_name} has heads "
                          f"0..{n_heads - 1} ({NUMBERING})")
    attention = layers[layer]
    with _recording(attention) as seen:
        capture = capture_attention(model, encoder, text, text_b, model_name=model_name)
    index = find_token(capture.tokens, query)
    q_all, keys, values = (_one_head(seen[name], head, n_heads) for name in ("query", "key", "value"))
    q = q_all[index]
    dots = keys @ q
    scaled = dots / math.sqrt(q.shape[0]) if attention.scale else dots
    positions = np.arange(len(capture.tokens))
    allowed = positions <= index if capture.causal else np.ones(len(capture.tokens), dtype=bool)
    weights = softmax_row(scaled, allowed)
    return QueryKeySteps(
        model_name=model_name,
        tokens=capture.tokens,
        layer=layer,
        head=head,
        query_index=index,
        n_layers=len(layers),
        n_heads=n_heads,
        causal=capture.causal,
        query=q,
        keys=keys,
        values=values,
        dots=dots,
        scaled=scaled,
        allowed=allowed,
        weights=weights,
        output=weights @ values,
        model_weights=capture.probabilities[layer, head, index].astype(np.float64),
        model_output=_one_head(seen["context"], head, n_heads)[index],
        capture=capture,
    )


def steps_from_run(run_dir: Path, text: str, layer: int, head: int, query: str, text_b: str | None = None,
                   device: str = "cpu") -> QueryKeySteps:
    """`query_key_steps` with a trained run's best weights."""
    return steps_of(Source.from_run(run_dir, device), text, layer, head, query, text_b)


def steps_from_pretrained(text: str, layer: int, head: int, query: str, text_b: str | None = None,
                          checkpoint: Path | None = None, device: str = "cpu") -> QueryKeySteps:
    """`query_key_steps` with a pretrained BERT checkpoint (default: the bundled MiniLM)."""
    return steps_of(Source.pretrained(checkpoint, device, require_vocab=True), text, layer, head, query, text_b)


def steps_of(source: Source, text: str, layer: int, head: int, query: str, text_b: str | None = None) -> QueryKeySteps:
    """`query_key_steps` with a Source's model and tokenizer."""
    return query_key_steps(source.model, source.encoder, text, layer, head, query, text_b, source.name)
