"""What a training run is asked to do: one frozen dataclass, validated before any work starts."""

from __future__ import annotations

import math

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError, unknown_choice

OPTIMIZERS: tuple[str, ...] = ("sgd", "adagrad", "rmsprop", "adam", "adamw")
FAMILIES: tuple[str, ...] = ("lstm", "gru", "transformer", "lm", "bert", "bert-pretrained")
TASKS: tuple[str, ...] = ("auto", "classify", "lm", "mlm")
MLM_FAMILIES: tuple[str, ...] = ("bert", "transformer")  # bidirectional encoders that can fill in a [MASK]
SCHEDULES: tuple[str, ...] = ("linear", "constant")  # after the warm-up: decay linearly to 0, or hold the peak
# Command-line option -> the model factory's spec key, per family (seqlab.models.factory defaults).
SPEC_KEYS: dict[str, dict[str, str]] = {
    "lstm": {"layers": "num_layers", "hidden": "hidden_size", "embed_dim": "embed_dim",
             "bidirectional": "bidirectional", "dropout": "dropout"},
    "transformer": {"layers": "n_layers", "heads": "n_heads", "width": "d_model", "ffn": "d_ff", "dropout": "dropout"},
    "bert": {"layers": "num_hidden_layers", "heads": "num_attention_heads", "width": "hidden_size",
             "ffn": "intermediate_size", "dropout": "hidden_dropout_prob"},
    "bert-pretrained": {"dropout": "dropout", "checkpoint": "checkpoint"},
}
SPEC_KEYS["gru"] = SPEC_KEYS["lstm"]
SPEC_KEYS["lm"] = SPEC_KEYS["transformer"]
DEFAULT_LR: dict[str, float] = {
    "lstm": 3e-3, "gru": 3e-3, "transformer": 3e-3, "lm": 3e-3, "bert": 5e-4, "bert-pretrained": 5e-5,
}
MAX_POSITIONS_KEY: dict[str, str] = {"transformer": "max_len", "lm": "max_len", "bert": "max_position_embeddings"}
DEFAULT_MAX_POSITIONS = 512
MAX_LENGTH_LIMIT = 65_536  # tokens per text; beyond this a position table alone needs gigabytes
LARGE_LIMIT = 10**9  # batch size, epochs, examples, steps: far beyond any course run, below any overflow


MLM_LR = 3e-3  # masked-LM pretraining from scratch (small BERT/Transformer on the built-in corpus: docs/RESULTS.md)


def default_lr(family: str, task: str = "auto") -> float:
    """A learning rate that trains `family` well with Adam (3e-3 for RNNs down to 5e-5 for pretrained BERT;
    3e-3 for masked-LM pretraining)."""
    if task == "mlm":
        return MLM_LR
    return DEFAULT_LR.get(family, 1e-3)


def model_spec(family: str, **options: Any) -> dict[str, Any]:
    """The factory spec for `family` from command-line options (None = the factory's default).

    An option the family does not have (e.g. --heads for an LSTM) is a SeqlabError naming the right ones.
    """
    family = family.strip().lower()
    if family not in FAMILIES:
        raise SeqlabError(unknown_choice("model", family, FAMILIES))
    keys = SPEC_KEYS[family]
    spec: dict[str, Any] = {"family": family}
    for option, value in options.items():
        if value is None or value is False:
            continue
        if option not in keys:
            usable = ", ".join(f"--{o.replace('_', '-')}" for o in keys) or "none"
            raise SeqlabError(f"--{option.replace('_', '-')} does not apply to --model {family}; it takes: {usable}")
        spec[keys[option]] = value
    if family == "bert" and "hidden_dropout_prob" in spec:  # one --dropout for every dropout in BERT
        spec["attention_probs_dropout_prob"] = spec["dropout"] = spec["hidden_dropout_prob"]
    return spec


