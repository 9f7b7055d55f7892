"""Issues 32 and 34: a data file named like HTML, and labels holding control characters, reach every report as
text: escaped in the experiment README (and the results pages made from its results.json), in the attention
explorer and bertviz pages, and in figures (matplotlib gets no raw control character)."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

from seqlab.cli import app
from seqlab.experiments.report import code_block, markdown_safe

from .helpers import TINY

HOSTILE = "<img src=x onerror=alert(1)>"
RAW = ("<img", "<script", "onerror=alert(1)>")


def _hostile_table(folder: Path, labels=("neg", "pos")) -> Path:
    table = folder / f"{HOSTILE}.tsv"
    table.write_text("text\tlabel\n" + "".join(f"{HOSTILE} film {i}\t{labels[i % 2]}\n" for i in range(60)),
                     encoding="utf-8")
    return table


def test_a_hostile_file_name_is_escaped_in_the_experiment_report(runner, tmp_path):
    table = _hostile_table(tmp_path)
    out = tmp_path / "report"
    result = runner.invoke(app, ["experiment", "run", "rnn-optimizers", "--tiny", "--budget", "1", "--data",
                                 str(table), "--threads", "1", "--device", "cpu", "--out", str(out)])
    assert result.exit_code == 0, result.output
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in readme  # the name is there, as text
    outside_code = readme.split("```")[0::2]  # what a renderer reads as Markdown (and so as HTML)
    assert not any(raw in part for part in outside_code for raw in RAW)

    # the results pages are made from the same results.json; bench/ is scripts, not a package (as tests/bench reads it)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import experiments_report

    page = "\n".join(experiments_report.section("hostile", json.loads((out / "results.json").read_text())))
    assert not any(raw in part for part in page.split("```")[0::2] for raw in RAW)


def test_markdown_safe_keeps_seqlab_s_own_markdown_and_a_fence_cannot_be_closed():
    assert markdown_safe(f"`--data {HOSTILE}` and {HOSTILE} & **more**") == (
        f"`--data {HOSTILE}` and &lt;img src=x onerror=alert(1)&gt; &amp; **more**")
    assert markdown_safe("a\x1b[2Jb") == "a\\e[2Jb"
    fence, body, closing = code_block("seqlab run --data 'a```b.tsv'")
    assert fence == closing == "````" and "```" in body


def test_a_hostile_name_and_text_are_escaped_in_the_attention_pages(runner, tmp_path):
    table = _hostile_table(tmp_path)
    trained = runner.invoke(app, ["train", "--data", str(table), "--model", "transformer", "--width", "16",
                                  "--heads", "2", "--layers", "1", "--ffn", "32", "--epochs", "1", "--max-length",
                                  "16", "--threads", "1", "--device", "cpu", "--quiet", "--json"])
    assert trained.exit_code == 0, trained.output
    run = json.loads(trained.output)["run_dir"]
    out = tmp_path / "pages"
    shown = runner.invoke(app, ["attention", run, f"{HOSTILE} <script>alert(2)</script>", "--out", str(out),
                                "--json"])
    assert shown.exit_code == 0, shown.output
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} >= {"attention-explorer.html", "bertviz-head-view.html", "bertviz-model-view.html"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<script>alert(2)" not in text, page.name


def test_control_characters_in_labels_never_reach_matplotlib(runner, tmp_path):
    table = _hostile_table(tmp_path, labels=("\x1b[31mneg", "pos\x07"))
    trained = runner.invoke(app, ["train", "--data", str(table), "--epochs", "1", *TINY, "--json"])
    assert trained.exit_code == 0, trained.output
    run = json.loads(trained.output)["run_dir"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = runner.invoke(app, ["plot", "confusion", run, "--out", str(tmp_path / "figs")])
    assert drawn.exit_code == 0, drawn.output
    assert "\x1b" not in drawn.output and "\x07" not in drawn.output
    assert not [w for w in caught if "Glyph" in str(w.message)], [str(w.message) for w in caught]
