"""Data: readers for the published formats, the built-in corpus, word and WordPiece encoders, batching.

The contracts (names and shapes) are fixed in docs/ARCHITECTURE.md, section "Data".
"""

from seqlab.data.examples import Example, Splits

__all__ = ["Example", "Splits"]
