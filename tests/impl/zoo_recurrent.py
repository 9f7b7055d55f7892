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


def lstm_layer(loop: str, final: str = "(h, c)") -> str:
    """An LSTM layer over nn.LSTMCell whose loop body is `loop` (indented by 12) and that returns `final`."""
    return f"""import torch
from torch import nn


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = nn.LSTMCell(input_size, hidden_size)

    def forward(self, x, state=None):
        B, T, _ = x.shape
        if state is None:
            state = (x.new_zeros(B, self.hidden_size), x.new_zeros(B, self.hidden_size))
        h, c = state
        outputs = []
        for t in range(T):
{loop}
        return torch.stack(outputs, dim=1), {final}
"""


OWN_LOOP_LSTM = """import torch
from torch import nn


class LSTM(nn.Module):
    # their own cell, fused Linear on [x, h], gates in the order f, i, o, g
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.gates = nn.Linear(input_size + hidden_size, 4 * hidden_size)

    def forward(self, x, state=None):
        B = x.shape[0]
        h, c = state if state is not None else (x.new_zeros(B, self.hidden_size),) * 2
        outs = []
        for x_t in x.unbind(1):
            f, i, o, g = self.gates(torch.cat([x_t, h], -1)).chunk(4, -1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs, 1), (h, c)
"""

TORCH_LSTM = """import torch
from torch import nn


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)

    def forward(self, x, state=None):
        if state is not None:
            state = (state[0].unsqueeze(0), state[1].unsqueeze(0))
        out, (h, c) = self.lstm(x, state)
        return out, (h[0], c[0])
"""

STEP = "            h, c = self.cell(x[:, t], (h, c))\n            outputs.append(h)"

ZOO_RECURRENT += [
    ("lstm", "LSTM", lstm_layer(STEP), None),
    ("lstm", "LSTM", OWN_LOOP_LSTM, None),
    ("lstm", "LSTM", TORCH_LSTM, None),
    ("lstm", "LSTM", lstm_layer("            h, c = self.cell(x[:, t], state)\n            outputs.append(h)"),
     "state not carried between steps"),
    ("lstm", "LSTM", lstm_layer("            c, h = self.cell(x[:, t], (h, c))\n            outputs.append(h)"),
     "h and c swapped in the carry"),
    ("lstm", "LSTM", lstm_layer(STEP + "\n            if t == 0:\n                first = (h, c)", "first"),
     "final state from the first step"),
    ("lstm", "LSTM", lstm_layer(STEP.replace("x[:, t]", "x[:, T - 1 - t]")), "time reversed"),
    ("lstm", "LSTM", lstm_layer("            h, c = self.cell(x[:, t], (h, c))\n            outputs.append(c)"),
     "outputs taken from c instead of h"),
    ("lstm", "LSTM", OWN_LOOP_LSTM.replace("torch.sigmoid(f) * c + ", "c + "), "missing forget gate"),
]


def gru_layer(loop: str, final: str = "h") -> str:
    """A GRU layer over nn.GRUCell whose loop body is `loop` (indented by 12) and that returns `final`."""
    return f"""import torch
from torch import nn


class GRU(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = nn.GRUCell(input_size, hidden_size)

    def forward(self, x, h=None):
        B, T, _ = x.shape
        h0 = x.new_zeros(B, self.hidden_size) if h is None else h
        h = h0
        outputs = []
        for t in range(T):
{loop}
        return torch.stack(outputs, dim=1), {final}
"""


OWN_LOOP_GRU = CHO_GRU + """

class GRU(nn.Module):
    # their own (Cho et al.) cell in their own loop
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = GRUCell(input_size, hidden_size)

    def forward(self, x, h=None):
        h = x.new_zeros(x.shape[0], self.hidden_size) if h is None else h
        outs = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            outs.append(h)
        return torch.stack(outs, 1), h
"""

GRU_STEP = "            h = self.cell(x[:, t], h)\n            outputs.append(h)"

ZOO_RECURRENT += [
    ("gru", "GRU", gru_layer(GRU_STEP), None),
    ("gru", "GRU", OWN_LOOP_GRU, None),
    ("gru", "GRU", gru_layer("            h = self.cell(x[:, t], h0)\n            outputs.append(h)"),
     "state not carried between steps"),
    ("gru", "GRU", gru_layer(GRU_STEP + "\n            if t == 0:\n                first = h", "first"),
     "final state from the first step"),
    ("gru", "GRU", gru_layer(GRU_STEP.replace("x[:, t]", "x[:, T - 1 - t]")), "time reversed"),
    ("gru", "GRU", OWN_LOOP_GRU.replace("n = torch.tanh(self.candidate(torch.cat([x, r * h], dim=-1)))",
                                        "n = torch.tanh(self.candidate(torch.cat([x, h], dim=-1)))"),
     "missing reset gate"),
]

