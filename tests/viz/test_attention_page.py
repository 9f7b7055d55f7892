"""seqlab's attention explorer page: one file, no external reference, data that round-trips, text kept as text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np

from seqlab.viz.attention_heads import first_ranked, summarize_heads
from seqlab.viz.attention_page import attention_page_html, page_data
from seqlab.viz.attention_source import AttentionCapture

TOKENS = ("[CLS]", "</script><script>alert(1)</script>", "<img src=x>", "a & b", "but", "[SEP]")


class _Page(HTMLParser):
    """Start tags, src/href attributes, and the text of the JSON data block."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.data = ""
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        self.references += [v for k, v in attrs if k in ("src", "href")]
        self._in_data = attributes.get("id") == "seqlab-data"

    def handle_endtag(self, tag):
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data += data


def _capture(causal: bool = False) -> AttentionCapture:
    n = len(TOKENS)
    probs = np.full((2, 3, n, n), 1 / n, dtype=np.float32)
    probs[0, 1] = 0.0
    probs[0, 1, :, 4] = 1.0  # layer 0, head 1: every token -> 'but'
    return AttentionCapture("<b>model</b>", TOKENS, probs, None, causal)


def test_page_is_self_contained_and_keeps_text_as_text():
    page = attention_page_html(_capture())
    parser = _Page()
    parser.feed(page)
    assert parser.references == []  # no src, no href: nothing to fetch
    assert "img" not in parser.tags and "b" not in parser.tags
    assert parser.tags.count("script") == 3  # fallback watcher, JSON data, the page's script
    data = json.loads(parser.data)
    assert data["tokens"] == list(TOKENS) and data["model"] == "<b>model</b>"
    assert "<title>&lt;b&gt;model&lt;/b&gt;: attention explorer</title>" in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)  # only the SVG namespace name


def test_page_data_weights_patterns_and_start():
    data = page_data(_capture())
    n = len(TOKENS)
    assert len(data["weights"]) == 2 * 3 * n * n
    weights = np.array(data["weights"]).reshape(2, 3, n, n)
    assert weights[0, 1, 0, 4] == 1000 and weights[1, 0, 0, 0] == round(1000 / n)
    assert len(data["patterns"]) == 6
    but = data["patterns"][1]
    assert but["kind"] == "token" and but["text"] == "tokens -> 'but' 1.00"
    assert (data["start"]["layer"], data["start"]["head"]) == (0, 1)  # the head the terminal ranks first
    assert "row entropy" in data["start"]["why"]
    assert data["notable"][0] == 1
    asked = page_data(_capture(), layer=1, head=2)["start"]
    assert (asked["layer"], asked["head"], asked["why"]) == (1, 2, "the layer and head you asked for")
    assert data["query"] is None  # opens with no token selected unless --query gave one
    assert page_data(_capture(), query_index=4)["query"] == 4


def test_page_opens_on_the_head_the_terminal_and_figures_rank_first():
    n = len(TOKENS)
    uniform = AttentionCapture("m", TOKENS, np.full((2, 2, n, n), 1 / n, dtype=np.float32), None, False)
    start = page_data(uniform)["start"]
    assert (start["layer"], start["head"]) == (0, 0)  # all tie: first by layer, head
    capture = _capture()
    best = first_ranked(summarize_heads(capture.probabilities, capture.tokens, capture.causal))
    start = page_data(capture)["start"]
    assert (start["layer"], start["head"]) == (best.layer, best.head)
    assert page_data(capture, layer=1)["start"]["layer"] == 1
