"""bertviz pages: user text cannot break out of the script block, and shows up as the token it is."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from seqlab.viz.bertviz_export import bertviz_html, script_safe_json

HOSTILE = [
    "[CLS]",
    "</script><script>window.pwned=1</script>",
    'it\'s "quoted"',
    "<img src=x onerror=alert(1)>",
    "a & b",
    "[SEP]",
]


class _Tags(HTMLParser):
    """Every start tag, and the text of every script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self.sources: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.sources.extend(value for name, value in attrs if name in ("src", "href"))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _probs(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, n, n))
    return x / x.sum(-1, keepdims=True)


@pytest.mark.parametrize("view", ["head", "model"])
def test_hostile_tokens_stay_inside_the_script_as_text(view):
    page = bertviz_html(_probs(len(HOSTILE)), HOSTILE, view=view, sentence_b_start=3, title="<b>t</b>")
    parser = _Tags()
    parser.feed(page)
    # the fallback watcher, d3, jQuery, require.js, the named modules and bertviz's own script, nothing injected
    assert parser.tags.count("script") == 6
    assert "img" not in parser.tags and "b" not in parser.tags
    code = parser.scripts[-1]
    assert code.rstrip().endswith("});")  # the script block reached its real end
    params = json.loads(re.search(r"const params = (\{.*?\}); // HACK", code, re.S).group(1))
    assert params["attention"][0]["left_text"] == HOSTILE
    assert params["attention"][1]["left_text"] == HOSTILE[:3]  # sentence A -> A of the pair
    assert "</script><script>" not in page and "seqlab-token" not in page


def test_script_safe_json_is_still_the_same_json():
    text = "</script>&\u2028"
    encoded = script_safe_json(text)
    assert "<" not in encoded and "&" not in encoded and json.loads(encoded) == text


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match="4 positions but 3 tokens"):
        bertviz_html(_probs(4), ["a", "b", "c"])


@pytest.mark.parametrize("view", ["head", "model"])
def test_page_loads_nothing_from_the_network(view):
    page = bertviz_html(_probs(3), ["a", "b", "c"], view=view)
    parser = _Tags()
    parser.feed(page)
    assert parser.sources == []  # no <script src>, no <link href>: everything is inline
    assert "cdnjs" not in page and "require.config" not in parser.scripts[-1]  # bertviz's CDN paths are gone
    assert 'define("d3"' in page and 'define("jquery"' in page
    assert 'id="seqlab-fallback"' in page
