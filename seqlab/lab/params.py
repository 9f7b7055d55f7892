"""Parameter counts: a preset, a spec file or a run's model, part by part against each part's formula."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.counting.heads import HeadsCheck, heads_check
from seqlab.counting.parts import report_for_model
from seqlab.counting.presets import preset_report, run_report, spec_report
from seqlab.counting.report import ParamReport
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.lab.display import Display
from seqlab.viz.figures import DEFAULT_DPI, check_dpi, save_new_figure
from seqlab.viz.param_chart import params_figure


@dataclass(frozen=True)
class ParamsRequest:
    """Exactly one of a preset name, a JSON spec/BERT config file or a run folder; `chart` also draws bars."""

    model: str | None = None
    config: Path | None = None
    run: Path | None = None
    tied: bool = False  # lm-transfer: the LM head reuses the token embedding
    chart: Path | None = None
    dpi: int = DEFAULT_DPI
    module: Any = None  # a model seqlab built (Python only: seqlab.params(model)), counted as it is


@dataclass(frozen=True)
class ParamsReport(Display):
    """The counted report, the heads identity at its width (None without one) and the chart written."""

    report: ParamReport
    heads: HeadsCheck | None
    chart: Path | None

    def to_json(self) -> dict[str, Any]:
        """What `seqlab params --json` prints."""
        payload = self.report.to_dict()
        if self.heads is not None:
            payload["heads"] = self.heads.to_dict()
        if self.chart:
            payload["chart"] = str(self.chart)
        return to_jsonable(payload)


def run(request: ParamsRequest) -> ParamsReport:
    """Count the chosen model's parameters (on the meta device), check the heads identity, draw the chart."""
    chosen = [name for name, value in (("MODEL", request.model), ("--config", request.config),
                                       ("--run", request.run), ("a built model", request.module)) if value is not None]
    if len(chosen) != 1:
        raise SeqlabError(
            "give exactly one of MODEL (a preset), --config FILE.json or --run RUN; "
            "e.g. seqlab params bert-base-uncased"
        )
    if request.model is not None:
        report = preset_report(request.model, tied=request.tied)
    elif request.config is not None:
        report = spec_report(read_json(request.config), request.config.name)
    elif request.run is not None:
        report = run_report(request.run)
    else:
        report = report_for_model(request.module, type(request.module).__name__)
    width = report.symbols.get("d")
    heads = heads_check(width) if width else None
    chart = draw_chart(report, request.chart, request.dpi) if request.chart else None
    return ParamsReport(report, heads, chart)


def read_json(path: Path) -> dict:
    """The JSON object in `path`; SeqlabError when missing or not JSON."""
    if not path.is_file():
        raise SeqlabError(f"config file {path} does not exist; pass a JSON model spec or a BERT config.json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeqlabError(f"{path} is not valid JSON ({exc}); fix the file") from None


def draw_chart(report: ParamReport, path: Path, dpi: int) -> Path:
    """Draw the report's bar chart at `dpi` as the new file `path` (.png/.svg/.pdf), or into the folder `path`
    as params.png (the --out rule of `seqlab.outputs`)."""
    return save_new_figure(params_figure(report), path, "params", dpi=check_dpi(dpi), option="--chart")
