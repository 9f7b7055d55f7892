"""Student encoder blocks and classifier heads for seqlab check --impl: correct ones (legitimate variants: pre- and
post-norm, fused q|k|v, torch's MultiheadAttention, GELU, BERT's pooler, mean pooling, log-probabilities) and broken
ones, each with the diagnosis it must get. Entries as in zoo.py: (kind, NAME, source, expected diagnosis or None)."""

from __future__ import annotations

HEAD = "import math\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"

SEPARATE_ATTENTION = """
    def attend(self, x, mask):
        B, T, D = x.shape
        q, k, v = (p(x).view(B, T, self.h, D // self.h).transpose(1, 2) for p in (self.q, self.k, self.v))
        scores = q @ k.transpose(-2, -1) / SCALE
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        return self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D))
"""

FUSED_ATTENTION = """
    def attend(self, x, mask):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=-1)
        q, k, v = (t.view(B, T, self.h, D // self.h).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(D // self.h)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        return self.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D))
"""

SEPARATE_INIT = ("        self.h = n_heads\n"
                 "        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model) for _ in range(4))\n")
FUSED_INIT = "        self.h = n_heads\n        self.qkv = nn.Linear(d_model, 3 * d_model)\n" \
             "        self.proj = nn.Linear(d_model, d_model)\n"
REST_INIT = ("        self.ff1 = nn.Linear(d_model, d_ff)\n        self.ff2 = nn.Linear(d_ff, d_model)\n"
             "        self.ln1 = nn.LayerNorm(d_model)\n        self.ln2 = nn.LayerNorm(d_model)\n"
             "        self.drop = nn.Dropout(dropout)\n")
POST = ("        x = self.ln1(x + self.drop(self.attend(x, mask)))\n"
        "        return self.ln2(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n")
PRE = ("        x = x + self.drop(self.attend(self.ln1(x), mask))\n"
       "        return x + self.drop(self.ff2(F.relu(self.ff1(self.ln2(x)))))\n")


def block(forward: str, init: str = SEPARATE_INIT + REST_INIT, attention: str = SEPARATE_ATTENTION,
          scale: str = "math.sqrt(D // self.h)") -> str:
    """An EncoderBlock file with this __init__ body, attention method and forward body (indented by 8)."""
    return (HEAD + "class EncoderBlock(nn.Module):\n    def __init__(self, d_model, n_heads, d_ff, dropout=0.0):\n"
            "        super().__init__()\n" + init + attention.replace("SCALE", scale)
            + "\n    def forward(self, x, mask=None):\n" + forward)


TORCH_MHA = block(
    "        pad = None if mask is None else ~mask\n"
    "        a, _ = self.mha(x, x, x, key_padding_mask=pad, need_weights=False)\n"
    "        x = self.ln1(x + self.drop(a))\n"
    "        return self.ln2(x + self.drop(self.ff(x)))\n",
    init="        self.mha = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True)\n"
         "        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), "
         "nn.Linear(d_ff, d_model))\n"
         "        self.ln1 = nn.LayerNorm(d_model)\n        self.ln2 = nn.LayerNorm(d_model)\n"
         "        self.drop = nn.Dropout(dropout)\n", attention="")

