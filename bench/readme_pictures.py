"""Retake the README's pictures from the commands the README names, so they show what seqlab draws today:

- docs/attention-grid-transformer.png and docs/curves-transformer.png: `seqlab train --model transformer --threads 1`,
  then `seqlab attention RUN SENTENCE` (its attention-grid.png) and `seqlab plot curves RUN --dpi 100`;
- docs/attention-page.png: MiniLM's attention explorer for the README's sentence pair opened on 'but'
  (`seqlab attention --pretrained ... --query but --head 0,2`), screenshotted in headless Chromium with every
  request that is not file: or data: aborted (the script fails when the page asked for anything else).

    python bench/readme_pictures.py          # needs the [pretrained] and [test] extras and /usr/bin/chromium
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SENTENCE = "the acting was not good but the story was great"
PAIR = "the film was fun"
CHROMIUM = Path("/usr/bin/chromium")


def seqlab(*args: str, env: dict[str, str], cwd: Path) -> dict:
    """Run one seqlab command with --json and return what it printed."""
    done = subprocess.run([sys.executable, "-m", "seqlab", *args, "--json"], env=env, cwd=cwd, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def screenshot(page: Path, target: Path) -> None:
    """The page at 1046 x 700 in offline Chromium, written to `target`."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1046, "height": 700})

        def offline(route) -> None:
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        tab = context.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_timeout(500)
        tab.screenshot(path=str(target))
        browser.close()
    if blocked:
        raise SystemExit(f"the page asked the network for {blocked}")


def main() -> None:
    """Train, draw, screenshot, and copy the three pictures into docs/."""
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        env = {**os.environ, "PYTHONPATH": str(REPO), "SEQLAB_RUNS": str(folder / "runs"), "MPLBACKEND": "Agg"}
        run = seqlab("train", "--model", "transformer", "--threads", "1", "--quiet", env=env, cwd=folder)["run_dir"]
        views = seqlab("attention", run, SENTENCE, "--out", str(folder / "mine"), env=env, cwd=folder)
        shutil.copyfile(views["files"]["grid"], DOCS / "attention-grid-transformer.png")
        curves = seqlab("plot", "curves", run, "--dpi", "100", "--out", str(folder / "curves.png"), env=env,
                        cwd=folder)
        shutil.copyfile(curves["figure"], DOCS / "curves-transformer.png")
        minilm = seqlab("attention", "--pretrained", SENTENCE, "--pair", PAIR, "--query", "but", "--head", "0,2",
                        "--out", str(folder / "minilm"), env=env, cwd=folder)
        screenshot(Path(minilm["files"]["explorer"]), DOCS / "attention-page.png")
    for name in ("attention-grid-transformer.png", "curves-transformer.png", "attention-page.png"):
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
