"""Shared rich consoles and the JSON printer every command uses for `--json`."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def _to_jsonable(value: Any) -> Any:
    """Convert tensors, numpy values, paths and dataclasses into plain JSON types."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "tolist"):  # torch.Tensor, numpy arrays and scalars
        return _to_jsonable(value.tolist())
    if hasattr(value, "item"):
        return value.item()
    return value


def emit_json(payload: Any) -> None:
    """Print `payload` as JSON on stdout (no rich markup, no wrapping), for scripts."""
    sys.stdout.write(json.dumps(_to_jsonable(payload), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def error_line(message: str) -> None:
    """Print one styled error line on stderr."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
