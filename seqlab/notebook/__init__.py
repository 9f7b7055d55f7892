"""seqlab in a notebook: reports shown as HTML (seqlab.notebook.html) and as rich output (seqlab.notebook.render),
registered per report type (seqlab.notebook.reports), a progress bar for training, and the quiz asked in a cell.

This package imports none of its modules, so `seqlab.notebook.progress` costs no torch.
"""
