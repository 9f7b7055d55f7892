"""seqlab's own attention page: one self-contained HTML file (plain JavaScript + SVG, no library, no network).

A learner picks a layer and a head (or the head average), hovers or clicks a token to see its row (where it
looks) and its column (what looks at it), browses every head as small pictures, and reads a one-line
description of each notable head (`seqlab.viz.head_patterns`). Token text reaches the page only as JSON in
a <script type="application/json"> block written by `script_safe_json`, and the page's script puts it on
screen with textContent, so no token can become markup.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from seqlab.viz.attention_heads import SELECTION_RULE, first_ranked, summarize_heads
from seqlab.viz.attention_source import AttentionCapture
from seqlab.viz.attention_steps import QueryKeySteps
from seqlab.viz.bertviz_export import script_safe_json
from seqlab.viz.head_patterns import describe_heads, notable_heads
from seqlab.viz.web_assets import FALLBACK_STYLE, asset_text, fallback_block, inline_script

_BODY = """
<h1>What each head attends to</h1>
<p id="meta"></p>
<p id="start" class="note"></p>
{fallback}
<div class="picker" id="layers"><span>Layer</span></div>
<div class="picker" id="heads"><span>Head</span></div>
<p id="head-line"></p>
<div id="tokens" aria-label="tokens of the input"></div>
<p id="focus-hint"></p>
<div id="explore">
  <figure id="matrix-figure" style="margin:0">
    <div id="matrix"></div>
    <figcaption id="matrix-caption">Rows are queries (the token that looks), columns are keys (what it looks at);
    each row sums to 1. Darker is more weight.{note}</figcaption>
  </figure>
  <div id="detail"><div id="row-list"></div><div id="col-list"></div></div>
</div>
<section id="qk" hidden>
<h2 id="qk-title">How one row is made: q·k, ÷ √d<sub>k</sub>, mask, softmax</h2>
<p id="qk-meta"></p>
<p class="note">weight<sub>j</sub> = softmax<sub>j</sub>(q·k<sub>j</sub> / √d<sub>k</sub>) over the keys the
mask allows; output = Σ<sub>j</sub> weight<sub>j</sub> v<sub>j</sub>. Hover or focus a key to see its q·k
term.</p>
<div id="qk-body"><ol id="qk-keys" class="bars"></ol><div id="qk-term" aria-live="polite"></div></div>
<p id="qk-check" class="note"></p>
</section>
<h2>Notable heads</h2>
<div id="notable"></div>
<h2>Every head (click one)</h2>
<div id="overview"></div>
<footer><p>How heads are described: {rule}</p>
<p>Written by seqlab. This file needs no network: its script and data are inside it.</p></footer>
"""

RULE = (
    "for each head, average over its rows the weight on the previous token, the next token, the token itself, "
    "and each single token (special tokens such as [SEP] pooled over their positions). The largest average is "
    "the head's pattern when it is at least 0.5; otherwise a head whose rows are at least 0.9 as spread out as "
    "uniform (entropy) is 'spread out evenly', and any other head is mixed."
)


def page_data(
    capture: AttentionCapture, layer: int | None = None, head: int | None = None, steps: QueryKeySteps | None = None,
    query_index: int | None = None,
) -> dict[str, Any]:
    """Everything the page's script reads: tokens, weights (per mille, flattened [L,H,T,T]) and head patterns,
    with `steps` the numbers of one query's row for the q·k panel (`steps`, else null), and the token the page
    opens selected (`query`: `query_index`, else that of `steps`, else null).

    The page opens on `layer` and `head`; what is not given comes from the ranking the terminal and the figures
    use (`seqlab.viz.attention_heads.SELECTION_RULE`), so every view starts on the same head.
    """
    patterns = describe_heads(capture.probabilities, capture.tokens, capture.causal)
    index = {(p.layer, p.head): i for i, p in enumerate(patterns)}
    notable = notable_heads(patterns)
    why = "the layer and head you asked for"
    if layer is None or head is None:
        best = first_ranked(summarize_heads(capture.probabilities, capture.tokens, capture.causal), layer, head)
        layer, head = best.layer, best.head
        why = f"the terminal and the close-up figure show the same head; it has {SELECTION_RULE}"
    weights = np.rint(np.clip(capture.probabilities, 0.0, 1.0) * 1000).astype(np.int32)
    layers, heads, _ = capture.shape
    return {
        "model": capture.model_name,
        "tokens": list(capture.tokens),
        "sentence_b_start": capture.sentence_b_start,
        "causal": capture.causal,
        "layers": layers,
        "heads": heads,
        "weights": weights.ravel().tolist(),
        "patterns": [p.to_dict() for p in patterns],
        "notable": [index[(p.layer, p.head)] for p in notable],
        "start": {"layer": layer, "head": head, "why": why},
        "steps": None if steps is None else steps.to_dict(),
        "query": query_index if query_index is not None else (None if steps is None else steps.query_index),
    }


def attention_page_html(
    capture: AttentionCapture,
    layer: int | None = None,
    head: int | None = None,
    title: str | None = None,
    steps: QueryKeySteps | None = None,
    query_index: int | None = None,
) -> str:
    """The whole page for `capture`, opening on `layer` and `head` (see `page_data` for the default) with token
    `query_index` selected (its row and column highlighted, as if clicked); with `steps`, a panel that writes out
    that query's q·k terms."""
    title = title or f"{capture.model_name}: attention explorer"
    note = (
        " The dashed lines separate sentence A from sentence B." if capture.sentence_b_start is not None else ""
    )
    if capture.causal:
        note += " Grey cells are masked: a causal model's token cannot look at later tokens."
    body = _BODY.format(
        fallback=fallback_block("#matrix svg rect", "attention explorer"),
        note=note,
        rule=html.escape(RULE),
    )
    data = script_safe_json(page_data(capture, layer, head, steps, query_index))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{FALLBACK_STYLE}{asset_text('attention_page.css')}</style>\n</head>\n<body>\n{body}\n"
        f'<script type="application/json" id="seqlab-data">{data}</script>\n'
        f"{inline_script(asset_text('attention_page.js'))}\n</body>\n</html>\n"
    )
