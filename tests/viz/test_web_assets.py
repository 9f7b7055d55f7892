"""The scripts shipped for offline pages: the manifest matches the files, licences are there, inlining is safe."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from seqlab.viz import web_assets
from seqlab.viz.web_assets import bundled_scripts, fallback_block, inline_script, script_source

ASSETS = resources.files("seqlab.viz").joinpath("assets")


def test_manifest_lists_each_script_with_its_hash_version_and_licence():
    scripts = bundled_scripts()
    assert {name: s.version for name, s in scripts.items()} == {"d3": "5.16.0", "jquery": "3.7.1", "requirejs": "2.3.8"}
    for script in scripts.values():
        data = ASSETS.joinpath(script.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == script.sha256
        licence = ASSETS.joinpath(script.license_file).read_text(encoding="utf-8")
        assert "Permission" in licence or "Redistribution" in licence
    rows = json.loads(ASSETS.joinpath("MANIFEST.json").read_text(encoding="utf-8"))["scripts"]
    assert all(row["npm_integrity"].startswith("sha512-") and row["npm_tarball"].endswith(".tgz") for row in rows)


def test_shipped_scripts_are_what_they_claim():
    assert "d3js.org v5.16.0" in script_source("d3")[:200]
    assert "jQuery v3.7.1" in script_source("jquery")[:200]
    assert "RequireJS 2.3.8" in script_source("requirejs")[:300]


@pytest.mark.parametrize("name", ["d3", "jquery", "requirejs"])
def test_every_bundled_script_can_be_inlined(name):
    assert inline_script(script_source(name)).startswith("<script>")


def test_a_damaged_script_is_refused(monkeypatch):
    real = bundled_scripts()
    damaged = {**real, "d3": real["d3"].__class__(**{**real["d3"].__dict__, "sha256": "0" * 64})}
    monkeypatch.setattr(web_assets, "bundled_scripts", lambda: damaged)
    script_source.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="d3.min.js is damaged"):
            script_source("d3")
    finally:
        script_source.cache_clear()


@pytest.mark.parametrize("bad", ["x = '</script>'", "x = '</SCRIPT >'", "x = '<!-- y'"])
def test_inline_script_refuses_text_that_would_end_the_element(bad):
    with pytest.raises(ValueError, match="inline <script>"):
        inline_script(bad)


def test_fallback_block_is_visible_until_the_view_draws():
    block = fallback_block("svg", "<b>view</b>")
    assert block.startswith('<div id="seqlab-fallback"') and "&lt;b&gt;view&lt;/b&gt;" in block
    assert 'var drawnSelector = "svg";' in block