def _width_and_heads(spec: dict[str, Any]) -> tuple[int | None, int | None]:
    """Model width and head count of an attention family's spec (factory defaults filled in)."""
    from seqlab.models.factory import default_spec

    family = str(spec.get("family"))
    keys = SPEC_KEYS.get(family, {})
    if "width" not in keys:
        return None, None
    full = {**default_spec(family), **spec}
    width, heads = full.get(keys["width"]), full.get(keys["heads"])
    return (int(width) if width is not None else None, int(heads) if heads is not None else None)


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs; stored in the run's config.json so the run can be rebuilt.

    `model` is the model spec: ``{"family": "lstm", "hidden_size": 64, ...}`` as the model factory reads it.
    `task` "auto" means language modelling for family "lm" and classification otherwise; "mlm" is
    BERT's masked language modelling (`whole_word_masking` chooses whole words rather than pieces).
    """

    data: str = "builtin-sentiment"
    data_dir: str | None = None
    model: dict[str, Any] = field(default_factory=lambda: {"family": "lstm"})
    task: str = "auto"
    optimizer: str = "adam"
    lr: float = 3e-3
    weight_decay: float = 0.0
    momentum: float = 0.0
    batch_size: int = 32
    epochs: int = 5
    max_length: int = 64
    warmup_ratio: float = 0.1
    schedule: str = "linear"
    grad_clip: float | None = 1.0
    patience: int | None = None
    seed: int = 0
    device: str = "auto"
    threads: int | None = None
    freeze: bool = False
    init_from: str | None = None
    max_train_examples: int | None = None
    stratify_subset: bool = False  # with max_train_examples: a seeded, label-stratified sample, not the first N
    name: str | None = None
    bucket: bool = True
    compile: bool = False
    cuda_graphs: bool = True  # on CUDA: replay each batch shape's step as a graph
    min_freq: int = 1
    log_every: int = 20
    # Your own files (issue 21): separate dev/test files, and which columns to read. `data`, `dev` and
    # `test` are stored as absolute paths; the columns as resolved when the run was made.
    dev: str | None = None
    test: str | None = None
    text_column: str | None = None
    label_column: str | None = None
    text_pair_column: str | None = None
    no_header: bool = False
    whole_word_masking: bool = False

    @property
    def family(self) -> str:
        """The model family named in the spec (lstm, gru, transformer, lm, bert, bert-pretrained)."""
        return str(self.model.get("family", ""))

    @property
    def resolved_task(self) -> str:
        """"lm" (next-token pretraining), "mlm" (masked-token pretraining) or "classify"."""
        if self.task != "auto":
            return self.task
        return "lm" if self.family == "lm" and not self.init_from else "classify"

    @property
    def run_name(self) -> str:
        """The run directory's prefix: the chosen name, else dataset and family (and "transfer" with init_from)."""
        if self.name:
            return self.name
        dataset = self.dataset_name
        return f"{dataset}-{self.family}" + ("-transfer" if self.init_from else "")

    @property
    def dataset_name(self) -> str:
        """The dataset's display name: a known name as is, a file by its folder and stem (trec/train.tsv -> trec)."""
        from seqlab.data.sources import display_name

        return display_name(self.data) if Path(self.data).suffix else self.data

    def source(self, data_dir: Path | None = None) -> Any:
        """The run's data as a `seqlab.data.sources.DataSource` (`data_dir` overrides the stored one)."""
        from seqlab.data.sources import ColumnChoice, DataSource

        folder = data_dir or (Path(self.data_dir) if self.data_dir else None)
        choice = ColumnChoice(self.text_column, self.label_column, self.text_pair_column, self.no_header)
        return DataSource(self.data, folder, self.seed, self.dev, self.test, choice)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy of the config."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> "TrainConfig":
        """Rebuild a config from `to_dict` output, ignoring keys this version does not know."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in payload.items() if k in known})


def absolute_paths(config: TrainConfig) -> TrainConfig:
    """`config` with its data, dev and test files, --data-dir and --init-from as absolute, resolved paths, so the
    run can be evaluated and resumed from any folder."""
    from seqlab.data.registry import is_table_path

    def absolute(path: str | None) -> str | None:
        return str(Path(path).expanduser().resolve()) if path else None

    data = absolute(config.data) if is_table_path(config.data) else config.data
    return dataclasses.replace(config, data=data, dev=absolute(config.dev), test=absolute(config.test),
                               data_dir=absolute(config.data_dir), init_from=absolute(config.init_from))


def check_seed(seed: int) -> int:
    """`seed` when numpy, torch and Python can all use it (0 to 2**32 - 1); SeqlabError naming --seed otherwise."""
    if not 0 <= seed < 2**32:
        raise SeqlabError(f"--seed must be from 0 to {2**32 - 1} (got {seed})")
    return seed


def check_threads(threads: int | None) -> int | None:
    """`threads` when it is None or 1 to 4x this machine's CPUs; SeqlabError naming --threads otherwise."""
    import os

    if threads is None:
        return None
    cpus = os.cpu_count() or 1
    if not 1 <= threads <= 4 * cpus:
        raise SeqlabError(f"--threads must be at least 1 and at most {4 * cpus} (4 per CPU here) (got {threads})")
    return threads