ENCODER_BLOCKS: list[tuple[str, str, str, str | None]] = [
    ("encoder-block", "EncoderBlock", block(POST), None),
    # pre-norm, fused q|k|v, GELU with the tanh approximation (GPT-2's)
    ("encoder-block", "EncoderBlock", block(
        "        x = x + self.drop(self.attend(self.ln1(x), mask))\n"
        "        return x + self.drop(self.ff2(F.gelu(self.ff1(self.ln2(x)), approximate='tanh')))\n",
        init=FUSED_INIT + REST_INIT, attention=FUSED_ATTENTION), None),
    ("encoder-block", "EncoderBlock", TORCH_MHA, None),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(self.drop(self.attend(x, mask)))\n"
        "        return self.ln2(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), "no residual around attention"),
    ("encoder-block", "EncoderBlock", block(
        "        x = x + self.drop(self.attend(self.ln1(x), mask))\n"
        "        return self.drop(self.ff2(F.relu(self.ff1(self.ln2(x)))))\n"), "no residual around the feed-forward"),
    ("encoder-block", "EncoderBlock", block(
        "        h = self.ln1(x + self.drop(self.attend(x, mask)))\n"
        "        return self.ln2(h + self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), "feed-forward reads the block input"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x)\n        x = x + self.drop(self.attend(x, mask))\n"
        "        x = self.ln2(x)\n        return x + self.drop(self.ff2(F.relu(self.ff1(x))))\n"),
     "residual taken from the normed input"),
    ("encoder-block", "EncoderBlock", block(
        "        x = x + self.drop(self.attend(self.ln1(x), mask))\n"
        "        return self.ln2(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), "pre-norm and post-norm mixed"),
    ("encoder-block", "EncoderBlock", block(
        "        x = x + self.ln1(self.drop(self.attend(x, mask)))\n"
        "        return x + self.ln2(self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), "norm applied to the sublayer only"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x + self.drop(self.attend(x, mask)))\n"
        "        return self.ln2(x + self.drop(self.ff2(self.ff1(x))))\n"), "no activation in the feed-forward"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x + self.drop(self.attend(x, mask)))\n"
        "        return self.ln2(x + self.drop(F.relu(self.ff2(self.ff1(x)))))\n"), "activation after the second Linear"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x + self.drop(self.attend(x, None)))\n"
        "        return self.ln2(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n"), "padding mask not used in attention"),
    ("encoder-block", "EncoderBlock", block(POST, scale="1.0"), "attention: no 1/sqrt(d_k)"),
    ("encoder-block", "EncoderBlock", block(POST, scale="math.sqrt(D)"),
     "attention: scaled by sqrt(d_model) instead of sqrt(d_k)"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln(x + self.drop(self.attend(x, mask)))\n"
        "        return self.ln(x + self.drop(self.ff2(F.relu(self.ff1(x)))))\n",
        init=SEPARATE_INIT + "        self.ff1 = nn.Linear(d_model, d_ff)\n        self.ff2 = nn.Linear(d_ff, d_model)\n"
        "        self.ln = nn.LayerNorm(d_model)\n        self.drop = nn.Dropout(dropout)\n"),
     "one layer norm shared by both sublayers"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x + F.dropout(self.attend(x, mask), self.p))\n"
        "        return self.ln2(x + F.dropout(self.ff2(F.relu(self.ff1(x))), self.p))\n",
        init=SEPARATE_INIT + REST_INIT + "        self.p = dropout\n"), "dropout applied in eval mode"),
    ("encoder-block", "EncoderBlock", block(
        "        x = self.ln1(x + self.attend(x, mask))\n"
        "        return self.ln2(x + self.ff2(F.relu(self.ff1(x))))\n"), "dropout never applied"),
]


def head(forward: str, init: str = "        self.drop = nn.Dropout(dropout)\n"
         "        self.out = nn.Linear(d_model, n_classes)\n") -> str:
    """A ClassifierHead file with this __init__ body and forward body (both indented by 8)."""
    return (HEAD + "class ClassifierHead(nn.Module):\n    def __init__(self, d_model, n_classes, dropout=0.0):\n"
            "        super().__init__()\n" + init + "\n    def forward(self, hidden, mask):\n" + forward)


BERT_POOLER = ("        self.dense = nn.Linear(d_model, d_model)\n        self.drop = nn.Dropout(dropout)\n"
               "        self.classifier = nn.Linear(d_model, n_classes)\n")

CLASSIFIER_HEADS: list[tuple[str, str, str, str | None]] = [
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden[:, 0]))\n"), None),
    ("classifier-head", "ClassifierHead", head(
        "        return self.classifier(self.drop(torch.tanh(self.dense(hidden[:, 0]))))\n", init=BERT_POOLER), None),
    ("classifier-head", "ClassifierHead", head(
        "        m = mask.unsqueeze(-1).float()\n"
        "        pooled = (hidden * m).sum(dim=1) / m.sum(dim=1)\n"
        "        return F.log_softmax(self.out(self.drop(pooled)), dim=-1)\n"), None),
    ("classifier-head", "ClassifierHead", head("        return F.softmax(self.out(self.drop(hidden[:, 0])), dim=-1)\n"),
     "softmax applied in the head"),
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden[:, -1]))\n"),
     "pooled the last position (padding in short sequences)"),
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden.mean(dim=1)))\n"),
     "mean over padding too"),
    ("classifier-head", "ClassifierHead", head(
        "        return self.out(self.drop((hidden * mask.unsqueeze(-1)).sum(1)))\n"), "sum instead of mean"),
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden[0]))\n"),
     "pooled the first sequence, not the first token"),
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden.mean(0)))\n"),
     "averaged over the batch"),
    ("classifier-head", "ClassifierHead", head("        return self.out(self.drop(hidden))\n"),
     "classifier applied to every token"),
    ("classifier-head", "ClassifierHead", head(
        "        return self.classifier(self.drop(self.dense(hidden[:, 0])))\n", init=BERT_POOLER),
     "pooler without tanh"),
    ("classifier-head", "ClassifierHead", head(
        "        return self.out(F.dropout(hidden[:, 0], self.p))\n",
        init="        self.p = dropout\n        self.out = nn.Linear(d_model, n_classes)\n"),
     "dropout applied in eval mode"),
]
