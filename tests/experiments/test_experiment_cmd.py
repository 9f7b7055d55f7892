"""`seqlab experiment`: list, run with --json, and one-line errors with exit 2 for bad input."""

from __future__ import annotations

import json

import pytest

from seqlab.cli import app


def test_list_json_names_every_recipe(runner):
    result = runner.invoke(app, ["experiment", "list", "--json"])
    assert result.exit_code == 0
    names = [r["name"] for r in json.loads(result.output)]
    from seqlab.experiments.recipes import all_recipes

    assert "rnn-compound-scaling" in names and "bias-probe" in names and "pretraining-objectives" in names
    assert len(names) == len(all_recipes())


def test_run_json_then_resume(runner, tmp_path):
    args = ["experiment", "run", "tokenizers", "--tiny", "--max-train", "100", "--out", str(tmp_path / "t"), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["trained"] == 2
    second = json.loads(runner.invoke(app, args).output)
    assert (second["trained"], second["skipped"]) == (0, 2)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["experiment", "run", "rnn-nope"], "known: rnn-optimizers"),
        (["experiment", "run", "rnn-width", "--budget", "8"], "use --max-configs 8"),
        (["experiment", "run", "rnn-width", "--budget", "huge"], "--budget must be one of tiny, quick, full"),
        (["experiment", "run", "rnn-width", "--max-configs", "0"], "--max-configs must be at least 1"),
        (["experiment", "run", "rnn-width", "--data-dir", "/no/such/folder"], "does not exist"),
        (["experiment", "run", "rnn-width", "--seeds", "0"], "--seeds"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner, args, expected):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0]


def test_out_folder_of_another_recipe_is_refused(runner, tmp_path):
    out = str(tmp_path / "shared")
    assert runner.invoke(app, ["experiment", "run", "tokenizers", "--tiny", "--max-train", "50", "--out", out]).exit_code == 0
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--out", out])
    assert result.exit_code == 2 and "holds a tokenizers experiment" in result.output


def test_ctrl_c_in_a_trial_names_the_resume_command(runner, tmp_path, monkeypatch):
    import seqlab.experiments.runner as runner_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner_module, "run_trial", interrupted)
    out = str(tmp_path / "cut")
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--out", out])
    assert result.exit_code == 130
    assert "resume with: seqlab experiment run rnn-width --budget tiny --out" in " ".join(result.output.split())


