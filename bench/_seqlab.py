"""`seqlab` for the accuracy driver, with the train/evaluate commands registered even before cli.py lists them.

Used only while those modules are missing from seqlab.cli.COMMAND_MODULES; the command functions are the
very ones `seqlab train` / `seqlab evaluate` run.
"""

from __future__ import annotations

import importlib

from seqlab import cli

for name in ("train", "evaluate"):
    if name not in cli.COMMAND_MODULES:
        try:
            importlib.import_module(f"seqlab.commands.{name}").register(cli.app)
        except ModuleNotFoundError:
            pass

if __name__ == "__main__":
    cli.main()