def _dropout(spec: dict[str, Any]) -> Any:
    keys = SPEC_KEYS.get(str(spec.get("family")), {})
    return spec.get(keys["dropout"]) if "dropout" in keys else None


def _check_init_from(config: TrainConfig) -> None:
    """--init-from builds a Transformer classifier shaped like the LM run; options that say otherwise are refused."""
    if not config.init_from:
        return
    source_task, source_family = _source_run(config.init_from)
    if source_task == "mlm":  # a masked LM's body goes into a classifier of its own family
        if config.family != source_family:
            raise SeqlabError(
                f"--init-from builds a {source_family} classifier from the masked-LM run, so --model {config.family} "
                f"would be ignored; pass --model {source_family} (or drop --init-from)"
            )
        return
    if config.family not in ("transformer", "lm"):
        raise SeqlabError(
            f"--init-from builds a Transformer classifier from the LM run, so --model {config.family} would be "
            "ignored; pass --model transformer (or drop --init-from)"
        )


def _source_run(path: str) -> tuple[str | None, str | None]:
    """(task, family) of the --init-from run, or (None, None) when it cannot be read (reported later)."""
    import json

    try:
        payload = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
        return str(payload.get("task", "classify")), str(payload["model"]["family"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def check_transfer_shape(model: dict[str, Any], lm_spec: dict[str, Any]) -> None:
    """SeqlabError naming the options of `model` (the user's spec) that differ from the LM run's shape."""
    options = {v: k for k, v in SPEC_KEYS["transformer"].items()}
    differ = sorted(key for key, value in model.items()
                    if key not in ("family", "dropout") and lm_spec.get(key) != value)
    if differ:
        named = ", ".join(f"--{options.get(key, key).replace('_', '-')} {model[key]}" for key in differ)
        raise SeqlabError(f"{named} cannot change a model started --init-from an LM run (its shape comes from "
                          "that run); drop the option(s)")


def validate(config: TrainConfig) -> TrainConfig:
    """Check every value a user can get wrong; raise one SeqlabError naming the option and the fix."""
    if config.family not in FAMILIES:
        raise SeqlabError(unknown_choice("model", config.family, FAMILIES))
    if config.task not in TASKS:
        raise SeqlabError(unknown_choice("task", config.task, TASKS))
    if config.resolved_task == "lm" and config.family != "lm":
        raise SeqlabError(f"--task lm needs --model lm (a causal language model), not {config.family}")
    if config.resolved_task == "lm" and config.init_from:
        raise SeqlabError("--init-from copies a pretrained LM body into a classifier; drop --task lm")
    if config.resolved_task == "mlm" and config.family not in MLM_FAMILIES:
        raise SeqlabError(f"--task mlm needs a bidirectional encoder: --model {' or --model '.join(MLM_FAMILIES)}, "
                          f"not {config.family}")
    if config.resolved_task == "mlm" and config.init_from:
        raise SeqlabError("--init-from starts a classifier from a pretrained body; drop --task mlm")
    if config.resolved_task == "mlm" and config.freeze:
        raise SeqlabError("--freeze keeps a pretrained body fixed for a classifier; drop it for --task mlm")
    if config.whole_word_masking and config.resolved_task != "mlm":
        raise SeqlabError("--whole-word-masking only applies to --task mlm")
    if config.optimizer not in OPTIMIZERS:
        raise SeqlabError(unknown_choice("optimizer", config.optimizer, OPTIMIZERS))
    if not (math.isfinite(config.lr) and config.lr > 0):
        raise SeqlabError(f"--lr must be greater than 0 (got {config.lr}); try 3e-3 for Adam or 0.1 for SGD")
    if not (math.isfinite(config.weight_decay) and config.weight_decay >= 0):
        raise SeqlabError(f"--weight-decay must be a number, 0 or more (got {config.weight_decay})")
    if not 0 <= config.momentum < 1:
        raise SeqlabError(f"--momentum must be in [0, 1) (got {config.momentum})")
    for option, value in (("--batch-size", config.batch_size), ("--epochs", config.epochs)):
        if not 1 <= value <= LARGE_LIMIT:
            raise SeqlabError(f"{option} must be at least 1 and at most {LARGE_LIMIT:,} (got {value})")
    if not 2 <= config.max_length <= MAX_LENGTH_LIMIT:
        raise SeqlabError(f"--max-length must be from 2 to {MAX_LENGTH_LIMIT:,} tokens (got {config.max_length}); "
                          "texts longer than it are cut, so 64-512 is plenty")
    check_seed(config.seed)
    if not 0 <= config.warmup_ratio < 1:  # NaN fails this too
        raise SeqlabError(f"--warmup must be a fraction of training in [0, 1) (got {config.warmup_ratio})")
    if config.schedule not in SCHEDULES:
        raise SeqlabError(unknown_choice("--schedule", config.schedule, SCHEDULES))
    if config.grad_clip is not None and not (math.isfinite(config.grad_clip) and config.grad_clip > 0):
        raise SeqlabError(f"--grad-clip must be greater than 0 (got {config.grad_clip}); pass 0 to turn clipping off")
    if config.patience is not None and config.patience < 1:
        raise SeqlabError(f"--patience must be at least 1 epoch (got {config.patience})")
    check_threads(config.threads)
    if config.patience is not None and config.patience > LARGE_LIMIT:
        raise SeqlabError(f"--patience must be at most {LARGE_LIMIT:,} epochs (got {config.patience})")
    if config.max_train_examples is not None and not 1 <= config.max_train_examples <= 2**62:
        raise SeqlabError(f"--max-train-examples must be at least 1 (got {config.max_train_examples})")
    if not 1 <= config.log_every <= LARGE_LIMIT:
        raise SeqlabError(f"--log-every must be at least 1 step (got {config.log_every})")
    dropout = _dropout(config.model)
    if dropout is not None and not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise SeqlabError(f"--dropout must be a probability in [0, 1) (got {dropout})")
    _check_init_from(config)
    width, heads = _width_and_heads(config.model)
    if width is not None and heads is not None and heads >= 1 and width % heads:
        raise SeqlabError(
            f"--width {width} does not split into --heads {heads} equal heads; "
            f"pick a width that is a multiple of {heads} (e.g. {heads * max(1, round(width / heads))})"
        )
    if config.family == "bert-pretrained" and config.max_length > DEFAULT_MAX_POSITIONS:
        raise SeqlabError(f"--max-length {config.max_length} is longer than pretrained BERT's "
                          f"{DEFAULT_MAX_POSITIONS} positions; use --max-length {DEFAULT_MAX_POSITIONS} or less")
    if config.freeze and config.family in {"lstm", "gru"} and config.init_from is None:
        raise SeqlabError("--freeze keeps a pretrained body fixed; use it with bert-pretrained or --init-from RUN")
    return config
