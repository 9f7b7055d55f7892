"""One --dpi option (commands._common.DpiOption) on every command that draws: same help, same range check."""

from __future__ import annotations

import pytest

from seqlab.cli import app

DRAWING = [["params"], ["attention"], ["plot", "positions"], ["plot", "masks"], ["compare"]]


@pytest.mark.parametrize("argv", DRAWING)
def test_every_dpi_is_the_shared_option(runner, argv):
    result = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "200", "TERM": "dumb"}, terminal_width=200)
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "--dpi" in line)
    assert "Pixels per inch of PNG figures (200 fits a slide, 100 a screen)." in line


def test_an_absurd_dpi_is_one_line_and_exit_2(runner, tmp_path):
    tmp_path.joinpath("run").mkdir()
    for argv in (["params", "bert-tiny", "--chart", str(tmp_path / "p.png")],
                 ["plot", "positions", "--out", str(tmp_path)], ["compare", str(tmp_path / "run")]):
        result = runner.invoke(app, [*argv, "--dpi", "7"])
        assert result.exit_code == 2 and "--dpi 7 is out of range" in result.output
