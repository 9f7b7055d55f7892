"""The live side's subject: a model (trained run, pretrained BERT or fresh init) plus device, seed and real text.

Each check asks this module for the part it needs (LayerNorms, attention modules, positions, LSTM/GRU)
and gets either the model's own modules or, when the model has none, a fresh small one with a note
saying so.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.layernorm import LayerNorm
from seqlab.models.positions import SinusoidalPositions
from seqlab.models.transformer import CausalLM
from seqlab.proofs.base import MODEL, STAND_IN
from seqlab.training.loading import LoadedRun
from seqlab.training.source import Source

# Short sentences the checks push through the model so that LayerNorm inputs are real hidden states.
SAMPLE_TEXTS: tuple[str, ...] = (
    "the film was not good",
    "a gripping , funny and surprisingly tender story",
    "I expected more from the director",
    "one of the best performances of the year , and the script keeps up with it",
)
FRESH_WIDTH = 64
FRESH_HEADS = 4
FRESH_MAX_LEN = 128


class Found(NamedTuple):
    """What a check measures: the parts it found, a note for its detail line ("" or "; ..." saying what was used
    instead), and `measured_on`: MODEL when the parts are the model's own, STAND_IN when fresh ones were built."""

    parts: list[Any]
    note: str = ""
    measured_on: str = MODEL


@dataclass
class LiveTarget:
    """A model to measure, where to run it, the seed for every random draw, and a batch of real tokens.

    `batch` holds input_ids [B,T] and attention_mask [B,T] bool (True = real token) on `device`,
    or is None when there is no text encoder (the checks then feed random vectors).
    """

    model: nn.Module
    device: torch.device
    seed: int
    source: str
    batch: dict[str, torch.Tensor] | None = None
    run: LoadedRun | None = None  # the trained run, for checks that read what training wrote (frozen-body)
    encoder: Any = None  # the run's TextEncoder when there is one (the masked-LM checks need its [MASK])

    @property
    def dtype(self) -> torch.dtype:
        """The precision checks compute in: float64 where the device has it (exact-zero claims need it)."""
        return torch.float32 if self.device.type == "mps" else torch.float64

    @property
    def rounding(self) -> float:
        """How far two equivalent computations may differ in the check dtype: 1e-9 in float64, 1e-5 in float32."""
        return 1e-9 if self.dtype == torch.float64 else 1e-5

    def generator(self, offset: int = 0) -> torch.Generator:
        """A CPU generator seeded from the target's seed (draws are made on CPU, then moved)."""
        return torch.Generator().manual_seed(self.seed + offset)

    def randn(self, *shape: int, offset: int = 0) -> torch.Tensor:
        """Standard normal draws of `shape`, reproducible from the seed, on the device in the check dtype."""
        return torch.randn(*shape, generator=self.generator(offset), dtype=torch.float64).to(self.device, self.dtype)


def encode_batch(encoder: Any, texts: tuple[str, ...], device: torch.device) -> dict[str, torch.Tensor]:
    """Encode `texts` with a TextEncoder and pad them into input_ids / attention_mask / segment_ids tensors."""
    encoded = [encoder.encode(text, max_length=64) for text in texts]
    length = max(len(e.ids) for e in encoded)
    ids = torch.full((len(encoded), length), int(encoder.pad_id), dtype=torch.long)
    segments = torch.zeros((len(encoded), length), dtype=torch.long)
    mask = torch.zeros((len(encoded), length), dtype=torch.bool)
    for row, item in enumerate(encoded):
        ids[row, : len(item.ids)] = torch.tensor(item.ids)
        segments[row, : len(item.segment_ids)] = torch.tensor(item.segment_ids)
        mask[row, : len(item.ids)] = True
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "segment_ids": segments.to(device)}


