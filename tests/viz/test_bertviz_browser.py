"""bertviz pages really render in headless Chromium, with hostile tokens shown as text and nothing injected.

Needs: Chromium at /usr/bin/chromium (Debian package `chromium`), Playwright for Python (`pip install
playwright`; no browser download, it drives the system Chromium), and npm to fetch the three scripts
the page loads from cdnjs (requirejs@2.3.6, d3@5.7.0, jquery: 2.0.0 is not on npm, 2.1.0 stands in),
cached in $SEQLAB_BROWSER_NPM or ~/.cache/seqlab-browser-test/npm. The page's requests to cdnjs are
answered from those files; every other network request is refused. Skips with the reason otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
NPM_PACKAGES = ("requirejs@2.3.6", "d3@5.7.0", "jquery@2.1.0")
CDN = "https://cdnjs.cloudflare.com/ajax/libs"
SCRIPT_FILES = {
    f"{CDN}/require.js/2.3.6/require.min.js": "requirejs/require.js",
    f"{CDN}/d3/5.7.0/d3.min.js": "d3/dist/d3.min.js",
    f"{CDN}/jquery/2.0.0/jquery.min.js": "jquery/dist/jquery.min.js",
}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKENS = [
    "[CLS]",
    "</script><script>window.pwned=1</script>",
    "<img src=x onerror=window.pwned=2>",
    'it\'s "ok"',
    "[SEP]",
    "b",
    "[SEP]",
]


def _npm_modules() -> Path:
    """node_modules holding the three scripts, installed with npm on first use; skip when impossible."""
    prefix = Path(os.environ.get("SEQLAB_BROWSER_NPM", Path.home() / ".cache" / "seqlab-browser-test" / "npm"))
    modules = prefix / "node_modules"
    if all((modules / rel).is_file() for rel in SCRIPT_FILES.values()):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm not found: needed once to fetch requirejs, d3 and jquery for the bertviz page")
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *NPM_PACKAGES],
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"npm install of {' '.join(NPM_PACKAGES)} failed ({exc}); install them into {prefix}")
    return modules


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    """A fresh headless Chromium page whose cdnjs requests are served from the npm packages."""
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python not installed (pip install playwright; no browser download needed)",
    )
    modules = _npm_modules()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        served: list[str] = []

        def answer(route):
            url = route.request.url
            if url in SCRIPT_FILES:
                served.append(url)
                route.fulfill(body=(modules / SCRIPT_FILES[url]).read_bytes(), content_type="application/javascript")
            elif url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", answer)
        page = context.new_page()
        yield page, served
        context.close()


def _probs(n: int) -> np.ndarray:
    x = np.random.default_rng(0).random((2, 3, n, n))
    return x / x.sum(-1, keepdims=True)


@pytest.mark.parametrize("view", ["head", "model"])
def test_bertviz_page_renders_with_hostile_tokens(browser_page, tmp_path, view):
    from seqlab.viz.bertviz_export import bertviz_html

    page, served = browser_page
    path = tmp_path / f"{view}.html"
    path.write_text(bertviz_html(_probs(len(TOKENS)), TOKENS, view=view, sentence_b_start=5), encoding="utf-8")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("svg text", timeout=20_000)
    assert errors == []
    assert page.locator("svg").count() >= 1 and page.locator("svg rect").count() > 0
    assert page.evaluate("window.pwned") is None
    assert page.locator("img").count() == 0
    if view == "head":  # the head view writes every token as SVG text
        shown = page.eval_on_selector_all("svg text", "nodes => nodes.map(n => n.textContent)")
        assert TOKENS[1] in shown and TOKENS[2] in shown and TOKENS[3] in shown
    assert set(SCRIPT_FILES) <= set(served)
