"""Check a learner's own implementation of a part seqlab teaches: identities measured on their code, parity with
seqlab's reference, and a named diagnosis when something is off. Entry points: `seqlab.impl.check.check(obj)` and
`seqlab.impl.check.check_file("path.py:NAME")`; `seqlab check --impl` on the command line."""
