"""Student files for the recurrent kinds (gru-cell, lstm, gru), in zoo.py's format: (kind, NAME in the file, source,
expected diagnosis or None = correct)."""

from __future__ import annotations

GRU_HEAD = """import torch
from torch import nn


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.x2g = nn.Linear(input_size, 3 * hidden_size)
        self.h2g = nn.Linear(hidden_size, 3 * hidden_size)

    def forward(self, x, h):
        xr, xz, xn = self.x2g(x).chunk(3, dim=-1)
        hr, hz, hn = self.h2g(h).chunk(3, dim=-1)
"""

GRU_GOOD_GATES = """        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
"""

CHO_GRU = """import torch
from torch import nn


class GRUCell(nn.Module):
    # Cho et al. 2014: the reset gate applied to h before the matmul; one Linear per gate on [x, h]
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.reset = nn.Linear(input_size + hidden_size, hidden_size)
        self.update = nn.Linear(input_size + hidden_size, hidden_size)
        self.candidate = nn.Linear(input_size + hidden_size, hidden_size)

    def forward(self, x, h):
        xh = torch.cat([x, h], dim=-1)
        r = torch.sigmoid(self.reset(xh))
        z = torch.sigmoid(self.update(xh))
        n = torch.tanh(self.candidate(torch.cat([x, r * h], dim=-1)))
        return z * n + (1 - z) * h  # the textbook convention: z weighs the new candidate
"""

ZOO_RECURRENT = [
    ("gru-cell", "GRUCell", GRU_HEAD + GRU_GOOD_GATES + """        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h
""", None),
    ("gru-cell", "GRUCell", CHO_GRU, None),
    ("gru-cell", "GRUCell", GRU_HEAD + """        z = torch.sigmoid(xr + hr)  # z and r swapped everywhere: the same GRU with its gates named the other way
        r = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h
""", None),
    ("gru-cell", "GRUCell", GRU_HEAD + GRU_GOOD_GATES + """        n = torch.tanh(xn + hn)
        return (1 - z) * n + z * h
""", "missing reset gate"),
    ("gru-cell", "GRUCell", GRU_HEAD + GRU_GOOD_GATES + """        n = torch.tanh(xn + r * hn)
        return z * h + z * n
""", "update gate mixes wrong"),
    ("gru-cell", "GRUCell", GRU_HEAD + GRU_GOOD_GATES + """        n = torch.sigmoid(xn + r * hn)
        return (1 - z) * n + z * h
""", "candidate through sigmoid"),
    ("gru-cell", "GRUCell", GRU_HEAD + """        r = torch.tanh(xr + hr)
        z = torch.tanh(xz + hz)
        n = torch.sigmoid(xn + r * hn)  # tanh and sigmoid swapped
        return (1 - z) * n + z * h
""", "tanh and sigmoid swapped"),
    ("gru-cell", "GRUCell", GRU_HEAD.replace("3 * hidden_size)", "3 * hidden_size, bias=False)") + GRU_GOOD_GATES
     + """        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h
""", "biases missing"),
]
