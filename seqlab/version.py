"""seqlab's version (`seqlab --version`, run records, experiment reports) and where the package lives."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("seqlab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"

PACKAGE_DIR = Path(__file__).resolve().parent  # the seqlab/ folder (its git commit is the code's version)
