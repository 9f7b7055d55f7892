"""bertviz head view and model view as standalone HTML pages, safe for any token text.

bertviz embeds its parameters with ``json.dumps`` inside a ``<script>`` block, where a token such as
``</script>`` would end the script early. We render bertviz with harmless placeholder tokens and then
put each real token back as a JSON string in which ``<``, ``>`` and ``&`` are written as ``\\u003c``,
``\\u003e`` and ``\\u0026``: the browser's parser cannot see a tag in it, and JavaScript reads the
same characters back. bertviz draws tokens with ``.text()``, so they show as text, never as markup.

bertviz's pages ask cdnjs for require.js, d3 and jQuery, so they are blank offline. We drop its require.js
tag and its ``require.config`` of CDN paths, inline the copies of the three scripts shipped in the package
(`seqlab.viz.web_assets`), and register d3 and jQuery as named require.js modules before bertviz's script
asks for them: the page is one file that draws with no network, and says so on screen when it cannot.
"""

from __future__ import annotations

import html
import json
import re
from typing import Literal, Sequence

import numpy as np
import torch
from bertviz import head_view, model_view
from bertviz.util import format_special_chars

from seqlab.viz.web_assets import FALLBACK_STYLE, fallback_block, inline_script, script_source

ViewKind = Literal["head", "model"]

_PLACEHOLDER = "seqlab-token-{index}-placeholder"
_CDN_SCRIPT_TAG = re.compile(r"<script[^>]*\bsrc=[^>]*>\s*</script>", re.IGNORECASE)
_REQUIRE_CONFIG = re.compile(r"require\.config\(\{.*?\}\);", re.DOTALL)
# d3 and jQuery are inlined before require.js, so they set window.d3 / window.jQuery (no anonymous define);
# naming them as modules means bertviz's requirejs(['jquery', 'd3'], ...) never fetches anything.
_NAMED_MODULES = """
define("d3", [], function () { return window.d3; });
define("jquery", [], function () { return window.jQuery; });
"""
_JS_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_safe_json(value: object) -> str:
    """JSON for `value` that cannot close or open a tag when placed inside an HTML <script> block."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in _JS_UNSAFE.items():
        text = text.replace(char, escaped)
    return text


def _pretty(tokens: Sequence[str]) -> list[str]:
    """bertviz's own prettifying of byte-level and sentencepiece markers."""
    return format_special_chars(list(tokens))


def bertviz_html(
    attentions: Sequence[torch.Tensor] | torch.Tensor | np.ndarray,
    tokens: Sequence[str],
    view: ViewKind = "head",
    sentence_b_start: int | None = None,
    title: str = "attention",
    layer: int | None = None,
    head: int | None = None,
) -> str:
    """A complete HTML page with bertviz's head view or model view of `attentions` over `tokens`.

    `attentions` is one tensor per layer of shape [1, H, T, T] (or a stacked [L, H, T, T] tensor or array);
    `tokens` has T entries. Pairs pass `sentence_b_start`, the index of the first token of sentence B. The head
    view opens on `layer` with only `head` shown (the others a click away) when given, else on layer 0, all heads.
    """
    layers = _as_layer_list(attentions)
    if layers[0].shape[-1] != len(tokens):
        raise ValueError(f"attention covers {layers[0].shape[-1]} positions but {len(tokens)} tokens were given")
    placeholders = [_PLACEHOLDER.format(index=i) for i in range(len(tokens))]
    body = _render(view, layers, placeholders, sentence_b_start, layer, head)
    for placeholder, token in zip(placeholders, _pretty(tokens)):
        body = body.replace(json.dumps(placeholder), script_safe_json(token))
    return _offline_page(_without_cdn(body), title, view)


def _without_cdn(body: str) -> str:
    """bertviz's fragment without its CDN require.js tag and CDN module paths; RuntimeError if any remain."""
    body = _REQUIRE_CONFIG.sub("", _CDN_SCRIPT_TAG.sub("", body))
    if "cdnjs" in body or _CDN_SCRIPT_TAG.search(body):
        raise RuntimeError("this bertviz version loads scripts from a CDN in a way seqlab does not remove")
    return body


_HOW_TO_READ = {
    "head": "Lines join each token on the left to the tokens it attends to on the right; stronger lines carry more "
    "weight, one colour per head. Hover over a token to see only its lines; click a coloured square to show or "
    "hide that head, double-click it to show only that head.",
    "model": "One small picture per layer (row) and head (column). Click one to see it up close, then hover over "
    "a token on its left side to see where that token looks.",
}
_HEADER_STYLE = (
    ".seqlab-about { font: 14px/1.4 system-ui, sans-serif; color: #334e68; max-width: 60em; margin: 0 0 10px; }"
)


def _offline_page(body: str, title: str, view: ViewKind) -> str:
    """A whole HTML page: fallback message, the inlined libraries, then bertviz's fragment."""
    libraries = "\n".join(
        inline_script(source)
        for source in (script_source("d3"), script_source("jquery"), script_source("requirejs"), _NAMED_MODULES)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{FALLBACK_STYLE}{_HEADER_STYLE}</style>\n</head>\n<body>\n"
        f'<p class="seqlab-about"><strong>{html.escape(title)}</strong><br>{html.escape(_HOW_TO_READ[view])}</p>\n'
        f"{fallback_block('svg', f'bertviz {view} view')}\n{libraries}\n{body}\n</body>\n</html>\n"
    )


def _as_layer_list(attentions: Sequence[torch.Tensor] | torch.Tensor | np.ndarray) -> list[torch.Tensor]:
    """One CPU tensor [1, H, T, T] per layer, rounded to 4 decimals (keeps the page small)."""
    if isinstance(attentions, np.ndarray):
        attentions = torch.from_numpy(attentions)
    if isinstance(attentions, torch.Tensor):
        layers = list(attentions if attentions.dim() == 4 else attentions.squeeze(1))
    else:
        layers = list(attentions)
    return [(a if a.dim() == 4 else a.unsqueeze(0)).detach().cpu().double().round(decimals=4) for a in layers]


def _render(view: ViewKind, layers: list[torch.Tensor], tokens: list[str], sentence_b_start: int | None,
            layer: int | None = None, head: int | None = None) -> str:
    """bertviz's HTML fragment (require.js tag, the view's div and its script)."""
    if view == "head":
        result = head_view(
            layers, tokens, sentence_b_start=sentence_b_start, prettify_tokens=False, html_action="return",
            layer=layer, heads=None if head is None else [head],
        )
    elif view == "model":
        result = model_view(
            layers, tokens, sentence_b_start=sentence_b_start, prettify_tokens=False, html_action="return"
        )
    else:
        raise ValueError(f"unknown bertviz view {view!r}; use 'head' or 'model'")
    return result.data
