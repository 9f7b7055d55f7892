"""Each report of the Python API as its command prints it: the packages' own renderers, put in one renderable.

A renderer that prints through a console (`print_report`, `print_topic`, `print_summary`, the quiz's
`summary`) is run against `Collector`, which keeps what it printed, so `__rich__` shows exactly what the
command shows and the HTML converter (seqlab.notebook.html) can turn each piece into a table or text.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.console import Group, RenderableType
from rich.text import Text

from seqlab.console import safe_text
from seqlab.counting.render import print_report
from seqlab.experiments.render import print_summary, recipes_table
from seqlab.explain.quiz import QuizConfig
from seqlab.explain.render import print_topic, question_panel, topics_table
from seqlab.explain.session import summary as quiz_summary
from seqlab.impl.render import impl_view
from seqlab.lab.attention import AttentionReport
from seqlab.lab.check import CheckOutcome, OwnCodeOutcome
from seqlab.lab.evaluate import EvaluateReport
from seqlab.lab.experiment import ExperimentReport, RecipesReport
from seqlab.lab.explain import ExplainReport
from seqlab.lab.params import ParamsReport
from seqlab.lab.predict import PredictReport
from seqlab.lab.prove import ProveReport
from seqlab.lab.quiz import QuizReport
from seqlab.lab.train import TrainReport
from seqlab.proofs.render import check_details, check_headline, check_table, proof_panel, verified_line
from seqlab.training.render import file_predictions_table, fill_mask_view, metrics_view, prediction_view
from seqlab.training.render import hint_line, result_table, verdict_line
from seqlab.viz.attention_terminal import overview, query_view
from seqlab.viz.render import attention_header, query_key_view, written_files

WIDTH = 100  # columns the collected output is laid out for (a notebook cell is about this wide)
SHOWN_ROWS = 10  # rows of a predicted file shown (all of them are in the TSV), as `seqlab predict`


class Collector:
    """Stands in for a rich Console: keeps each printed renderable (markup strings read as rich would)."""

    def __init__(self, width: int = WIDTH) -> None:
        self.width = width
        self.parts: list[RenderableType] = []

    def print(self, *objects: Any, markup: bool | None = None, **_: Any) -> None:
        """Keep `objects` (none: a blank line), strings as Text the way rich would read them."""
        if not objects:
            self.parts.append(Text(""))
        for item in objects:
            if isinstance(item, str):
                self.parts.append(Text(item) if markup is False else Text.from_markup(item))
            else:
                self.parts.append(item)


def collected(printer: Callable[[Any], None], width: int = WIDTH) -> list[RenderableType]:
    """What `printer(console)` prints on a console `width` columns wide, as renderables."""
    collector = Collector(width)
    printer(collector)
    return collector.parts


def attention_view(report: AttentionReport, width: int = WIDTH) -> RenderableType:
    """`seqlab attention`: the header, the tokens, the head overview (or the query's view) and the files."""
    capture = report.capture
    parts: list[RenderableType] = [attention_header(capture), Text("tokens: " + " ".join(capture.tokens))]
    if capture.note:
        parts.append(Text("note: ", style="yellow") + Text(capture.note))
    if report.steps is not None:
        parts.append(query_key_view(report.steps))
    elif report.query_index is not None:
        parts.append(query_view(capture.probabilities, capture.tokens, report.query_index, capture.causal, width))
    else:
        parts.append(overview(capture.probabilities, capture.tokens, report.ranked, report.notable, capture.causal,
                              width))
    parts.append(written_files(report.files))
    return Group(*parts)


def train_view(report: TrainReport, width: int = WIDTH) -> RenderableType:
    """`seqlab train`: the result table, the verdict and any hint."""
    parts: list[RenderableType] = [result_table(report.result)]
    if report.verdict is not None:
        parts.append(verdict_line(report.verdict))
    if report.result.hint:
        parts.append(hint_line(report.result.hint))
    return Group(*parts)


def evaluate_view(report: EvaluateReport, width: int = WIDTH) -> RenderableType:
    """`seqlab evaluate`: the metrics against the baselines (and where a file's predictions went)."""
    parts: list[RenderableType] = [metrics_view(report.metrics)]
    if report.predictions_file is not None:
        parts.append(Text("predictions: ") + Text(safe_text(str(report.predictions_file), 4096), style="bold"))
    return Group(*parts)


def predict_view(report: PredictReport, width: int = WIDTH) -> RenderableType:
    """`seqlab predict`: a text's class probabilities, a masked text's fillers, or a file's first rows."""
    if report.file is not None:
        name = report.file.file.path.replace("\\", "/").rsplit("/", 1)[-1]
        more = f" (the first {SHOWN_ROWS} are shown)" if len(report.file.rows) > SHOWN_ROWS else ""
        return Group(file_predictions_table(report.file, name, SHOWN_ROWS, width),
                     Text("predictions: ") + Text(safe_text(str(report.predictions_file), 4096), style="bold")
                     + Text(more))
    if report.filled is not None:
        return fill_mask_view(report.filled)
    return prediction_view(report.prediction)


def params_view(report: ParamsReport, width: int = WIDTH) -> RenderableType:
    """`seqlab params`: the table part by part, the symbols, the notes and the heads identity."""
    parts = collected(lambda console: print_report(report.report, console, report.heads), width)
    if report.chart:
        parts.append(Text("chart: ") + Text(safe_text(str(report.chart), 4096), style="bold"))
    return Group(*parts)


def prove_view(report: ProveReport, width: int = WIDTH) -> RenderableType:
    """`seqlab prove`: one panel per identity, then how many sympy verified."""
    return Group(*(proof_panel(item) for item in report.items), verified_line(report.items))


def check_view(report: CheckOutcome, width: int = WIDTH) -> RenderableType:
    """`seqlab check`: the table of identities measured on the model, the details and the headline."""
    return Group(check_table(report.report), check_details(report.report),
                 Text.from_markup(check_headline(report.report)))


def own_code_view(report: OwnCodeOutcome, width: int = WIDTH) -> RenderableType:
    """`seqlab check --impl`: every check on the learner's code, the mistakes it matches and the verdict."""
    if report.report is None:
        return Text(f"Wrote {safe_text(str(report.written))}; fill in {report.name}, then check it again.")
    return Group(*(part for one in report.reports for part in impl_view(one)))


def explain_view(report: ExplainReport, width: int = WIDTH) -> RenderableType:
    """`seqlab explain`: every topic, or one topic with its idea, formula and live example."""
    topic, demo = report.topic, report.demo
    if topic is None or demo is None:
        return topics_table(report.topics)
    return Group(*collected(lambda console: print_topic(topic, demo, console), width))


def quiz_view(report: QuizReport, width: int = WIDTH) -> RenderableType:
    """`seqlab quiz`: the questions (a listing), or the score with what to review and how to replay it."""
    if report.result is None:
        return Group(*(question_panel(q, n, len(report.questions)) for n, q in enumerate(report.questions, 1)))
    result = report.result
    config = QuizConfig(topic=report.request.topic, n=report.request.n, seed=report.seed)
    return Group(*collected(lambda console: quiz_summary(result, console, config), width))


def experiment_view(report: ExperimentReport, width: int = WIDTH) -> RenderableType:
    """`seqlab experiment run`: the summary tables and notes, the report's path and the command."""
    return Group(*collected(lambda console: print_summary(console, report.result), width))


def recipes_view(report: RecipesReport, width: int = WIDTH) -> RenderableType:
    """`seqlab experiment list`: every recipe."""
    return recipes_table(report.recipes)
