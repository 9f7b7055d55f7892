"""Checking a learner's classifier head (pool a sequence, map it to class logits): their Linear(s) read into
seqlab's pooling (BERT's [CLS] vector, through BERT's tanh pooler when they have one, or the mean over real tokens)
and the log-probabilities compared; logits-not-probabilities, padding, dropout, gradient and parameter-count
properties measured on their module; and the named bugs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from seqlab.impl.compare import Bug, dead_parameters, diagnose, max_diff, parity_row
from seqlab.impl.dropout import DROPOUT, off_in_eval, same_weights
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call

D_MODEL, CLASSES = 16, 5
TOLERANCE = 1e-9


def build(cls: type, where: Path | None, seed: int, dropout: float | None = None) -> nn.Module:
    """The learner's head at d_model 16 and 5 classes (and `dropout` when given), seeded, float64, eval."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise ContractError("a classifier head must be an nn.Module class with __init__(d_model, n_classes, "
                            "dropout=0.0) and forward(hidden, mask)")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        args = (D_MODEL, CLASSES) if dropout is None else (D_MODEL, CLASSES, dropout)
        module = call(cls, *args, where=where)
    if not isinstance(module, nn.Module):
        raise ContractError(f"{cls.__name__}(d_model, n_classes) is not an nn.Module")
    return module.to(torch.float64).eval()


def run(module: nn.Module, hidden: torch.Tensor, mask: torch.Tensor, where: Path | None) -> torch.Tensor:
    """The learner's logits (the first item when forward returns a tuple)."""
    out = call(module, hidden, mask, where=where)
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise ContractError(f"forward must return the logits tensor [B, n_classes], not {type(out).__name__}")
    return out


@dataclass(frozen=True)
class HeadWeights:
    """The learner's output Linear [n_classes, d] and, when they have one, the pooler Linear [d, d]."""

    out: nn.Linear
    pooler: nn.Linear | None


def find_weights(module: nn.Module) -> HeadWeights | None:
    """The output Linear(d_model, n_classes) and an optional pooler Linear(d_model, d_model); None otherwise."""
    linears = [part for part in module.modules() if isinstance(part, nn.Linear)]
    out = [part for part in linears if tuple(part.weight.shape) == (CLASSES, D_MODEL)]
    pooler = [part for part in linears if tuple(part.weight.shape) == (D_MODEL, D_MODEL)]
    if len(out) != 1 or len(pooler) > 1 or len(linears) != len(out) + len(pooler):
        return None
    return HeadWeights(out[0], pooler[0] if pooler else None)


def mean_of_real(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of each sequence's real-token vectors: [B,T,D], [B,T] -> [B,D]."""
    weights = mask.to(hidden.dtype)[..., None]
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1)


POOLINGS = {
    "first token ([CLS])": lambda hidden, mask: hidden[:, 0],
    "mean over real tokens": mean_of_real,
}


def logits(weights: HeadWeights, pooled: torch.Tensor, tanh: bool = True) -> torch.Tensor:
    """seqlab's head on a pooled vector: BERT's pooler tanh(dense(.)) when there is one, then the output Linear."""
    if weights.pooler is not None:
        pooled = weights.pooler(pooled)
        pooled = torch.tanh(pooled) if tanh else pooled
    return weights.out(pooled)


