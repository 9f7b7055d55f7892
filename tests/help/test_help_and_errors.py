"""Help a learner can read at 80 columns, usage errors in seqlab's one-line style, a closed pipe exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.models.families import option_defaults

ROOT = Path(__file__).resolve().parents[2]


def _help(runner, *argv: str) -> str:
    result = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "80", "TERM": "dumb"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("argv", [["train"], ["tour"], ["quiz"], ["predict"], ["compare"], ["runs"], ["data", "list"]])
def test_no_type_placeholders_and_no_metavar_on_flags(runner, argv):
    text = _help(runner, *argv)
    assert "<bool>" not in text and "<int>" not in text and "<str>" not in text and "<path>" not in text
    assert "{" not in text.split("\n\n")[0]  # usage line: RUN, not {run}
    for line in text.splitlines():
        if "--json" in line:
            assert "--json " in line and "BOOL" not in line.upper().split("--JSON")[1][:12]


def test_usage_lines_name_arguments_in_capitals(runner):
    assert "seqlab predict [OPTIONS] RUN [TEXT]" in _help(runner, "predict")
    assert "seqlab compare [OPTIONS] RUN..." in _help(runner, "compare")


def test_train_help_is_grouped_and_shows_family_defaults(runner):
    text = _help(runner, "train")
    for panel in ("Data", "Model (defaults per family)", "Optimisation", "Run", "Output"):
        assert f"─ {panel} " in text, panel
    assert "lstm/gru 1, transformer/lm 2" in " ".join(text.split())
    assert "label mix" in text  # --max-train-examples says it takes a stratified random subset
    assert max(len(line) for line in text.splitlines()) <= 80


def test_help_defaults_match_the_model_factory():
    from seqlab.models.factory import default_spec

    lstm, transformer, bert = default_spec("lstm"), default_spec("transformer"), default_spec("bert")
    assert option_defaults("layers") == (f"lstm/gru {lstm['num_layers']}, transformer/lm {transformer['n_layers']}, "
                                         f"bert {bert['num_hidden_layers']}")
    assert option_defaults("heads") == f"transformer/lm {transformer['n_heads']}, bert {bert['num_attention_heads']}"
    assert option_defaults("ffn") == f"transformer/lm {transformer['d_ff']}, bert {bert['intermediate_size']}"
    assert option_defaults("hidden") == str(lstm["hidden_size"])
    assert option_defaults("width") == str(transformer["d_model"])


def test_train_help_states_the_library_defaults(runner):
    from seqlab.training.config import TrainConfig, default_lr

    text = " ".join(_help(runner, "train").replace("│", " ").split())  # the text of the panels' cells
    assert f"Passes over the training set [default: {TrainConfig().epochs}]" in text
    assert "[default: 3e-3 lstm/gru/transformer/lm, 5e-4 bert, 5e-5 bert-pretrained; 3e-3 for --task mlm (1e-4 bert-pretrained)]" in text
    assert (default_lr("lstm"), default_lr("bert"), default_lr("bert-pretrained"), default_lr("bert", "mlm")) == (
        3e-3, 5e-4, 5e-5, 3e-3)
    assert "Model family: lstm, gru, transformer, lm (causal LM; pretrains with --task auto), bert (from scratch), " \
           "bert-pretrained (MiniLM)." in text


@pytest.mark.parametrize(
    "argv, says",
    [
        (["train", "--bogus"], "no such option: --bogus"),
        (["train", "--bidirectional", "true"], "flags take no value"),
        (["train", "--epochs", "five"], "--epochs"),
        (["predict"], "missing argument 'RUN'"),
    ],
)
def test_usage_errors_are_one_line(runner, argv, says):
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.output


def test_did_you_mean_for_an_option_value(runner):
    result = runner.invoke(app, ["train", "--model", "transfomer"])
    assert result.exit_code == 2
    assert "did you mean transformer?" in result.output


def test_closed_pipe_exits_zero_quietly():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    pipeline = f"{sys.executable} -m seqlab explain | true; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.strip() == "0", done.stderr
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr


def test_missing_dataset_advice_works(runner, tmp_path):
    no_download = runner.invoke(app, ["data", "show", "sst", "--data-dir", str(tmp_path)])
    assert no_download.exit_code == 2 and "seqlab data download" not in no_download.output
    assert "--data-dir" in no_download.output
    downloadable = runner.invoke(app, ["data", "show", "imdb", "--data-dir", str(tmp_path)])
    assert downloadable.exit_code == 2 and "seqlab data download imdb" in downloadable.output


def test_a_typer_without_the_internals_we_restyle_still_runs_seqlab() -> None:
    """The help style patches Typer internals; a Typer version without them must keep seqlab working."""
    import subprocess
    import sys

    code = (
        "import typer.core, typer.rich_utils\n"
        "for cls in (typer.core.TyperOption, typer.core.TyperArgument):\n"
        "    for name in ('display_type_rich', '_usage_display_name', '_rich_display_name'):\n"
        "        if name in vars(cls):\n"
        "            delattr(cls, name)\n"
        "from seqlab.cli import main\n"
        "main()\n"
    )
    for args in (["--help"], ["train", "--help"], ["data", "list"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
