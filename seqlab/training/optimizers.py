"""The optimizers a run can use, built from the config (only trainable parameters are optimized)."""

from __future__ import annotations

import torch
from torch import nn

from seqlab.errors import SeqlabError, unknown_choice
from seqlab.training.config import OPTIMIZERS, TrainConfig


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD, Adagrad, RMSprop, Adam or AdamW over the model's trainable parameters, as `config` asks."""
    parameters = [p for p in model.parameters() if p.requires_grad]
    if not parameters:
        raise SeqlabError("the model has no trainable parameters; drop --freeze or pick another model")
    lr, decay, momentum = config.lr, config.weight_decay, config.momentum
    name = config.optimizer
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum, weight_decay=decay)
    if name == "adagrad":
        return torch.optim.Adagrad(parameters, lr=lr, weight_decay=decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, momentum=momentum, weight_decay=decay)
    fused = parameters[0].is_cuda  # one kernel for all parameters: fewer launches, no host sync
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=decay, fused=fused or None)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=decay, fused=fused or None)
    raise SeqlabError(unknown_choice("optimizer", name, OPTIMIZERS))
