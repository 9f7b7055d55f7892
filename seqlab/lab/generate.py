"""Text written by a causal LM run, one token at a time: greedy, or seeded sampling (temperature, top-k, top-p)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.io import to_jsonable
from seqlab.training.generation import GenerationConfig, Generation, check_generation_config, generate
from seqlab.training.loading import load_run


@dataclass(frozen=True)
class GenerateRequest:
    """A causal LM run folder, the prompt to continue, and how each token is chosen (GenerationConfig)."""

    run: Path
    prompt: str
    config: GenerationConfig = GenerationConfig()
    device: str = "cpu"


@dataclass(frozen=True)
class GenerateReport:
    """The prompt's continuation, step by step."""

    result: Generation

    def to_json(self) -> dict[str, Any]:
        """What `seqlab generate --json` prints."""
        return to_jsonable(self.result.to_dict())


def run(request: GenerateRequest) -> GenerateReport:
    """Check the sampling options, load the run and continue the prompt."""
    check_generation_config(request.config)
    return GenerateReport(generate(load_run(request.run, device=request.device), request.prompt, request.config))
