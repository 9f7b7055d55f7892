"""The live worked examples of the explain topics, one module per theme of seqlab/explain/topics/ (torch)."""
