"""The models seqlab teaches, written by hand in plain PyTorch: layer norm, attention, positions,
Transformer encoder / classifier / causal LM, LSTM and GRU classifiers, and BERT with weight loading.

Import each name from its module (`seqlab.models.bert.BertModel`, `seqlab.models.factory.build_model`, ...):
the package itself loads nothing, so that `seqlab.models.families` (the table of model families that
`seqlab train --help` reads) is imported without torch.
"""