def cases(seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Seeded inputs: a padded batch of 3 (lengths 7, 4, 1), a full batch of 2, batch 1 of length 1."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([7, 4, 1])
    return [
        (torch.randn(3, 7, D_MODEL, generator=generator, dtype=torch.float64),
         torch.arange(7)[None, :] < lengths[:, None]),
        (torch.randn(2, 5, D_MODEL, generator=generator, dtype=torch.float64), torch.ones(2, 5, dtype=torch.bool)),
        (torch.randn(1, 1, D_MODEL, generator=generator, dtype=torch.float64), torch.ones(1, 1, dtype=torch.bool)),
    ]


def log_probs(out: torch.Tensor) -> torch.Tensor:
    """log_softmax over the classes: logits and log-probabilities of the same model compare equal."""
    return out.log_softmax(-1)


def bugs(weights: HeadWeights, inputs: list[tuple[torch.Tensor, torch.Tensor]], pooling: str) -> list[Bug]:
    """The classifier-head bugs students write, each as what its log-probabilities would be on case i."""
    pool = POOLINGS[pooling]

    def make(fn):
        return lambda i: fn(*inputs[i])

    out = weights.out
    found = [
        Bug("softmax applied in the head", "return the logits: F.cross_entropy applies log_softmax itself, and a "
            "softmax before it squashes the gradients", make(lambda h, m: log_probs(logits(weights, pool(h, m))
                                                                                   .softmax(-1)))),
        Bug("pooled the last position (padding in short sequences)", "pool the first token, hidden[:, 0] ([CLS]), or "
            "the mean over real tokens; hidden[:, -1] is padding for every shorter sequence",
            make(lambda h, m: log_probs(logits(weights, h[:, -1])))),
        Bug("mean over padding too", "average only the real tokens: (hidden * mask[..., None]).sum(1) / "
            "mask.sum(1, keepdim=True)", make(lambda h, m: log_probs(logits(weights, h.mean(1))))),
        Bug("sum instead of mean", "divide the masked sum by the number of real tokens: a sum grows with the "
            "sequence's length", make(lambda h, m: log_probs(logits(weights, (h * m[..., None]).sum(1))))),
        Bug("pooled the first sequence, not the first token", "the first token of every sequence is hidden[:, 0]; "
            "hidden[0] is every token of sequence 0", make(lambda h, m: log_probs(logits(weights, h[0])))),
        Bug("averaged over the batch", "pool over the tokens (dim 1), not the batch (dim 0)",
            make(lambda h, m: log_probs(logits(weights, h.mean(0))))),
        Bug("classifier applied to every token", "pool first, then classify: logits [B, n_classes], not "
            "[B, T, n_classes]", make(lambda h, m: log_probs(out(h)))),
    ]
    if weights.pooler is not None:
        found.append(Bug("pooler without tanh", "BERT's pooler is tanh(dense(hidden[:, 0]))",
                         make(lambda h, m: log_probs(logits(weights, pool(h, m), tanh=False)))))
    return found


def check_classifier_head(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the classifier-head kind on the learner's class."""
    module = build(cls, where, seed)
    inputs = cases(seed)
    with torch.no_grad():
        outs = [run(module, h.clone(), m.clone(), where) for h, m in inputs]
    rows = [logits_row(outs), padding_row(module, inputs[0], where, seed), gradient_row(module, inputs[0], where)]
    diagnoses: list[Diagnosis] = []
    weights = find_weights(module)
    rows.append(count_row(module, weights))
    if weights is None:
        rows.append(ImplRow("same log-probabilities as seqlab", "reference", float("inf"), TOLERANCE, False,
                            f"could not find one Linear({D_MODEL}, {CLASSES}) (and at most one pooler "
                            f"Linear({D_MODEL}, {D_MODEL})): not compared"))
    else:
        got = [log_probs(o) if o.dim() else o for o in outs]
        tried: list[tuple[float, str, ImplRow]] = []
        for pooling, pool in POOLINGS.items():
            with torch.no_grad():
                want = [log_probs(logits(weights, pool(h, m))) for h, m in inputs]
            pooler = " through your tanh pooler" if weights.pooler is not None else ""
            row = parity_row("same log-probabilities as seqlab", got, want, TOLERANCE,
                             f"your Linear(s) on the {pooling}{pooler}; log_softmax of both compared (padded batch "
                             "of lengths 7, 4, 1; a full batch; batch 1 of length 1)")
            tried.append((row.measured, pooling, row))
        tried.sort(key=lambda item: item[0])
        rows.append(tried[0][2])
        for _, pooling, row in tried:
            if row.passed or diagnoses:
                break
            with torch.no_grad():
                diagnoses = diagnose(got, bugs(weights, inputs, pooling), 1e-7)
    dropout_found, dropout_diagnoses = dropout_rows(cls, module, inputs[0], where, seed)
    return rows + dropout_found, diagnoses + dropout_diagnoses


def logits_row(outs: list[torch.Tensor]) -> ImplRow:
    """The head returns logits (or log-probabilities), not probabilities: rows that are all in [0, 1] and sum to 1
    are a softmax's."""
    probabilities = all(o.dim() >= 1 and bool(((o >= 0) & (o <= 1)).all()) and
                        max_diff(o.sum(-1), torch.ones_like(o.sum(-1))) < 1e-9 for o in outs)
    return ImplRow("returns logits, not probabilities", PROPERTY, 1.0 if probabilities else 0.0, 0.0,
                   not probabilities, "your rows are in [0, 1] and sum to 1: a softmax's output; return the logits"
                   if probabilities else "your outputs are not probabilities (F.cross_entropy takes logits)")


def padding_row(module: nn.Module, case: tuple[torch.Tensor, torch.Tensor], where: Path | None, seed: int) -> ImplRow:
    """New vectors at the padded positions must not move any logit."""
    hidden, mask = case
    generator = torch.Generator().manual_seed(seed + 7)
    other = hidden.clone()
    other[~mask] = torch.randn(int((~mask).sum()), D_MODEL, generator=generator, dtype=torch.float64) * 5
    with torch.no_grad():
        moved = max_diff(run(module, hidden.clone(), mask, where), run(module, other, mask, where))
    return ImplRow("padding is ignored", PROPERTY, moved, TOLERANCE, moved <= TOLERANCE,
                   f"new vectors at the padded positions moved your logits by {moved:.1e}")


def gradient_row(module: nn.Module, case: tuple[torch.Tensor, torch.Tensor], where: Path | None) -> ImplRow:
    """A backward pass reaches every parameter with a finite, non-zero gradient."""
    hidden, mask = case
    dead = dead_parameters(module, lambda: run(module, hidden.clone(), mask, where).pow(2).sum())
    return ImplRow("every parameter gets a gradient", PROPERTY, float(len(dead)), 0.0, not dead,
                   "a backward pass reaches every parameter" if not dead else
                   f"no (or a non-finite) gradient reaches {', '.join(dead[:4])}: is it used in forward?")


def count_row(module: nn.Module, weights: HeadWeights | None) -> ImplRow:
    """The parameter count against the closed form: d c + c, plus d^2 + d with BERT's pooler."""
    count = sum(p.numel() for p in module.parameters())
    plain = D_MODEL * CLASSES + CLASSES
    pooled = plain + D_MODEL * D_MODEL + D_MODEL
    want = pooled if weights is not None and weights.pooler is not None else plain
    return ImplRow("parameter count", PROPERTY, float(abs(count - want)), 0.0, count == want,
                   f"{count} parameters; the closed form is d c + c = {plain} at d {D_MODEL}, c {CLASSES} "
                   f"(+ d^2 + d = {pooled} with BERT's pooler)")


def dropout_rows(cls: type, module: nn.Module, case: tuple[torch.Tensor, torch.Tensor], where: Path | None,
                 seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Built with dropout 0.5 and the checked head's weights: in eval mode the logits equal dropout 0's."""
    noisy = build(cls, where, seed, DROPOUT)
    unfit = same_weights(noisy, module, "head", TOLERANCE)
    if unfit is not None:
        return [unfit], []
    hidden, mask = case
    with torch.no_grad():
        want = run(module, hidden.clone(), mask, where)
    row, diagnoses = off_in_eval(lambda: run(noisy, hidden.clone(), mask, where), want, TOLERANCE)
    return [row], diagnoses
