"""Building a model from a plain JSON-able spec {"family": ..., **hyperparameters}, and counting parameters.

What each family is (defaults, options, builders) lives in `seqlab.models.families`, the built-in families'
builders in `seqlab.models.builders`; `build_model` here is what every caller uses.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from seqlab.models.families import BuildRequest, default_spec, spec_values
from seqlab.models.outputs import ClassifierOutput
from seqlab.models.transformer import CausalLM

__all__ = [
    "ClassifierOutput",
    "build_classifier",
    "build_lm",
    "build_mlm",
    "build_model",
    "count_parameters",
    "default_spec",
]

TASKS: tuple[str, ...] = ("classify", "lm", "mlm")  # what build_model can build
SENTENCE_KEY = "sentence_objective"  # in a masked LM's spec: "nsp" or "sop" adds BERT's 2-way sentence head


def build_model(spec: dict[str, Any], task: str, vocab_size: int, num_labels: int, pad_id: int,
                load_weights: bool = True) -> nn.Module:
    """A fresh model for `spec`: a causal LM for task "lm", a masked LM for "mlm", otherwise a classifier.

    The family's builder (seqlab.models.families) makes it. `load_weights=False` skips reading pretrained BERT
    weights that a run's checkpoint will replace (and builds on the meta device for counting). A masked LM's
    spec may carry "sentence_objective" ("nsp" or "sop"): its family's builder then adds the sentence head.
    """
    sentence = spec.get(SENTENCE_KEY) if isinstance(spec, dict) else None
    if isinstance(spec, dict):  # the sentence head is the masked LM's, not a hyperparameter of the family
        spec = {k: v for k, v in spec.items() if k != SENTENCE_KEY}
    family, values = spec_values(spec)
    task = task if task in TASKS else "classify"
    builder = family.builder(task)
    return builder(BuildRequest(family, values, vocab_size, pad_id, num_labels, load_weights,
                                sentence_objective=sentence if task == "mlm" else None))


def build_classifier(
    spec: dict[str, Any], vocab_size: int, num_labels: int, pad_id: int, load_weights: bool = True
) -> nn.Module:
    """A fresh classifier of the spec's family; every one has forward(...) -> ClassifierOutput.

    Families: lstm, gru, transformer, lm (a causal Transformer classifier that can take a CausalLM body,
    see transfer_lm_body), bert (from scratch), bert-pretrained (weights from "checkpoint", default
    MiniLM), and any family registered in seqlab.models.families. `load_weights=False` builds
    bert-pretrained with random weights, for when a trained checkpoint will be loaded over it anyway.
    """
    return build_model(spec, "classify", vocab_size, num_labels, pad_id, load_weights)


def build_lm(spec: dict[str, Any], vocab_size: int, pad_id: int) -> CausalLM:
    """The CausalLM whose body fits the classifier that `build_classifier(spec, ...)` makes for family "lm"."""
    return build_model(spec, "lm", vocab_size, 2, pad_id)


def build_mlm(spec: dict[str, Any], vocab_size: int, pad_id: int, load_weights: bool = True) -> nn.Module:
    """A masked language model (BERT or our Transformer encoder + BERT's MLM head) whose body fits the
    classifier `build_classifier(spec, ...)` makes; spec["sentence_objective"] ("nsp"/"sop", families with a
    pooled [CLS]) adds the 2-way sentence head. `load_weights=False` as for `build_model`."""
    return build_model(spec, "mlm", vocab_size, 2, pad_id, load_weights)


def count_parameters(model: nn.Module, depth: int = 1) -> dict[str, int]:
    """Parameters per part: each module `depth` levels down (ModuleLists are looked through, so depth 2 of a
    TransformerClassifier lists encoder.token_embedding, encoder.blocks.0, ...), plus "total".

    A parameter shared by two parts (tied weights) is counted once, in the first part that holds it.
    Works on models built on the meta device.
    """
    counts: dict[str, int] = {}
    seen: set[int] = set()

    def visit(module: nn.Module, prefix: str, level: int) -> None:
        own = [p for p in module.parameters(recurse=level >= depth) if id(p) not in seen]
        if level >= depth:
            # a part with no parameters but a buffer (sinusoidal positions) is listed with 0, to show it is there
            if own or any(True for _ in module.buffers()):
                counts[prefix] = sum(p.numel() for p in own)
                seen.update(id(p) for p in own)
            return
        if own:
            counts[prefix or "(own)"] = sum(p.numel() for p in own)
            seen.update(id(p) for p in own)
        for name, child in module.named_children():
            child_prefix = f"{prefix}.{name}" if prefix else name
            if isinstance(child, (nn.ModuleList, nn.Sequential)):
                for index, grandchild in child.named_children():
                    visit(grandchild, f"{child_prefix}.{index}", level + 1)
            else:
                visit(child, child_prefix, level + 1)

    visit(model, "", 0)
    counts["total"] = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    return counts
