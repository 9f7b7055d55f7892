"""Scripts and styles that seqlab's HTML pages inline, so every page is one file that draws with no network.

The third-party scripts (d3, jQuery, require.js for bertviz) sit in `seqlab/viz/assets/`, copied unchanged
from their npm packages; `assets/MANIFEST.json` records each one's version, npm integrity and sha256, and
`assets/LICENSE-*.txt` their licences. Reading a script checks its sha256, so a damaged install fails loudly
instead of writing a page that silently does not draw.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_ASSETS = "assets"


@dataclass(frozen=True)
class BundledScript:
    """One third-party script shipped in the package."""

    name: str
    version: str
    file: str
    sha256: str
    license: str
    license_file: str


def asset_text(file: str) -> str:
    """The text of `seqlab/viz/assets/<file>`."""
    return resources.files("seqlab.viz").joinpath(_ASSETS, file).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bundled_scripts() -> dict[str, BundledScript]:
    """The scripts listed in assets/MANIFEST.json, by npm package name."""
    manifest = json.loads(asset_text("MANIFEST.json"))
    fields = BundledScript.__dataclass_fields__
    return {row["name"]: BundledScript(**{k: row[k] for k in fields}) for row in manifest["scripts"]}


@lru_cache(maxsize=None)
def script_source(name: str) -> str:
    """The source of bundled script `name` (e.g. "d3"), after checking it against its recorded sha256."""
    script = bundled_scripts()[name]
    data = resources.files("seqlab.viz").joinpath(_ASSETS, script.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != script.sha256:
        raise RuntimeError(
            f"seqlab/viz/assets/{script.file} is damaged (sha256 {digest[:12]}..., expected {script.sha256[:12]}...); "
            "reinstall seqlab"
        )
    return data.decode("utf-8")


def inline_script(source: str) -> str:
    """`source` as an inline <script> element; ValueError if the text could end or confuse the element early."""
    lowered = source.lower()
    for bad in ("</script", "<!--"):
        if bad in lowered:
            raise ValueError(f"script text contains {bad!r}, which would break out of an inline <script>")
    return f"<script>\n{source}\n</script>"


FALLBACK_STYLE = """
#seqlab-fallback { margin: 12px 0; padding: 10px 14px; border: 2px solid #b45309; border-radius: 6px;
  background: #fff7ed; color: #431407; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  max-width: 60em; }
#seqlab-fallback strong { display: block; margin-bottom: 4px; }
"""

_WATCHER = """
(function () {
  var box = document.getElementById("seqlab-fallback");
  var why = document.getElementById("seqlab-fallback-why");
  var drawnSelector = %s;
  var failed = false;
  function show(message) {
    why.textContent = message;
    box.style.display = "block";
  }
  function fail(message) {
    failed = true;
    show(message);
  }
  function check() {
    if (!failed && document.querySelector(drawnSelector)) box.style.display = "none";
  }
  window.addEventListener("error", function (event) {
    fail("A script on this page failed: " + (event.message || "unknown error") + ".");
  });
  why.textContent = "Drawing...";
  new MutationObserver(check).observe(document.documentElement, {childList: true, subtree: true});
  window.addEventListener("load", function () {
    check();
    setTimeout(function () {
      check();
      if (!failed && !document.querySelector(drawnSelector)) show("It has not drawn 5 seconds after loading.");
    }, 5000);
  });
})();
"""


def fallback_block(drawn_selector: str, what: str) -> str:
    """A visible message plus the script that hides it once `drawn_selector` matches, or explains a failure.

    With JavaScript off the message simply stays. With JavaScript on it is hidden as soon as the view has
    drawn; if a script throws it stays and names the error; if nothing has drawn 5 seconds after load it
    says so, and still goes away if the view draws later.
    """
    return (
        '<div id="seqlab-fallback" role="status">'
        f"<strong>The {html.escape(what)} needs JavaScript, and it has not drawn.</strong>"
        "It needs no network: every script it uses is inside this file. Turn JavaScript on, or open the file "
        "in a current Chrome, Firefox or Safari; the PNG figures written beside it show the same attention. "
        '<span id="seqlab-fallback-why"></span></div>\n' + inline_script(_WATCHER % json.dumps(drawn_selector))
    )