def random_batch(vocab_size: int, pad_id: int, seed: int, device: torch.device) -> dict[str, torch.Tensor]:
    """A seeded batch of random token ids with different lengths (so it has padding), for fresh models."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([12, 7, 16, 3])
    length = int(lengths.max())
    low = 0 if pad_id != 0 else 1
    ids = torch.randint(low, vocab_size, (len(lengths), length), generator=generator)
    mask = torch.arange(length)[None, :] < lengths[:, None]
    ids = ids.masked_fill(~mask, pad_id)
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "segment_ids": torch.zeros_like(ids).to(device)}


def target_of(source: Source, seed: int, device: torch.device | None = None) -> LiveTarget:
    """A Source to measure, with a batch of real sentences from its own encoder (None when it has none)."""
    device = device if device is not None else source.device
    batch = encode_batch(source.encoder, SAMPLE_TEXTS, device) if source.encoder is not None else None
    return LiveTarget(source.model.eval(), device, seed, source.description, batch, source.run, encoder=source.encoder)


def target_from_run(path: Path, device: torch.device, seed: int) -> LiveTarget:
    """A trained run (seqlab.training load_run) with a batch of real sentences from its own encoder."""
    return target_of(Source.from_run(path, str(device)), seed, device)


def target_from_pretrained(checkpoint: Path | None, device: torch.device, seed: int) -> LiveTarget:
    """Pretrained BERT weights (default: the MiniLM package) with WordPiece-encoded sentences."""
    return target_of(Source.pretrained(checkpoint, str(device)), seed, device)


def target_fresh(device: torch.device, seed: int) -> LiveTarget:
    """A freshly initialised small causal Transformer classifier (Source.fresh) on real sentences."""
    return target_of(Source.fresh(seed, causal=True, device=str(device)), seed, device)


def other_token_ids(batch: dict[str, torch.Tensor], shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Token ids of `shape` drawn from the batch's own real tokens (so they exist in any vocabulary)."""
    pool = batch["input_ids"][batch["attention_mask"]].cpu()
    picks = torch.randint(0, len(pool), shape, generator=generator)
    return pool[picks].to(batch["input_ids"].device)


