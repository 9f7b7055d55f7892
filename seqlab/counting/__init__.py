"""Parameter maths in one place: closed-form formulas and counts checked against live models.

- `seqlab.counting.formulas`: sympy formulas built from Linear, Embedding and LayerNorm (``4*d^2 + 4*d``).
- `seqlab.counting.report`: `ParamReport`, one row per part of a model, counted next to its formula.
- `seqlab.counting.parts`: which parts each model family has; `report_for_model(model, name)`.
- `seqlab.counting.presets`: `preset_report(name)`, `spec_report(spec, name)`, `run_report(run_dir)`.
- `seqlab.counting.heads`: `heads_check(width)`, the head count does not change the parameter count.
- `seqlab.counting.render`: the report as a rich table (the one renderer `seqlab params` and the tour use).

Nothing here draws a picture; `seqlab.viz.param_chart` draws a report as a bar chart.
"""
