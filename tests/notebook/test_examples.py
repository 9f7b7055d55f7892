"""The notebooks in examples/ run top to bottom in a real Jupyter kernel, are checked in without outputs, teach
what they say (the student's attention bug is named, the fix passes) and draw their attention explorer offline.

Each notebook is executed once per session with nbclient in this environment's kernel, in a temporary folder
(so its runs do not land in the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .test_browser import browser  # noqa: F401  (the offline Chromium fixture)

nbformat = pytest.importorskip("nbformat", reason="pip install nbformat (in seqlab[test])")
nbclient = pytest.importorskip("nbclient", reason="pip install nbclient (in seqlab[test])")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, object]:
    """name -> the executed notebook (every code cell run in order)."""
    root = Path(__file__).resolve().parents[2]
    folder = tmp_path_factory.mktemp("examples")
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{root}{os.pathsep}{env_path}" if env_path else str(root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    done = {}
    try:
        for path in NOTEBOOKS:
            notebook = nbformat.read(path, as_version=4)
            client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                             resources={"metadata": {"path": str(folder)}})
            client.execute()
            done[path.name] = notebook
    finally:
        os.environ["PYTHONPATH"] = env_path
    return done


def _outputs(notebook, kind: str | None = None) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
            if kind is None or output.output_type == kind]


def _text(output: dict) -> str:
    return output.get("data", {}).get("text/plain", "") or output.get("text", "")


def test_there_are_four_or_more_examples_each_listed_in_the_readme():
    assert len(NOTEBOOKS) >= 4
    listing = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(path.name in listing for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_checked_in_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert _outputs(notebook) == [] and all(cell.get("execution_count") is None
                                            for cell in notebook.cells if cell.cell_type == "code")


def test_every_cell_runs_and_every_code_cell_shows_something(executed):
    assert set(executed) == {path.name for path in NOTEBOOKS}
    for name, notebook in executed.items():
        assert _outputs(notebook, "error") == [], name
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.outputs for cell in code), f"{name}: a code cell showed nothing"


def test_the_own_attention_notebook_names_the_bug_then_passes_the_fix(executed):
    first, fixed = [_text(o) for o in _outputs(executed["04-check-your-own-attention.ipynb"], "execute_result")]
    assert "no 1/sqrt(d_k)" in first and "FAIL" in first
    assert "All 10 checks held on your code" in fixed and "FAIL" not in fixed


def test_the_lstm_notebook_reports_a_trained_run_against_its_baselines(executed):
    text = "\n".join(_text(o) for o in _outputs(executed["01-train-and-inspect-an-lstm.ipynb"], "execute_result"))
    assert "dev accuracy" in text and "majority baseline" in text and "parameters" in text


def test_the_attention_notebook_draws_its_explorer_offline(executed, browser):  # noqa: F811
    context, blocked = browser
    outputs = _outputs(executed["02-bert-attention-and-q-k.ipynb"], "execute_result")
    pages = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}) and "iframe" in
             o["data"]["text/html"]]
    assert len(pages) == 2
    for fragment in pages:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        before = len(blocked)
        page.set_content(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{fragment}</body></html>')
        frame = page.frame_locator("iframe").first
        frame.locator("body[data-ready='true']").wait_for(timeout=20_000)
        labels = frame.locator("#matrix svg text.label").all_text_contents()
        assert {"cat", "sat", "mat"} <= set(labels)
        page.close()
        assert errors == [] and blocked[before:] == []