def model_output(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Run a seqlab model on a batch and return its main output tensor (logits or hidden states)."""
    out = model(batch["input_ids"], batch["attention_mask"])
    if isinstance(out, torch.Tensor):
        return out
    for name in ("logits", "last_hidden_state", "hidden_states"):
        value = getattr(out, name, None)
        if isinstance(value, torch.Tensor):
            return value
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        return out[0]
    raise SeqlabError(f"cannot read an output tensor from {type(model).__name__}; it returned {type(out).__name__}")


def vector_jacobian_products(out: torch.Tensor, inputs: torch.Tensor, cotangents: torch.Tensor) -> torch.Tensor:
    """u^T d out/d inputs for every cotangent u in `cotangents` [K, *out.shape] -> [K, *inputs.shape].

    One batched backward pass; a kernel without a batching rule gets one backward pass per cotangent.
    """
    try:
        (grads,) = torch.autograd.grad(out, inputs, grad_outputs=cotangents, is_grads_batched=True)
        return grads
    except RuntimeError:
        return torch.stack([torch.autograd.grad(out, inputs, grad_outputs=u, retain_graph=True)[0] for u in cotangents])


def find_modules(model: nn.Module, kinds: tuple[type, ...]) -> list[tuple[str, nn.Module]]:
    """Every sub-module of `model` that is an instance of one of `kinds`, with its dotted name."""
    return [(name or type(module).__name__, module) for name, module in model.named_modules() if isinstance(module, kinds)]


CAUSAL_NAMES = ("causal", "gpt", "decoder")  # words in a model class's name that say it is causal


def claims_causal(model: nn.Module, task: str | None = None) -> bool:
    """True when the model says it is causal, which the causal-mask check then holds its own forward to: a CausalLM,
    a run trained with --task lm, a model or sub-module with causal = True (a classifier built causal, an
    attention built causal), or a class named like one (...CausalLM, GPT..., ...Decoder, ...LM but not a masked LM)."""
    if isinstance(model, CausalLM) or task == "lm":
        return True
    if any(getattr(module, "causal", False) is True or getattr(module, "is_causal", False) is True
           for module in model.modules()):
        return True
    name = type(model).__name__.lower()
    masked = "masked" in name or "mlm" in name
    return not masked and (any(word in name for word in CAUSAL_NAMES) or name.endswith("lm"))


def text_batch(target: LiveTarget) -> dict[str, torch.Tensor] | None:
    """The target's batch, or (when it has none) seeded random ids from the model's first embedding table; None
    when the model has no embedding either."""
    if target.batch is not None:
        return target.batch
    embeddings = find_modules(target.model, (nn.Embedding,))
    if not embeddings:
        return None
    table = embeddings[0][1]
    pad_id = int(table.padding_idx) if table.padding_idx is not None else 0
    return random_batch(int(table.num_embeddings), pad_id, target.seed, target.device)


TRAIN_DROPOUT = 0.1  # the rate a zero dropout rate is raised to when a check runs a model's training path


def measuring_copy(model: nn.Module, target: LiveTarget, train: bool = False) -> tuple[nn.Module, int]:
    """A copy of `model` in the check precision: in eval mode, or in train mode with every dropout rate that is
    0 raised to TRAIN_DROPOUT (so the training path really drops); returns (copy, how many rates were raised)."""
    measured = copy.deepcopy(model).to(device=target.device, dtype=target.dtype)
    if not train:
        return measured.eval(), 0
    raised = 0
    for module in measured.modules():
        if isinstance(module, nn.Dropout) and module.p == 0:
            module.p, raised = TRAIN_DROPOUT, raised + 1
        if isinstance(getattr(module, "dropout_p", None), float) and module.dropout_p == 0:
            module.dropout_p, raised = TRAIN_DROPOUT, raised + 1
    return measured.train(), raised


@contextmanager
def fixed_draws(target: LiveTarget, offset: int = 0) -> Iterator[None]:
    """Run the body with torch's global generators seeded from the target (and restored after): two forward
    passes in train mode then drop exactly the same entries, so only what the inputs change can differ."""
    devices = [target.device.index or 0] if target.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(target.seed + offset)
        yield


def _tensor_of(output: Any) -> torch.Tensor | None:
    """The main tensor a module returned: itself, the first item of a tuple, or a model output's logits/hidden."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)):
        return output[0] if output and isinstance(output[0], torch.Tensor) else None
    for name in ("logits", "last_hidden_state"):
        value = getattr(output, name, None)
        if isinstance(value, torch.Tensor):
            return value
    return None


class PositionOutput(NamedTuple):
    """A per-position tensor a module output: its module's name, the tensor, and the axis that runs over the
    positions (1 for [B,T,...]; -2, the queries, for attention patterns [B,H,T,T])."""

    name: str
    tensor: torch.Tensor
    axis: int

    def before(self, position: int) -> torch.Tensor:
        """The entries of positions 0..position (for a pattern: those queries' rows, over every key)."""
        return self.tensor.narrow(self.axis, 0, position + 1)


def per_position_outputs(model: nn.Module, batch: dict[str, torch.Tensor]) -> list[PositionOutput]:
    """Run the model's own forward on `batch` and return, in call order, every per-position tensor that the model
    or one of its sub-modules output (embeddings, attention, blocks, norms, logits, attention patterns), read by
    hooks."""
    batch_size, length = batch["input_ids"].shape
    seen: list[PositionOutput] = []

    def recorder(name: str) -> Callable[..., None]:
        def hook(_module: nn.Module, _args: Any, output: Any) -> None:
            tensor = _tensor_of(output)
            if tensor is None or tensor.dim() < 2 or tensor.shape[0] != batch_size:
                return
            if tensor.dim() == 4 and tuple(tensor.shape[-2:]) == (length, length):
                seen.append(PositionOutput(name, tensor.detach(), 2))
            elif tensor.dim() >= 3 and tensor.shape[1] == length:  # a pooled [B,D] with D = T is not per position
                seen.append(PositionOutput(name, tensor.detach(), 1))

        return hook

    handles = [module.register_forward_hook(recorder(name or type(model).__name__))
               for name, module in model.named_modules()]
    try:
        with torch.no_grad():
            model_output(model, batch)
    finally:
        for handle in handles:
            handle.remove()
    return seen


# ---------------------------------------------------------------- layer norm


def layernorm_kinds() -> tuple[type, ...]:
    """The LayerNorm classes a model may use: seqlab's own and torch's."""
    return (LayerNorm, nn.LayerNorm)


def is_unbiased(module: nn.Module) -> bool:
    """True for a LayerNorm that divides by d - 1 (the Annotated Transformer's choice)."""
    return bool(getattr(module, "unbiased", False))


def layernorm_eps(module: nn.Module) -> float:
    """The eps a LayerNorm adds to the variance."""
    return float(getattr(module, "eps", 0.0))


def capture_layernorm_inputs(target: LiveTarget) -> Found:
    """Run the model on its real tokens and record what each LayerNorm receives, in the shape it receives it:
    Found([(name, module, inputs, rows)], note, measured_on), where `rows` [*inputs.shape[:-1]] bool marks the
    vectors at real tokens (None: every vector is one).

    The inputs keep their own shape ([B,T,D] on the padded path, [N,D] on BERT's packed one), so a check that
    re-runs a module runs it on exactly what the model gave it: a norm over the wrong dimension shows. Without
    a batch (or a model that cannot be run on one) each LayerNorm gets random [B,T,d] vectors instead (still
    the model's own LayerNorms); a model with no LayerNorm gets a fresh one (a stand-in). The note says which.
    """
    modules = find_modules(target.model, layernorm_kinds())
    if not modules:
        fresh = LayerNorm(FRESH_WIDTH).to(target.device)
        x = target.randn(*RANDOM_TOKENS, FRESH_WIDTH, offset=1) * 3 + 0.5
        return Found([("fresh LayerNorm", fresh, x, None)],
                     "; the model has no LayerNorm, so a fresh one got random vectors", STAND_IN)
    seen: dict[str, torch.Tensor] = {}
    handles = []

    def recorder(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: tuple[Any, ...]) -> None:
            seen.setdefault(name, args[0].detach())

        return hook

    for name, module in modules:
        handles.append(module.register_forward_pre_hook(recorder(name)))
    note = ""
    try:
        if target.batch is None:
            raise SeqlabError("no batch")
        with torch.no_grad():
            model_output(target.model, target.batch)
    except (SeqlabError, TypeError):
        note = "; the model could not be run on text here, so each LayerNorm got random vectors"
    finally:
        for handle in handles:
            handle.remove()
    captured = []
    for index, (name, module) in enumerate(modules):
        d = layernorm_width(module)
        if name in seen and target.batch is not None:
            x = seen[name]
            mask = target.batch["attention_mask"]
            rows = mask if x.dim() == 3 and x.shape[:2] == mask.shape else None
        else:
            x = target.randn(*RANDOM_TOKENS, d, offset=10 + index) * 3 + 0.5
            rows = None
            note = note or "; some LayerNorms were not reached by the forward pass and got random vectors"
        captured.append((name, module, x, rows))
    return Found(captured, note)


RANDOM_TOKENS = (8, 32)  # [B, T] of the random vectors a LayerNorm gets when the model cannot be run on text


def layernorm_width(module: nn.Module) -> int:
    """The width d a LayerNorm normalises over (seqlab's `d`, torch's normalized_shape[-1])."""
    return int(getattr(module, "d", 0) or module.normalized_shape[-1])


def resized_layernorm(module: nn.Module, gamma: torch.Tensor, beta: torch.Tensor) -> nn.Module:
    """A copy of the LayerNorm `module` (its class, forward, eps and variance convention) working at width
    len(gamma), with gamma and beta set; a norm without an affine part keeps none."""
    norm = copy.deepcopy(module)
    width = len(gamma)
    if hasattr(norm, "d"):
        norm.d = width
    if hasattr(norm, "normalized_shape"):
        norm.normalized_shape = (width,)
    if getattr(norm, "weight", None) is not None:
        norm.weight = nn.Parameter(gamma.clone())
    if getattr(norm, "bias", None) is not None:
        norm.bias = nn.Parameter(beta.clone())
    return norm


# ---------------------------------------------------------------- attention


def attention_modules(target: LiveTarget) -> Found:
    """The model's MultiHeadSelfAttention modules, or one fresh module (a stand-in, with a note) when it has none."""
    found = find_modules(target.model, (MultiHeadSelfAttention,))
    if found:
        return Found(found)
    torch.manual_seed(target.seed)
    fresh = MultiHeadSelfAttention(FRESH_WIDTH, FRESH_HEADS).to(target.device).eval()
    return Found([("fresh attention", fresh)], "; the model has no MultiHeadSelfAttention, so a fresh one was measured",
                 STAND_IN)


def exact_copy(module: nn.Module, target: LiveTarget) -> nn.Module:
    """A copy of `module` in eval mode and the check precision, so measuring never touches the model."""
    return copy.deepcopy(module).to(device=target.device, dtype=target.dtype).eval()


def attention_weights(
    attention: nn.Module,
    x: torch.Tensor,
    attention_mask: torch.Tensor | None = None,
    causal: bool = False,
    replace: dict[str, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:
    """The attention weights [B,H,T,T] of both paths of a MultiHeadSelfAttention, read through its forward.

    "explicit" is what need_weights=True returns. "fused" is read off the fast path the model trains and
    predicts with (F.scaled_dot_product_attention): the values are replaced by one-hot vectors and the
    output projection by the identity, so each output coordinate is one attention weight
    (ceil(T / d_head) forward calls). `replace` maps "query"/"key" to tensors [B,T,D] that replace those
    projections' outputs. `attention` is modified during the call and restored after it.
    """
    batch, length, width = x.shape
    d_head, heads = attention.d_head, attention.n_heads
    draws = dict(replace or {})

    def replace_with(name: str) -> Callable[..., torch.Tensor]:
        return lambda _module, _args, _output: draws[name]

    handles = [getattr(attention, name).register_forward_hook(replace_with(name)) for name in draws]
    out = attention.out
    weights = {}
    try:
        with torch.no_grad():
            _, weights["explicit"] = attention(x, attention_mask, causal, True)
            handles.append(attention.value.register_forward_hook(replace_with("value")))
            attention.out = nn.Identity()
            columns = []
            for start in range(0, length, d_head):
                count = min(d_head, length - start)
                one_hot = torch.zeros(batch, length, heads, d_head, dtype=x.dtype, device=x.device)
                one_hot[:, start : start + count, :, :count] = torch.eye(count, dtype=x.dtype, device=x.device)[:, None, :]
                draws["value"] = one_hot.reshape(batch, length, width)
                context, _ = attention(x, attention_mask, causal, False)  # [B,T,H*d_head]
                columns.append(context.view(batch, length, heads, d_head)[..., :count])
            weights["fused"] = torch.cat(columns, dim=-1).permute(0, 2, 1, 3).contiguous()  # [B,H,T,T]
    finally:
        attention.out = out
        for handle in handles:
            handle.remove()
    return weights


# ---------------------------------------------------------------- positions and recurrent layers


def sinusoidal_modules(target: LiveTarget) -> Found:
    """The model's SinusoidalPositions modules, or a fresh one (a stand-in, with a note) when it has none."""
    found = find_modules(target.model, (SinusoidalPositions,))
    if found:
        return Found(found)
    return Found(
        [("fresh sinusoidal", SinusoidalPositions(FRESH_WIDTH, FRESH_MAX_LEN).to(target.device))],
        "; the model has no sinusoidal positions (learned or none), so a fresh sinusoidal table was measured",
        STAND_IN,
    )


def recurrent_modules(target: LiveTarget, kind: type[nn.RNNBase]) -> Found:
    """The model's nn.LSTM or nn.GRU modules, or a fresh small one (a stand-in, with a note) when it has none."""
    found = find_modules(target.model, (kind,))
    if found:
        return Found(found)
    torch.manual_seed(target.seed)
    fresh = kind(32, 48, batch_first=True).to(target.device)
    return Found([(f"fresh {kind.__name__}", fresh)], f"; the model has no {kind.__name__}, so a fresh one was measured",
                 STAND_IN)
