"""seqlab: a command-line lab for learning how sequence models work by running them.

The same lab from Python (and in a notebook, where each report shows itself): `seqlab.train`,
`seqlab.evaluate`, `seqlab.predict`, `seqlab.attention`, `seqlab.params`, `seqlab.prove`, `seqlab.check`,
`seqlab.explain`, `seqlab.quiz`, `seqlab.experiment` (seqlab.api). `import seqlab` itself loads no torch: the
API module is imported the first time one of these names is used.

    >>> import seqlab
    >>> seqlab.attention("pretrained", "The cat sat.")
"""

from seqlab.version import __version__

API = ("train", "evaluate", "predict", "attention", "params", "prove", "check", "explain", "quiz", "experiment")


def __getattr__(name: str):
    """`seqlab.train` and the other API functions, from seqlab.api on first use (PEP 562)."""
    if name in API:
        import seqlab.api as api  # deferred: torch loads when the API is first used, not on `import seqlab`

        # `explain` is also the package seqlab.explain, which importing the API binds here: seqlab.api makes
        # that package callable as the API's explain, so both `seqlab.explain(topic)` and its modules work
        return globals()[name] if name in globals() else getattr(api, name)
    raise AttributeError(f"module 'seqlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names and the API's."""
    return sorted({*globals(), *API})
