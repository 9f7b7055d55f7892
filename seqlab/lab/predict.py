"""Predictions of a trained run: one text (or pair), every row of a file, or a masked LM's blanks filled."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqlab.data.sources import ColumnChoice
from seqlab.device import cpu_threads
from seqlab.errors import SeqlabError
from seqlab.io import to_jsonable
from seqlab.lab.display import Display
from seqlab.training.fill_mask import FillMaskResult, fill_mask
from seqlab.training import inference  # called as inference.predict: a test spies on it there
from seqlab.training.inference import FilePredictions, Prediction, predict_file, save_file_predictions
from seqlab.training.loading import load_run


@dataclass(frozen=True)
class PredictRequest:
    """A run folder and what to predict: a `text` (with `pair` for sentence-pair runs; [MASK]s for masked-LM
    runs, `top_k` candidates each) or every row of a `data` file, whose predictions go to `out`."""

    run: Path
    text: str | None = None
    pair: str | None = None
    top_k: int = 5
    device: str = "cpu"
    data: Path | None = None
    out: Path | None = None
    columns: ColumnChoice = field(default_factory=ColumnChoice)
    threads: int | None = None  # CPU threads for torch (None: torch's own choice)


@dataclass(frozen=True)
class PredictReport(Display):
    """Exactly one of: a text's prediction, a masked text's fillers, or a file's predictions (and where saved)."""

    prediction: Prediction | None = None
    filled: FillMaskResult | None = None
    file: FilePredictions | None = None
    predictions_file: Path | None = None

    def to_json(self) -> Any:
        """What `seqlab predict --json` prints."""
        if self.file is not None:
            return to_jsonable({"file": self.file.file.to_dict(), "predictions_file": str(self.predictions_file),
                                "predictions": [{"text": t, "label": l, "probability": p}
                                                for t, l, p in self.file.rows]})
        return to_jsonable(self.filled if self.filled is not None else self.prediction)


def run(request: PredictRequest) -> PredictReport:
    """Predict as the request says: a file's rows (saved as a new TSV), a masked text, or a text's class."""
    with cpu_threads(request.threads):
        return _run(request)


def _run(request: PredictRequest) -> PredictReport:
    if request.data is not None:
        if request.text is not None or request.pair is not None:
            raise SeqlabError("choose one: a TEXT to classify or --data FILE")
        predictions = predict_file(request.run, request.data, device=request.device, choice=request.columns)
        saved = save_file_predictions(request.run, predictions, request.out)
        return PredictReport(file=predictions, predictions_file=saved)
    if request.text is None:
        raise SeqlabError("nothing to classify: pass a TEXT in quotes or --data FILE")
    if request.out is not None or request.columns.given:
        raise SeqlabError("--out and the column options go with --data FILE; add --data FILE or drop them")
    loaded = load_run(request.run, device=request.device)
    if loaded.task == "mlm":
        if request.pair is not None:
            raise SeqlabError("--pair is for sentence-pair classifiers; a masked LM fills [MASK]s in one text")
        return PredictReport(filled=fill_mask(loaded, request.text, request.top_k))
    return PredictReport(prediction=inference.predict(loaded, request.text, request.pair))
