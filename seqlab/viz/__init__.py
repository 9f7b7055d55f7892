"""Pictures that explain models: attention heatmaps and bertviz pages, where a model's parameters live
(the counting itself is seqlab.counting), training curves, confusion matrices, positions, masks and dataset lengths.

Figure functions take arrays and return matplotlib figures; `seqlab.viz.figures.save_figure` writes them.
"""
