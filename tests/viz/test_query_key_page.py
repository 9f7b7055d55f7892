"""The explorer's q·k panel: written by `seqlab attention ... --query TOKEN --head L,H`, drawn in headless Chromium
(/usr/bin/chromium driven by Playwright) with every request that is not file: or data: aborted, and hovered:
hovering a key shows its q·k term, its scaled score, the mask and its weight next to the model's own.

Set SEQLAB_SCREENSHOTS=folder to keep a screenshot of the panel after the hover.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.viz.attention_page import attention_page_html, page_data
from seqlab.viz.attention_steps import query_key_steps
from seqlab.models.transformer import CausalLM, TransformerConfig
from seqlab.data.vocab import Vocab

CHROMIUM = Path("/usr/bin/chromium")
SENTENCE = "the movie was not good but the acting was fun"


def test_page_data_carries_the_steps_only_when_asked():
    vocab = Vocab.build([SENTENCE, "</script><b>x</b>"], min_freq=1)
    model = CausalLM(TransformerConfig(vocab_size=vocab.vocab_size, d_model=16, n_heads=2, n_layers=1, d_ff=16))
    steps = query_key_steps(model, vocab, SENTENCE + " </script><b>x</b>", 0, 1, "good")
    assert page_data(steps.capture)["steps"] is None
    data = page_data(steps.capture, 0, 1, steps)
    assert data["steps"]["query_index"] == steps.query_index and data["steps"]["matches_model"]
    assert len(data["steps"]["key_terms"]) == len(steps.tokens)
    page = attention_page_html(steps.capture, 0, 1, steps=steps)
    assert "</script><b>" not in page  # tokens travel as script-safe JSON only


@pytest.fixture(scope="module")
def chromium_context():
    """(context, blocked): one headless Chromium context with the network cut off."""
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in seqlab[test])")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        blocked: list[str] = []

        def offline(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        yield context, blocked
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("source", ["minilm", "lm"])
def test_hovering_a_key_shows_its_qk_term(runner, tmp_path, chromium_context, tiny_runs, source, request):
    if source == "minilm":
        request.getfixturevalue("minilm_dir")
        args, head = ["--pretrained", SENTENCE], "2,3"
    else:
        args, head = [str(tiny_runs["lm"]), SENTENCE], "0,1"
    result = runner.invoke(app, ["attention", *args, "--query", "good", "--head", head, "--out", str(tmp_path),
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    qk = payload["query_key"]
    context, blocked = chromium_context
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(payload["files"]["explorer"]).as_uri())
    page.wait_for_selector("#qk-keys li", timeout=20_000)
    assert page.locator("#qk").is_visible()
    assert "numbered from 0" in page.locator("#qk-meta").inner_text()
    keys = page.locator("#qk-keys li")
    assert keys.count() == len(qk["tokens"])
    target = len(qk["tokens"]) - 1 if source == "minilm" else 1  # a key the query sees
    keys.nth(target).hover()
    term = page.locator("#qk-term").inner_text()
    assert f"k('{qk['tokens'][target]}')" in term
    assert f"{abs(qk['dots'][target]):.3f}" in term and f"{abs(qk['scaled'][target]):.3f}" in term
    assert f"weight {qk['weights'][target]:.3f} (the model's own: {qk['model_weights'][target]:.3f})" in term
    assert keys.nth(target).get_attribute("class").endswith("on") or "on" in keys.nth(target).get_attribute("class")
    if source == "lm":  # a key after the query is masked
        keys.nth(len(qk["tokens"]) - 1).hover()
        assert "mask: −∞" in page.locator("#qk-term").inner_text()
        keys.nth(target).hover()
    assert "equal its own attention weights" in page.locator("#qk-check").inner_text()
    folder = os.environ.get("SEQLAB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator("#qk").screenshot(path=str(Path(folder) / f"qk-panel-{source}.png"))
        page.screenshot(path=str(Path(folder) / f"qk-explorer-{source}.png"), full_page=True)
    assert errors == [] and blocked == []
    page.close()
