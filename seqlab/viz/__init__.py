"""Pictures and counts that explain models: attention heatmaps and bertviz pages, parameter counts against
their sympy formulas, training curves, confusion matrices, positions, masks and dataset lengths.

Figure functions take arrays and return matplotlib figures; `seqlab.viz.figures.save_figure` writes them.
"""
