"""Broken student files NOT in zoo.py (bugs the checks were not written against): each must fail (exit 1), and
where a diagnosis names it, the entry says which. Each entry: (kind, NAME, source, expected diagnosis or None =
only "it must fail")."""

from __future__ import annotations

from .zoo import GOOD_MHA_END, LOSS_HEAD, LSTM_HEAD, MHA_HEAD, attention_variant, layernorm
from .zoo_encoder import BERT_POOLER, POST, block, head

UNSEEN: list[tuple[str, str, str, str | None]] = [
    # attention: mask filled with 0 instead of -inf (masked keys still get exp(0) weight)
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), 'weights leak onto masked keys'),
    # attention: -1e4 fill, fine in float32 for small scores, but leaks when scores are large
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, -1.0)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), 'weights leak onto masked keys'),
    # attention: scores returned instead of weights
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, scores
"""), 'returned weights are not the softmax'),
    # attention: F.dropout on the weights, whose training flag defaults to True (random at evaluation too)
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.dropout(torch.softmax(scores, dim=-1), p=0.1)
    return weights @ v, weights
"""), 'output changes between two calls on the same input'),
    # attention: the mask applied to the queries (rows) instead of the keys
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask.transpose(-2, -1), float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1))
    return weights @ v, weights
"""), None),
    # multihead: the output projection forgotten
    ("multihead", "MultiHeadSelfAttention", MHA_HEAD + GOOD_MHA_END.replace(
        "return self.out(context.transpose(1, 2).reshape(B, T, D))",
        "return context.transpose(1, 2).reshape(B, T, D)"), None),
    # multihead: scaled by the number of heads (4, where d_head is 6)
    ("multihead", "MultiHeadSelfAttention", MHA_HEAD + GOOD_MHA_END.replace("math.sqrt(dh)", "self.h"), None),
    # multihead: value projection used for the keys too
    ("multihead", "MultiHeadSelfAttention", MHA_HEAD.replace("(self.query, self.key, self.value)",
                                                              "(self.query, self.value, self.value)")
     + GOOD_MHA_END, None),
    # layernorm: beta added before gamma scales
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return self.gamma * ((x - mean) / torch.sqrt(var + self.eps) + self.beta)
"""), None),
    # layernorm: std without the mean subtracted in the numerator
    ("layernorm", "LayerNorm", layernorm("""        var = x.var(-1, keepdim=True, unbiased=False)
        return self.gamma * x / torch.sqrt(var + self.eps) + self.beta
"""), None),
    # layernorm: normalised over the batch axis
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(0, keepdim=True)
        var = x.var(0, keepdim=True, unbiased=False)
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta
"""), 'layer norm over the batch axis'),
    # causal mask: one future token let through (diagonal=1 on tril)
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=1)\n", "future keys allowed"),
    # causal mask: each token sees only itself
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.eye(T, dtype=torch.bool)\n", "past keys blocked"),
    # positions: T instead of d in the exponent's denominator
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(d // 2) * 2 / T)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
""", None),
    # positions: base 1000 instead of 10000
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 1000 ** (torch.arange(d // 2) * 2 / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
""", 'base 1000 instead of 10000'),
    # lm-loss: mean over every position of the padded batch, padding zeroed but still in the denominator
    ("lm-loss", "lm_loss", LOSS_HEAD + """    per = F.cross_entropy(logits[:, :-1].transpose(1, 2), input_ids[:, 1:], reduction="none")
    return (per * attention_mask[:, 1:]).mean()
""", 'padding in the denominator'),
    # lm-loss: mask of the input side used for the targets
    ("lm-loss", "lm_loss", LOSS_HEAD + """    real = attention_mask[:, :-1]
    return F.cross_entropy(logits[:, :-1][real], input_ids[:, 1:][real])
""", 'mask read at the input, not the target'),
    # lm-loss: log_softmax over the time axis
    ("lm-loss", "lm_loss", LOSS_HEAD + """    logp = torch.log_softmax(logits[:, :-1], dim=1)
    real = attention_mask[:, 1:]
    picked = logp.gather(-1, input_ids[:, 1:, None])[..., 0]
    return -picked[real].mean()
""", 'softmax over the wrong axis'),
    # lstm-cell: tanh on the output gate
    ("lstm-cell", "LSTMCell", LSTM_HEAD.replace("torch.sigmoid(o)", "torch.tanh(o)") + """        c = f * c + i * g
        return o * torch.tanh(c), c
""", None),
    # lstm-cell: h returned from the old cell
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        new_c = f * c + i * g
        return o * torch.tanh(c), new_c
""", None),
    # encoder-block: the attention sublayer's output added twice
    ("encoder-block", "EncoderBlock", block(
        "        a = self.drop(self.attend(x, mask))\n        x = self.ln1(x + a + a)\n"
        "        return self.ln2(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), None),
    # encoder-block: softmax over the queries inside the block's own attention
    ("encoder-block", "EncoderBlock", block(POST).replace("scores.softmax(-1)", "scores.softmax(-2)"),
     "attention: softmax over the wrong axis"),
    # encoder-block: the feed-forward's hidden layer squashed with tanh before the activation
    ("encoder-block", "EncoderBlock", block(POST.replace("F.relu(self.ff1(x))", "F.relu(torch.tanh(self.ff1(x)))")),
     None),
    # classifier-head: the first word pooled instead of [CLS]
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden[:, 1]))\n"), None),
    # classifier-head: max over every position, padding included
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden.max(dim=1).values))\n"),
     None),
    # classifier-head: ReLU in BERT's pooler instead of tanh
    ("classifier-head", "ClassifierHead", head(
        "        return self.classifier(self.drop(torch.relu(self.dense(hidden[:, 0]))))\n", init=BERT_POOLER), None),
]
