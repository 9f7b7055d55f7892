"""seqlab: a command-line lab for learning how sequence models work by running them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seqlab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"
