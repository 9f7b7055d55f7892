"""Student add & norm modules for seqlab check --impl: correct ones (legitimate variants) and broken ones, each with
the diagnosis it must get. Entries as in zoo.py: (kind, NAME, source, expected diagnosis or None = correct)."""

from __future__ import annotations

HEAD = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"


def add_norm(forward: str, init: str = "        self.norm = nn.LayerNorm(d_model)\n"
             "        self.dropout = nn.Dropout(dropout)\n") -> str:
    """An AddNorm file with this __init__ body and forward body (both indented by 8)."""
    return (HEAD + "class AddNorm(nn.Module):\n    def __init__(self, d_model, dropout=0.0):\n        super().__init__()\n"
            + init + "\n    def forward(self, x, sublayer_out):\n" + forward)


GOOD = add_norm("        return self.norm(x + self.dropout(sublayer_out))\n")

ZOO_BLOCKS: list[tuple[str, str, str, str | None]] = [
    ("add-norm", "AddNorm", GOOD, None),
    # hand-written norm with BERT's eps and gamma/beta names, functional dropout that follows self.training
    ("add-norm", "AddNorm", add_norm(
        "        y = x + F.dropout(sublayer_out, self.p, self.training)\n"
        "        mean = y.mean(-1, keepdim=True)\n"
        "        var = y.var(-1, keepdim=True, unbiased=False)\n"
        "        return self.gamma * (y - mean) / torch.sqrt(var + self.eps) + self.beta\n",
        init="        self.gamma = nn.Parameter(torch.ones(d_model))\n"
             "        self.beta = nn.Parameter(torch.zeros(d_model))\n"
             "        self.eps = 1e-12\n        self.p = dropout\n"), None),
    ("add-norm", "AddNorm", add_norm("        return self.norm(self.dropout(sublayer_out))\n"), "no residual"),
    ("add-norm", "AddNorm", add_norm("        return x + self.norm(self.dropout(sublayer_out))\n"),
     "norm applied to the sublayer only"),
    ("add-norm", "AddNorm", add_norm("        return self.norm(x) + self.dropout(sublayer_out)\n"),
     "residual added after the norm"),
    ("add-norm", "AddNorm", add_norm("        return self.norm(x + self.dropout(sublayer_out)) + x\n"),
     "residual added twice"),
    ("add-norm", "AddNorm", add_norm("        return self.norm(x)\n"), "sublayer output ignored"),
    ("add-norm", "AddNorm", add_norm("        return self.dropout(self.norm(x + sublayer_out))\n"),
     "dropout after the norm"),
    ("add-norm", "AddNorm", add_norm("        return self.norm(x + F.dropout(sublayer_out, self.p))\n",
                                     init="        self.norm = nn.LayerNorm(d_model)\n        self.p = dropout\n"),
     "dropout applied in eval mode"),
    ("add-norm", "AddNorm", add_norm("        return self.norm(x + sublayer_out)\n"), "dropout never applied"),
    ("add-norm", "AddNorm", add_norm(
        "        y = x + self.dropout(sublayer_out)\n"
        "        return F.layer_norm(y, y.shape[-1:])  # self.norm made, its weight and bias never used\n"),
     "gamma/beta not applied"),
]
