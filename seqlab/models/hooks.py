"""Named hook points in the Transformer blocks, TransformerLens-style: places in the forward pass to read (or
replace) an activation with an ordinary PyTorch forward hook, under a name that does not change with the code.

Each block (seqlab.models.transformer.TransformerBlock, seqlab.models.bert.BertLayer) passes its residual
stream and its sublayers' outputs through these identity modules, and MultiHeadSelfAttention its probabilities:

    hook_resid_pre    the block's input                                   [B,T,D] ([N,D] on BERT's packed path)
    hook_attn_out     what the attention sublayer adds to the residual    (after its dropout)
    hook_resid_mid    the residual stream between the two sublayers       (after norm1 in a post-norm block)
    hook_mlp_out      what the feed-forward sublayer adds                  (after its dropout)
    hook_resid_post   the block's output
    attention.hook_pattern   the probabilities [B,H,T,T]; only the explicit path (need_weights) computes them

    model.encoder.blocks[0].hook_attn_out.register_forward_hook(lambda module, inputs, output: output * 0)

ablates the first block's attention. The hook points hold no parameters: state dicts are unchanged.
"""

from __future__ import annotations

from torch import nn

BLOCK_HOOKS: tuple[str, ...] = ("hook_resid_pre", "hook_attn_out", "hook_resid_mid", "hook_mlp_out",
                                "hook_resid_post")


class HookPoint(nn.Identity):
    """Returns its input unchanged; a named place for a forward hook (whose return value replaces the activation)."""


class HookedBlock(nn.Module):
    """A Transformer block's hook points (BLOCK_HOOKS), one HookPoint each; the block's forward passes through them."""

    def __init__(self) -> None:
        super().__init__()
        self.hook_resid_pre = HookPoint()
        self.hook_attn_out = HookPoint()
        self.hook_resid_mid = HookPoint()
        self.hook_mlp_out = HookPoint()
        self.hook_resid_post = HookPoint()
