"""Every HTML page `seqlab attention` writes draws in real Chromium with the network cut off.

Each page is opened from disk in headless Chromium (/usr/bin/chromium, driven by Playwright for Python; no
browser download) with a route that aborts every request that is not file: or data:, and records it. The
pages come from `seqlab attention --pretrained` (the bundled MiniLM) and from a tiny transformer trained on
builtin-sentiment. For each: bertviz's head view and model view and seqlab's attention explorer draw SVG
holding the tokens, hovering a token changes what is highlighted, no script error is raised, no request
leaves the machine, and the fallback message is hidden. With JavaScript off, or a broken script, the
message shows. One browser serves the whole module.

Set SEQLAB_SCREENSHOTS=folder to keep a screenshot of every page drawn here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from seqlab.cli import app
from seqlab.viz.attention_source import AttentionCapture

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SENTENCE = "not good but great"
PAIR = "fun"
HOSTILE = [
    "[CLS]",
    "</script><script>window.pwned=1</script>",
    "<img src=x onerror=window.pwned=2>",
    'it\'s "ok" & fine',
    "[SEP]",
    "b",
    "[SEP]",
]


@pytest.fixture(scope="module")
def browser():
    """(context, blocked): one headless Chromium context; `blocked` lists every non-file request it aborted."""
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in seqlab[test])")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        context = chromium.new_context(viewport={"width": 1200, "height": 900})
        blocked: list[str] = []

        def offline(route):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", offline)
        yield chromium, context, blocked
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def written_pages(tmp_path_factory, tiny_runs) -> dict[str, dict]:
    """`seqlab attention --json` output for the pretrained MiniLM (a sentence pair) and a trained run."""
    from typer.testing import CliRunner

    from seqlab.paths import has_pretrained

    if not has_pretrained():
        pytest.skip("pretrained MiniLM not installed (pip install 'seqlab[pretrained]'; in seqlab[test])")
    runner = CliRunner()
    out = tmp_path_factory.mktemp("attention-pages")
    commands = {
        "pretrained": ["attention", "--pretrained", SENTENCE, "--pair", PAIR, "--out", str(out / "pre"), "--json"],
        "run": ["attention", str(tiny_runs["transformer"]), SENTENCE, "--out", str(out / "run"), "--json"],
    }
    payloads = {}
    for source, args in commands.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        payloads[source] = json.loads(result.stdout)
    return payloads


def _open(browser, path: Path):
    """A new page showing `path`, and the list that collects its script errors."""
    _, context, _ = browser
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(path).as_uri())
    return page, errors


def _screenshot(page, name: str) -> None:
    """Keep a screenshot when SEQLAB_SCREENSHOTS names a folder."""
    folder = os.environ.get("SEQLAB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent)")


def _fallback_shown(page) -> bool:
    return page.eval_on_selector("#seqlab-fallback", "e => getComputedStyle(e).display !== 'none'")


def _check_clean(page, errors: list[str], blocked: list[str]) -> None:
    assert errors == []
    assert blocked == [], f"the page asked the network for {blocked}"
    assert not _fallback_shown(page)


def _head_view(page, tokens: list[str]) -> None:
    page.wait_for_selector("svg #left text", timeout=20_000)
    assert set(tokens) <= set(_texts(page, "svg #left text"))
    attention = page.locator("svg #attention")
    assert attention.get_attribute("visibility") in (None, "visible")
    page.locator("svg #left text").nth(2).hover()  # lines of that token only
    assert attention.get_attribute("visibility") == "hidden"
    shown = page.locator("svg #attention line[visibility='visible']").count()
    assert 0 < shown < page.locator("svg #attention line").count()


def _model_view(page, tokens: list[str]) -> None:
    page.wait_for_selector("svg .attn_background", timeout=20_000)
    assert page.locator("svg .attn-line-group").count() == 0
    box = page.locator("svg .attn_background").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # open layer 0, head 0
    page.wait_for_selector("svg text.token", timeout=10_000)
    assert set(tokens) <= set(_texts(page, "svg text.token"))
    page.locator("svg text.token").nth(2).hover()
    opacities = page.eval_on_selector_all("svg .attn-line-group", "gs => gs.map(g => g.style.opacity)")
    assert opacities.count("1") == 1 and opacities.count("0") == len(opacities) - 1


def _explorer(page, tokens: list[str]) -> None:
    page.wait_for_selector("body[data-ready='true']", timeout=20_000)
    assert set(tokens) <= set(_texts(page, "#matrix svg text.label"))
    assert page.locator("#matrix svg rect.cell").count() == len(tokens) ** 2
    highlight = page.locator("#row-highlight")
    assert highlight.get_attribute("visibility") == "hidden"
    before = page.locator("#row-list li").count()
    page.locator("#tokens .chip[data-index='1']").hover()
    assert highlight.get_attribute("visibility") == "visible"
    first_y = float(highlight.get_attribute("y"))
    assert page.locator("#tokens .chip[data-index='1']").get_attribute("class") == "chip selected"
    assert page.locator("#row-list li").count() == len(tokens) > before
    assert tokens[1] in page.locator("#row-list h3").text_content()
    page.locator(f"#matrix svg text.label[data-index='{len(tokens) - 1}']").first.hover()  # the matrix edge too
    assert float(highlight.get_attribute("y")) > first_y
    line = page.locator("#head-line").text_content()
    page.locator("#heads button[data-head='avg']").click()
    assert page.locator("#head-line").text_content() != line and "average" in page.locator("#head-line").text_content()


CHECKS = {"head_view": _head_view, "model_view": _model_view, "explorer": _explorer}


@pytest.mark.parametrize("source", ["pretrained", "run"])
@pytest.mark.parametrize("view", list(CHECKS))
def test_page_draws_offline_and_answers_hover(browser, written_pages, source, view):
    payload = written_pages[source]
    _, _, blocked = browser
    blocked.clear()
    page, errors = _open(browser, Path(payload["files"][view]))
    try:
        CHECKS[view](page, payload["tokens"])
        _check_clean(page, errors, blocked)
        _screenshot(page, f"{source}-{view}")
    finally:
        page.close()


def _hostile_capture() -> AttentionCapture:
    x = np.random.default_rng(0).random((2, 3, len(HOSTILE), len(HOSTILE))).astype(np.float32)
    return AttentionCapture("<b>model</b>", tuple(HOSTILE), x / x.sum(-1, keepdims=True), 5, False)


@pytest.mark.parametrize("view", ["head", "model", "explorer"])
def test_hostile_tokens_show_as_text(browser, tmp_path, view):
    from seqlab.viz.attention_page import attention_page_html
    from seqlab.viz.bertviz_export import bertviz_html

    capture = _hostile_capture()
    if view == "explorer":
        html = attention_page_html(capture)
    else:
        html = bertviz_html(capture.probabilities, HOSTILE, view=view, sentence_b_start=5, title="<b>t</b>")
    path = tmp_path / f"{view}.html"
    path.write_text(html, encoding="utf-8")
    _, _, blocked = browser
    blocked.clear()
    page, errors = _open(browser, path)
    try:
        if view == "head":
            page.wait_for_selector("svg #left text", timeout=20_000)
            shown = _texts(page, "svg #left text")
        elif view == "model":
            page.wait_for_selector("svg .attn_background", timeout=20_000)
            box = page.locator("svg .attn_background").first.bounding_box()
            page.mouse.click(box["x"] + 5, box["y"] + 5)
            page.wait_for_selector("svg text.token", timeout=10_000)
            shown = _texts(page, "svg text.token")
        else:
            page.wait_for_selector("body[data-ready='true']", timeout=20_000)
            shown = _texts(page, "#matrix svg text.label") + _texts(page, "#tokens .chip")
            assert "<b>model</b>" in page.locator("#meta").text_content()
        assert set(HOSTILE[1:4]) <= set(shown)
        assert page.evaluate("window.pwned") is None
        assert page.locator("img").count() == 0 and page.locator("body b").count() == 0
        _check_clean(page, errors, blocked)
    finally:
        page.close()


def test_fallback_message_without_javascript(browser, written_pages):
    chromium, _, _ = browser
    context = chromium.new_context(java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    try:
        for view in CHECKS:
            page = context.new_page()
            page.goto(Path(written_pages["run"]["files"][view]).as_uri())
            message = page.locator("#seqlab-fallback")
            assert message.is_visible() and "needs JavaScript" in message.text_content()
            page.close()
    finally:
        context.close()


def test_fallback_message_when_a_script_fails(browser, written_pages, tmp_path):
    page_text = Path(written_pages["run"]["files"]["explorer"]).read_text(encoding="utf-8")
    start = page_text.index('<script type="application/json" id="seqlab-data">')
    broken = page_text[:start] + '<script type="application/json" id="seqlab-data">{not json</script>'
    broken += page_text[page_text.index("</script>", start) + len("</script>") :]
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    page, errors = _open(browser, path)
    try:
        page.wait_for_function("getComputedStyle(document.getElementById('seqlab-fallback')).display === 'block'")
        assert errors and "A script on this page failed" in page.locator("#seqlab-fallback").text_content()
    finally:
        page.close()


def test_explorer_greys_out_what_a_causal_model_cannot_see(browser, tiny_runs, tmp_path):
    from seqlab.viz.attention_page import attention_page_html
    from seqlab.viz.attention_source import attention_from_run

    capture = attention_from_run(tiny_runs["lm"], SENTENCE)
    path = tmp_path / "causal.html"
    path.write_text(attention_page_html(capture), encoding="utf-8")
    _, _, blocked = browser
    blocked.clear()
    page, errors = _open(browser, path)
    try:
        page.wait_for_selector("body[data-ready='true']", timeout=20_000)
        fills = page.eval_on_selector_all("#matrix svg rect.cell", "cells => cells.map(c => c.getAttribute('fill'))")
        n = len(capture.tokens)
        assert fills[0 * n + 1] == "#e4e7eb" and fills[1 * n + 0] != "#e4e7eb"  # row 0 cannot see key 1
        page.locator("#tokens .chip[data-index='0']").hover()
        assert page.locator("#row-list .bar-value").all_text_contents()[1:] == ["masked"] * (n - 1)
        _check_clean(page, errors, blocked)
    finally:
        page.close()


def test_explorer_with_50_tokens_fits_and_keeps_the_picked_head_in_view(browser, tmp_path):
    """50 tokens and 12 heads fit a 1200-pixel page; a head picked in the overview (below the matrix) brings the
    matrix back into view, and the 'Opened on ...' caption says which head is now shown."""
    from seqlab.viz.attention_page import attention_page_html

    tokens = tuple(["[CLS]"] + [f"w{i}" for i in range(48)] + ["[SEP]"])
    x = np.random.default_rng(1).random((3, 12, len(tokens), len(tokens))).astype(np.float32)
    capture = AttentionCapture("wide", tokens, x / x.sum(-1, keepdims=True), None, False)
    path = tmp_path / "wide.html"
    path.write_text(attention_page_html(capture, 0, 0), encoding="utf-8")
    _, _, blocked = browser
    blocked.clear()
    page, errors = _open(browser, path)
    try:
        page.wait_for_selector("body[data-ready='true']", timeout=20_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200
        assert page.inner_text("#start").startswith("Opened on layer 0, head 0")
        thumb = page.locator('#overview canvas[data-layer="2"][data-head="7"]')
        thumb.scroll_into_view_if_needed()
        thumb.click()
        top = page.evaluate("document.getElementById('head-line').getBoundingClientRect().top")
        assert -1 <= top < 900, top  # scrolled to its top (sub-pixel rounding)
        assert page.inner_text("#start").startswith("Showing layer 2, head 7, your pick. Opened on layer 0, head 0")
        assert page.inner_text("#head-line").startswith("L2 H7")
        _screenshot(page, "explorer-50-tokens")
        _check_clean(page, errors, blocked)
    finally:
        page.close()


@pytest.mark.parametrize("source", ["run", "pretrained"])
def test_explorer_opens_with_the_query_selected(browser, tiny_runs, tmp_path, source, request):
    """`seqlab attention --query TOKEN` writes an explorer that opens with that token kept selected: its chip
    pressed, its row and column highlighted, its row listed, the caption naming it; a click lets it go."""
    from typer.testing import CliRunner

    if source == "pretrained":
        request.getfixturevalue("minilm_dir")
        args, query = ["--pretrained", "the cat sat on the mat", "--query", "cat"], 2
    else:
        args, query = [str(tiny_runs["transformer"]), "the film was not good", "--query", "not"], 3
    result = CliRunner().invoke(app, ["attention", *args, "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    token = payload["tokens"][query]
    assert payload["query"] == {"token": token, "index": query}
    _, _, blocked = browser
    blocked.clear()
    page, errors = _open(browser, Path(payload["files"]["explorer"]))
    try:
        page.wait_for_selector("body[data-ready='true']", timeout=20_000)
        chip = page.locator(f"#tokens .chip[data-index='{query}']")
        assert chip.get_attribute("aria-pressed") == "true" and "selected" in chip.get_attribute("class")
        assert page.locator("#tokens .chip[aria-pressed='true']").count() == 1
        highlight = page.locator("#row-highlight")
        assert highlight.get_attribute("visibility") == "visible"
        cell = float(page.locator("#matrix svg rect.cell").nth(len(payload["tokens"])).get_attribute("y"))
        assert float(highlight.get_attribute("y")) == pytest.approx(query * cell - 0.5)
        assert f"'{token}'" in page.locator("#row-list h3").text_content()
        assert page.locator("#focus-hint").text_content().startswith(f"Kept: '{token}'")
        start = page.inner_text("#start")
        assert start.startswith(f"Opened on layer {payload['files']['layer']}, head {payload['files']['head_index']}")
        assert f"--query, #{query} '{token}', is selected" in start
        _screenshot(page, f"explorer-query-{source}")
        chip.click()  # let it go: nothing selected once the pointer and the focus leave, the caption no longer names it
        page.mouse.move(0, 0)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        assert highlight.get_attribute("visibility") == "hidden" and "--query" not in page.inner_text("#start")
        _check_clean(page, errors, blocked)
    finally:
        page.close()
