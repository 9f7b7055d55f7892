"""Registers how each report of the Python API shows itself (seqlab.lab.display): the HTML and the rich view."""

from __future__ import annotations

from seqlab.lab.attention import AttentionReport
from seqlab.lab.check import CheckOutcome, OwnCodeOutcome
from seqlab.lab.display import register
from seqlab.lab.evaluate import EvaluateReport
from seqlab.lab.experiment import ExperimentReport, RecipesReport
from seqlab.lab.explain import ExplainReport
from seqlab.lab.params import ParamsReport
from seqlab.lab.predict import PredictReport
from seqlab.lab.prove import ProveReport
from seqlab.lab.quiz import QuizReport
from seqlab.lab.train import TrainReport
from seqlab.notebook import html, render

# report type -> (HTML renderer, rich renderer)
RENDERERS = {
    AttentionReport: (html.attention_html, render.attention_view),
    TrainReport: (html.train_html, render.train_view),
    EvaluateReport: (html.view_html(render.evaluate_view), render.evaluate_view),
    PredictReport: (html.view_html(render.predict_view), render.predict_view),
    ParamsReport: (html.params_html, render.params_view),
    ProveReport: (html.prove_html, render.prove_view),
    CheckOutcome: (html.view_html(render.check_view), render.check_view),
    OwnCodeOutcome: (html.view_html(render.own_code_view), render.own_code_view),
    ExplainReport: (html.view_html(render.explain_view), render.explain_view),
    QuizReport: (html.view_html(render.quiz_view), render.quiz_view),
    ExperimentReport: (html.experiment_html, render.experiment_view),
    RecipesReport: (html.view_html(render.recipes_view), render.recipes_view),
}

for _report_type, (_html, _rich) in RENDERERS.items():
    register(_report_type, _html, _rich)
