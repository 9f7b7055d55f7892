"""seqlab's capabilities, one module each: `run(request) -> Report`, called by the CLI, the tour and Python.

A request is a frozen dataclass of what the command's options say (defaults as the CLI's); a report holds
what came back, draws nothing, and gives `to_json()`: exactly what the command's `--json` prints. Import a
capability by name (`from seqlab.lab import params`); this package imports none of them, so each command
pays only for its own.
"""