def test_report_path_and_command_stay_whole_at_80_columns(runner, tmp_path, monkeypatch):
    """The last lines a person copies: the README's path and the reproduce command, each unbroken on its own line
    although both are longer than the terminal is wide."""
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / ("a-long-report-folder-name-" * 3)
    result = runner.invoke(app, ["experiment", "run", "tokenizers", "--tiny", "--max-train", "100",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    command = f"seqlab experiment run tokenizers --budget tiny --max-train 100 --out {out}"
    assert len(command) > 80
    assert f"  {out / 'README.md'}" in lines
    assert f"  {command}" in lines, result.output[-600:]


def test_reuse_copies_the_same_config_from_another_report(runner, tmp_path):
    """LSTM 64/64 with Adam is one trial in rnn-optimizers and rnn-depth: trained once, copied the second time
    under the second recipe's name and tags, with its own run folder, and found done on a rerun."""
    first, second = tmp_path / "optimizers", tmp_path / "depth"
    made = runner.invoke(app, ["experiment", "run", "rnn-optimizers", "--tiny", "--seeds", "1", "--threads", "1",
                               "--out", str(first), "--json"])
    assert made.exit_code == 0, made.output
    args = ["experiment", "run", "rnn-depth", "--tiny", "--seeds", "1", "--threads", "1", "--max-configs", "2",
            "--out", str(second), "--reuse", str(first)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "layers1-dropout0.0: dev accuracy" in result.output and "copied from" in result.output
    trials = json.loads((second / "results.json").read_text())["trials"]
    copied = next(t for t in trials if t["name"] == "layers1-dropout0.0")
    source = next(t for t in json.loads((first / "results.json").read_text())["trials"] if t["name"] == "lstm-adam")
    assert copied["key"] == source["key"] and copied["result"] == source["result"]
    assert copied["tags"] == {"layers": 1, "dropout": 0.0, "seed": 0}
    assert (second / copied["run_dir"] / "config.json").is_file() and "layers1" in copied["run_dir"]
    assert sum("reused_from" in t for t in trials) == 1  # layers2 was trained
    again = runner.invoke(app, [*args, "--json"])
    assert (json.loads(again.output)["trained"], json.loads(again.output)["skipped"]) == (0, 2)


def test_reuse_of_a_folder_that_is_not_a_report_is_one_line_exit_2(runner, tmp_path):
    result = runner.invoke(app, ["experiment", "run", "rnn-width", "--tiny", "--reuse", str(tmp_path)])
    assert result.exit_code == 2
    assert "--reuse" in result.output and "no trials/" in result.output and "Traceback" not in result.output


def _rendered_at_80(table) -> str:
    import io

    from rich.console import Console

    from seqlab.experiments.render import rich_table

    buffer = io.StringIO()
    Console(width=80, file=buffer, force_terminal=False).print(rich_table(table, 80))
    return buffer.getvalue()


def _kept_reports():
    from pathlib import Path

    return sorted((Path(__file__).parents[2] / "bench" / "results" / "experiments").glob("*.json"))


def _current_tables(path, out):
    """The tables today's recipe code makes from a kept report's trial records (older reports kept older
    layouts in their results.json; the terminal shows what the code makes now)."""
    from seqlab.experiments.config import ExperimentConfig
    from seqlab.experiments.recipes import get_recipe

    report = json.loads(path.read_text())
    config = ExperimentConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in report["config"].items()})
    return get_recipe(report["recipe"]).summarize(config, report["trials"], out).tables


def _compound_shaped():
    """The widest shape a recipe makes: three tag columns (compound scaling) and million-parameter models."""
    from seqlab.experiments.recipe import ResultTable

    row = ("4", "320", "256", "29,876,354", "88.9 ± 2.0", "89.0 ± 0.6", "0.889", "above chance", "1339")
    return ResultTable("every trial (3 seeds each)", ("layers", "hidden", "embedding", "params", "dev acc %",
                                                       "test acc %", "dev F1", "vs majority", "s/trial"), (row,))


@pytest.mark.parametrize("name", [path.stem for path in _kept_reports()] + ["compound-shaped"])
def test_every_report_table_fits_80_columns_without_cropping(name, tmp_path):
    """Numbers are never wrapped and words never cut: at 80 columns every word of every cell is on screen, but
    for the columns left out for width (named in the caption)."""
    paths = {path.stem: path for path in _kept_reports()}
    for table in _current_tables(paths[name], tmp_path) if name in paths else [_compound_shaped()]:
        _check_fits(name, table)


def _check_fits(name, table):
    from seqlab.experiments.render import SPARE_COLUMNS

    text = _rendered_at_80(table)
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines())
    caption = next((line for line in text.splitlines() if line.startswith("not shown at this width: ")), "")
    left_out = [i for i, c in enumerate(table.columns) if c in SPARE_COLUMNS and f" {c}" in caption]
    words = {word for row in table.rows for i, cell in enumerate(row) if i not in left_out
             for word in str(cell).split()}
    shown = set(text.split())
    missing = {w for w in words if w not in shown and not (w.replace(",", "").isdigit() and len(w) >= 9)}  # 7.55M
    assert not missing, (name, missing, text)


def test_rnn_depth_prints_each_comparison_once_as_one_planned_family(runner, tmp_path):
    """The rnn-depth report once printed 'layers 1, dropout 0.3 vs layers 1, dropout 0.0' twice (best-vs-rest and
    the dropout comparisons): now the best line, then one Holm family of planned comparisons, each pair once."""
    out = tmp_path / "depth"
    args = ["experiment", "run", "rnn-depth", "--tiny", "--seeds", "2", "--threads", "1", "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    notes = json.loads((out / "results.json").read_text())["notes"]
    pairs = [note.split(":")[0] for note in notes if " vs " in note or " beats " in note]
    assert len(pairs) == 4 and len(set(pairs)) == 4, pairs  # 2 dropout-at-depth + 2 depth-at-dropout (tiny: 1, 2)
    assert all("Holm over 4" in note for note in notes if " vs " in note or " beats " in note)
    assert sum(note.startswith("best mean dev accuracy") for note in notes) == 1
