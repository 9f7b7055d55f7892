"""Thin CLI commands: options -> config -> library call -> rich / figure / JSON output.

Each module here exposes ``register(app)``; ``seqlab.cli`` calls it. Modules keep their top-level
imports light (typer, rich, seqlab.console) so that ``seqlab --help`` starts fast; torch and the
library are imported inside the command bodies.
"""