TORCH_GRU_CELL = """import torch
from torch import nn


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.cell = nn.GRUCell(input_size, hidden_size)

    def forward(self, x, h):
        return self.cell(x, h)
"""

TORCH_GRU = """import torch
from torch import nn


class GRU(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, batch_first=True)

    def forward(self, x, h=None):
        out, h_n = self.gru(x, None if h is None else h.unsqueeze(0))
        return out, h_n  # [1, B, H], as nn.GRU gives it
"""

ZOO_RECURRENT += [
    ("gru-cell", "GRUCell", TORCH_GRU_CELL, None),
    ("lstm-cell", "LSTMCell", """import torch
from torch import nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.cell = nn.LSTMCell(input_size, hidden_size)

    def forward(self, x, state):
        return self.cell(x, state)
""", None),
    ("gru", "GRU", TORCH_GRU, None),
    ("lstm", "LSTM", OWN_LOOP_LSTM.replace("4 * hidden_size)", "4 * hidden_size, bias=False)"), "biases missing"),
    ("gru", "GRU", OWN_LOOP_GRU.replace("return z * n + (1 - z) * h", "return z * n + z * h"),
     "update gate mixes wrong"),
]

ZOO_RECURRENT += [
    ("gru", "GRU", gru_layer(GRU_STEP).replace("x.new_zeros(B, self.hidden_size)", "torch.zeros(B, self.hidden_size)"),
     None),  # a float32-by-default zeros state: the check runs with float64 as torch's default
]

SCRATCH_GRU = """import torch
from torch import nn


class GRUScratch(nn.Module):
    # from scratch with bare Parameters, as in Dive into Deep Learning: X @ W, one bias per gate, reset before W_hh
    def __init__(self, input_size, hidden_size):
        super().__init__()
        triple = lambda: (nn.Parameter(torch.randn(input_size, hidden_size) * 0.3),
                          nn.Parameter(torch.randn(hidden_size, hidden_size) * 0.3),
                          nn.Parameter(torch.zeros(hidden_size)))
        self.W_xz, self.W_hz, self.b_z = triple()
        self.W_xr, self.W_hr, self.b_r = triple()
        self.W_xh, self.W_hh, self.b_h = triple()

    def forward(self, x, h):
        Z = torch.sigmoid(x @ self.W_xz + h @ self.W_hz + self.b_z)
        R = torch.sigmoid(x @ self.W_xr + h @ self.W_hr + self.b_r)
        H_tilde = torch.tanh(x @ self.W_xh + (R * h) @ self.W_hh + self.b_h)
        return Z * h + (1 - Z) * H_tilde
"""

ZOO_RECURRENT += [
    ("gru-cell", "GRUScratch", SCRATCH_GRU, None),
    ("gru-cell", "GRUScratch", SCRATCH_GRU.replace("(R * h) @ self.W_hh", "h @ self.W_hh"), "missing reset gate"),
    ("gru-cell", "GRUScratch", SCRATCH_GRU.replace("Z * h + (1 - Z) * H_tilde", "Z * h + Z * H_tilde"),
     "update gate mixes wrong"),
]

SCRATCH_LSTM = """import torch
from torch import nn


class LSTMScratch(nn.Module):
    # from scratch with bare Parameters, as in Dive into Deep Learning
    def __init__(self, input_size, hidden_size):
        super().__init__()
        triple = lambda: (nn.Parameter(torch.randn(input_size, hidden_size) * 0.3),
                          nn.Parameter(torch.randn(hidden_size, hidden_size) * 0.3),
                          nn.Parameter(torch.zeros(hidden_size)))
        self.W_xi, self.W_hi, self.b_i = triple()
        self.W_xf, self.W_hf, self.b_f = triple()
        self.W_xo, self.W_ho, self.b_o = triple()
        self.W_xc, self.W_hc, self.b_c = triple()

    def forward(self, x, state):
        H, C = state
        I = torch.sigmoid(x @ self.W_xi + H @ self.W_hi + self.b_i)
        F = torch.sigmoid(x @ self.W_xf + H @ self.W_hf + self.b_f)
        O = torch.sigmoid(x @ self.W_xo + H @ self.W_ho + self.b_o)
        C_tilde = torch.tanh(x @ self.W_xc + H @ self.W_hc + self.b_c)
        C = F * C + I * C_tilde
        return O * torch.tanh(C), C
"""

ZOO_RECURRENT += [
    ("lstm-cell", "LSTMScratch", SCRATCH_LSTM, None),
    ("lstm-cell", "LSTMScratch", SCRATCH_LSTM.replace("C = F * C + I * C_tilde", "C = C + I * C_tilde"),
     "missing forget gate"),
]
