"""Forward hooks fire on every path, and the blocks' named hook points (seqlab.models.hooks) hold what they say.

BERT runs its layers on the real tokens only for a padded CPU batch (the packed path) and on the padded layout
otherwise. A hook on any submodule must fire the same number of times on both paths and see the same values
(the packed path's [N,...] are the padded path's [B,T,...] at the real tokens).
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from seqlab.models import bert as bert_module
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.hooks import BLOCK_HOOKS, HookPoint
from seqlab.models.transformer import TransformerBlock, TransformerConfig, TransformerEncoder

TINY = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
                  max_position_embeddings=24)
IDS = torch.tensor([[2, 5, 6, 3, 7, 8, 3], [2, 9, 3, 0, 0, 0, 0], [2, 11, 12, 13, 3, 0, 0]])
MASK = IDS != 0


def _first_tensor(output: object) -> torch.Tensor | None:
    """The tensor a module returned (the first one of a tuple, BertOutput's last_hidden_state)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, tuple) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    return getattr(output, "last_hidden_state", None)


def _record(model: nn.Module) -> tuple[dict[str, list[torch.Tensor | None]], list]:
    """A forward hook on every submodule; what each one returned, call by call, by module name."""
    seen: dict[str, list[torch.Tensor | None]] = {}
    handles = []
    for name, module in model.named_modules():
        def hook(module: nn.Module, inputs: tuple, output: object, name: str = name) -> None:
            tensor = _first_tensor(output)
            seen.setdefault(name, []).append(None if tensor is None else tensor.detach().clone())
        handles.append(module.register_forward_hook(hook))
    return seen, handles


def _run(model: BertModel, packed: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[torch.Tensor | None]]:
    """Hook outputs of one forward on the padded batch, on the packed path or (packing turned off) the padded one."""
    with monkeypatch.context() as patch:
        if not packed:
            patch.setattr(bert_module.PackedTokens, "of", classmethod(lambda cls, mask: None))
        seen, handles = _record(model)
        with torch.no_grad():
            model(IDS, MASK)
        for handle in handles:
            handle.remove()
    return seen


def test_hooks_fire_on_the_packed_and_the_padded_path_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    model = BertModel(TINY).eval()
    assert bert_module.PackedTokens.of(MASK) is not None  # this batch takes the packed path on the CPU
    packed, padded = _run(model, True, monkeypatch), _run(model, False, monkeypatch)
    assert set(packed) == set(padded)
    assert {"layers.0", "layers.0.attention", "layers.1.attention.query", "layers.1.hook_resid_post"} <= set(packed)
    for name in padded:
        assert len(packed[name]) == len(padded[name]), name
        for ours, reference in zip(packed[name], padded[name]):
            if ours is None or reference is None:
                assert ours is None and reference is None, name
                continue
            # the real tokens of [B,T,...]; the packed path gives [N,...] inside the layers and zeros at the pads
            ours, reference = (t[MASK] if t.shape[:2] == MASK.shape else t for t in (ours, reference))
            torch.testing.assert_close(ours, reference, atol=1e-5, rtol=1e-5, msg=lambda m, name=name: f"{name}: {m}")


def test_every_block_hook_fires_once_per_layer_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    model = BertModel(TINY).eval()
    for packed in (True, False):
        seen = _run(model, packed, monkeypatch)
        for layer in range(TINY.num_hidden_layers):
            assert all(len(seen[f"layers.{layer}.{hook}"]) == 1 for hook in BLOCK_HOOKS)
        assert "layers.0.attention.hook_pattern" not in seen  # the fused kernel computes no probabilities


def _encoder(norm_first: bool) -> TransformerEncoder:
    torch.manual_seed(0)
    return TransformerEncoder(TransformerConfig(vocab_size=30, d_model=16, n_heads=2, n_layers=2, d_ff=32,
                                                norm_first=norm_first)).eval()


@pytest.mark.parametrize("norm_first", [False, True])
def test_hook_points_hold_the_residual_stream(norm_first: bool) -> None:
    encoder = _encoder(norm_first)
    block = encoder.blocks[0]
    assert isinstance(block, TransformerBlock)
    assert [name for name, m in block.named_children() if isinstance(m, HookPoint)] == list(BLOCK_HOOKS)
    seen: dict[str, torch.Tensor] = {}
    for name in BLOCK_HOOKS:
        getattr(block, name).register_forward_hook(lambda m, i, out, name=name: seen.__setitem__(name, out))
    probs: list[torch.Tensor] = []
    block.attention.hook_pattern.register_forward_hook(lambda m, i, out: probs.append(out))
    with torch.no_grad():
        hidden, attentions = encoder(IDS, MASK, output_attentions=True)
    pre, attn, mid, mlp, post = (seen[name] for name in BLOCK_HOOKS)
    if norm_first:
        torch.testing.assert_close(mid, pre + attn)
        torch.testing.assert_close(post, mid + mlp)
        torch.testing.assert_close(mlp, block.ffn(block.norm2(mid)))
    else:
        torch.testing.assert_close(mid, block.norm1(pre + attn))
        torch.testing.assert_close(post, block.norm2(mid + mlp))
        torch.testing.assert_close(mlp, block.ffn(mid))
    assert attentions is not None and len(probs) == 1 and torch.equal(probs[0], attentions[0])


def test_a_hook_can_replace_an_activation() -> None:
    encoder = _encoder(False)
    with torch.no_grad():
        before, _ = encoder(IDS, MASK)
        handle = encoder.blocks[1].hook_attn_out.register_forward_hook(lambda m, i, out: torch.zeros_like(out))
        ablated, _ = encoder(IDS, MASK)
        handle.remove()
        again, _ = encoder(IDS, MASK)
    assert not torch.allclose(before, ablated)  # the second block's attention, ablated, changes the output
    torch.testing.assert_close(again, before)


def test_bert_hook_points_and_unchanged_state_dict() -> None:
    torch.manual_seed(0)
    model = BertModel(TINY)
    layer = model.layers[0]
    assert all(isinstance(getattr(layer, name), HookPoint) for name in BLOCK_HOOKS)
    assert not any("hook_" in key for key in model.state_dict())  # checkpoints keep their names
