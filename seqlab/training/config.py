"""What a training run is asked to do: one frozen dataclass, validated before any work starts."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from seqlab.data.lengths import check_max_length
from seqlab.data.registry import is_table_path
from seqlab.data.sources import display_name
from seqlab.data.spec import DataSpec
from seqlab.device_options import check_seed, check_threads
from seqlab.errors import SeqlabError, unknown_choice
from seqlab.io import resolved_path
from seqlab.data.sentence_pairs import check_objective
from seqlab.models.families import Family, get_family, lm_families, mlm_families

OPTIMIZERS: tuple[str, ...] = ("sgd", "adagrad", "rmsprop", "adam", "adamw")
TASKS: tuple[str, ...] = ("auto", "classify", "lm", "mlm")
SCHEDULES: tuple[str, ...] = ("linear", "constant")  # after the warm-up: decay linearly to 0, or hold the peak
DEFAULT_MAX_POSITIONS = 512  # position-table length of the factory defaults and of pretrained BERT
LARGE_LIMIT = 10**9  # batch size, epochs, examples, steps: far beyond any course run, below any overflow


def default_lr(family: str, task: str = "auto") -> float:
    """A learning rate that trains `family` well with Adam (the registry's: 3e-3 for RNNs down to 5e-5 for
    pretrained BERT; 3e-3 for masked-LM pretraining from scratch, 1e-4 to continue MiniLM's)."""
    if task == "mlm":
        return get_family(family, "model").mlm_lr
    return get_family(family, "model").lr


def model_spec(family: str, **options: Any) -> dict[str, Any]:
    """The factory spec for `family` from command-line options (None = the factory's default).

    An option the family does not have (e.g. --heads for an LSTM) is a SeqlabError naming the right ones.
    """
    chosen = get_family(family.strip().lower(), "model")
    spec: dict[str, Any] = {"family": chosen.name}
    for option, value in options.items():
        if value is None or value is False:
            continue
        if option not in chosen.options:
            usable = ", ".join(f"--{o.replace('_', '-')}" for o in chosen.options) or "none"
            raise SeqlabError(f"--{option.replace('_', '-')} does not apply to --model {chosen.name}; "
                              f"it takes: {usable}")
        for key in chosen.options[option]:
            spec[key] = value
    return spec


def _option_value(spec: dict[str, Any], family: Family, option: str) -> Any:
    """The spec's value for `seqlab train --<option>` (the family's default when the spec leaves it out)."""
    key = family.option_key(option)
    return None if key is None else spec.get(key, family.defaults[key])


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs; stored in the run's config.json so the run can be rebuilt.

    `model` is the model spec: ``{"family": "lstm", "hidden_size": 64, ...}`` as the model factory reads it.
    `task` "auto" means language modelling for family "lm" and classification otherwise; "mlm" is
    BERT's masked language modelling (`whole_word_masking` chooses whole words rather than pieces).
    `validate` returns the config with every default resolved (`lr`), as the run stores it.
    """

    data: str = "builtin-sentiment"
    data_dir: str | None = None
    model: dict[str, Any] = field(default_factory=lambda: {"family": "lstm"})
    task: str = "auto"
    optimizer: str = "adam"
    lr: float | None = None  # None: the family's default (default_lr), filled in by validate
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
    # the seed of the dev/test split carved from your own training file; None (runs made before it existed,
    # and configs built in Python) carves with `seed`, as those runs did
    split_seed: int | None = None
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
    # --task mlm on BERT: also train next-sentence ("nsp") or sentence-order ("sop") prediction on sentence pairs
    sentence_objective: str | None = None
    # pretraining (lm/mlm) only: score each epoch on a fixed sample of this many dev texts (None: all of them)
    max_dev_examples: int | None = None

    @property
    def family(self) -> str:
        """The model family named in the spec (lstm, gru, transformer, lm, bert, bert-pretrained, ...)."""
        return str(self.model.get("family", ""))

    @property
    def resolved_task(self) -> str:
        """"lm" (next-token pretraining), "mlm" (masked-token pretraining) or "classify"."""
        if self.task != "auto":
            return self.task
        return "lm" if self.family in lm_families() and not self.init_from else "classify"

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
        return display_name(self.data) if Path(self.data).suffix else self.data

    @property
    def data_spec(self) -> DataSpec:
        """The run's data (dataset or file, folder, dev/test files, columns) as one `seqlab.data.spec.DataSpec`."""
        return DataSpec.of(self)

    def source(self, data_dir: Path | None = None) -> Any:
        """The run's data as a `seqlab.data.sources.DataSource` (`data_dir` overrides the stored one)."""
        return self.data_spec.source(self.seed, data_dir, split_seed=self.split_seed)

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
    def absolute(path: str | None, option: str) -> str | None:
        return str(resolved_path(Path(path).expanduser(), option)) if path else None

    data = absolute(config.data, "--data") if is_table_path(config.data) else config.data
    return dataclasses.replace(config, data=data, dev=absolute(config.dev, "--dev"),
                               test=absolute(config.test, "--test"), data_dir=absolute(config.data_dir, "--data-dir"),
                               init_from=absolute(config.init_from, "--init-from"))


def check_shared_options(*, epochs: int | None, seed: int, threads: int | None, max_length: int | None,
                         encoder: str | None, pair: bool = False, max_train: int | None = None,
                         max_train_option: str = "--max-train-examples", last_seed: int | None = None) -> None:
    """The checks of the options `seqlab train` and `seqlab experiment` share: --epochs, --seed (and the last
    seed of an experiment's repeats), --threads, --max-length (the rule of seqlab.data.lengths for `encoder`,
    None meaning any encoder) and the training-subset size. None skips an option; one SeqlabError names it."""
    if epochs is not None and not 1 <= epochs <= LARGE_LIMIT:
        raise SeqlabError(f"--epochs must be at least 1 and at most {LARGE_LIMIT:,} (got {epochs})")
    check_seed(seed)
    if last_seed is not None:
        check_seed(last_seed)
    check_threads(threads)
    if max_length is not None:
        check_max_length(max_length, encoder, pair)
    if max_train is not None and not 1 <= max_train <= 2**62:
        raise SeqlabError(f"{max_train_option} must be at least 1 example (got {max_train})")


RESUME_OPTIONS = frozenset({"--resume", "--epochs", "--quiet", "--json"})  # what `train --resume` may be given


def check_resume_options(given: Sequence[str]) -> None:
    """SeqlabError naming the options given with --resume that it would ignore: a resumed run continues with the
    options it was made with (stored in its config.json); only --epochs can grow it."""
    ignored = [option for option in given if option not in RESUME_OPTIONS]
    if ignored:
        named = ", ".join(ignored)
        raise SeqlabError(f"{named} cannot change a resumed run: --resume continues with the options the run was "
                          f"made with (only --epochs can train it further); drop {named}, or start a new training")


def with_default_lr(config: TrainConfig) -> TrainConfig:
    """`config` with `lr` set to its family's default (`default_lr`) when it was left None."""
    if config.lr is not None:
        return config
    return dataclasses.replace(config, lr=default_lr(config.family, config.resolved_task))


def _check_sentence_objective(config: TrainConfig, family: Family) -> None:
    """--sentence-objective: nsp or sop, trained with --task mlm on a family with a pooled [CLS] vector."""
    check_objective(config.sentence_objective or "")
    if config.resolved_task != "mlm":
        raise SeqlabError(f"--sentence-objective {config.sentence_objective} is trained together with masked "
                          "language modelling; add --task mlm")
    if not family.sentence_head:
        raise SeqlabError(f"--sentence-objective reads BERT's pooled [CLS] vector, which --model {config.family} "
                          "does not have (it pools by averaging); use --model bert")


def _check_init_from(config: TrainConfig) -> None:
    """--init-from builds a classifier shaped like the pretrained run; options that say otherwise are refused."""
    if not config.init_from:
        return
    _check_init_folder(Path(config.init_from))  # what is wrong with the folder comes before what it implies
    source_task, source_family = _source_run(config.init_from)
    if source_task == "mlm":  # a masked LM's body goes into a classifier of its own family
        if config.family != source_family:
            raise SeqlabError(
                f"--init-from builds a {source_family} classifier from the masked-LM run, so --model {config.family} "
                f"would be ignored; pass --model {source_family} (or drop --init-from)"
            )
        return
    if not get_family(config.family).takes_lm_body:
        raise SeqlabError(
            f"--init-from builds a Transformer classifier from the LM run, so --model {config.family} would be "
            "ignored; pass --model transformer (or drop --init-from)"
        )


def _check_init_folder(folder: Path) -> None:
    """SeqlabError when --init-from names no folder, a file, a folder that is not a run, or a classifier run."""
    where = "list your runs with: seqlab runs"
    if not folder.exists():
        raise SeqlabError(f"--init-from: run folder {folder} does not exist; {where}")
    if not folder.is_dir():
        raise SeqlabError(f"--init-from {folder} is a file, not a run folder; {where}")
    if not (folder / "config.json").is_file():
        raise SeqlabError(f"--init-from {folder} is not a seqlab run (no config.json); {where}")
    task, _ = _source_run(str(folder))
    if task not in (None, "lm", "mlm"):
        raise SeqlabError(f"--init-from {folder} is a {task} run; it must be a language model run (train one "
                          "with: seqlab train --model lm, or --model bert --task mlm)")


def _source_run(path: str) -> tuple[str | None, str | None]:
    """(task, family) of the --init-from run, or (None, None) when it cannot be read (reported later)."""
    try:
        payload = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
        return str(payload.get("task", "classify")), str(payload["model"]["family"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def check_transfer_shape(model: dict[str, Any], lm_spec: dict[str, Any]) -> None:
    """SeqlabError naming the options of `model` (the user's spec) that differ from the LM run's shape."""
    options = {keys[0]: option for option, keys in get_family("transformer").options.items()}
    differ = sorted(key for key, value in model.items()
                    if key not in ("family", "dropout") and lm_spec.get(key) != value)
    if differ:
        named = ", ".join(f"--{options.get(key, key).replace('_', '-')} {model[key]}" for key in differ)
        raise SeqlabError(f"{named} cannot change a model started --init-from an LM run (its shape comes from "
                          "that run); drop the option(s)")


def validate(config: TrainConfig) -> TrainConfig:
    """Check every value a user can get wrong and fill in the defaults that depend on others (`lr`); return the
    config to train with, or raise one SeqlabError naming the option and the fix."""
    family = get_family(config.family, "model")
    if config.task not in TASKS:
        raise SeqlabError(unknown_choice("task", config.task, TASKS))
    config = with_default_lr(config)
    task = config.resolved_task
    if task == "lm" and family.lm is None:
        raise SeqlabError(f"--task lm needs --model {' or --model '.join(lm_families())} (a causal language model), "
                          f"not {config.family}")
    if task == "lm" and config.init_from:
        raise SeqlabError("--init-from copies a pretrained LM body into a classifier; drop --task lm")
    if task == "mlm" and family.mlm is None:
        raise SeqlabError(f"--task mlm needs a bidirectional encoder: --model {' or --model '.join(mlm_families())}, "
                          f"not {config.family}")
    if task == "mlm" and config.init_from:
        raise SeqlabError("--init-from starts a classifier from a pretrained body; drop --task mlm")
    if task == "mlm" and config.freeze:
        raise SeqlabError("--freeze keeps a pretrained body fixed for a classifier; drop it for --task mlm")
    if config.whole_word_masking and task != "mlm":
        raise SeqlabError("--whole-word-masking only applies to --task mlm")
    if config.sentence_objective is not None:
        _check_sentence_objective(config, family)
    if config.optimizer not in OPTIMIZERS:
        raise SeqlabError(unknown_choice("optimizer", config.optimizer, OPTIMIZERS))
    assert config.lr is not None  # with_default_lr filled it in
    if not (math.isfinite(config.lr) and config.lr > 0):
        raise SeqlabError(f"--lr must be greater than 0 (got {config.lr}); try 3e-3 for Adam or 0.1 for SGD")
    if not (math.isfinite(config.weight_decay) and config.weight_decay >= 0):
        raise SeqlabError(f"--weight-decay must be a number, 0 or more (got {config.weight_decay})")
    if not 0 <= config.momentum < 1:
        raise SeqlabError(f"--momentum must be in [0, 1) (got {config.momentum})")
    if not 1 <= config.batch_size <= LARGE_LIMIT:
        raise SeqlabError(f"--batch-size must be at least 1 and at most {LARGE_LIMIT:,} (got {config.batch_size})")
    # the pair is known for sure once the data is read; the trainer checks --max-length again then
    check_shared_options(epochs=config.epochs, seed=config.seed, threads=config.threads, max_length=config.max_length,
                         encoder=family.encoder, pair=config.text_pair_column is not None,
                         max_train=config.max_train_examples)
    if config.split_seed is not None:
        if not 0 <= config.split_seed < 2**32:
            raise SeqlabError(f"--split-seed must be from 0 to {2**32 - 1} (got {config.split_seed})")
    if not 0 <= config.warmup_ratio < 1:  # NaN fails this too
        raise SeqlabError(f"--warmup must be a fraction of training in [0, 1) (got {config.warmup_ratio})")
    if config.schedule not in SCHEDULES:
        raise SeqlabError(unknown_choice("--schedule", config.schedule, SCHEDULES))
    if config.grad_clip is not None and not (math.isfinite(config.grad_clip) and config.grad_clip > 0):
        raise SeqlabError(f"--grad-clip must be greater than 0 (got {config.grad_clip}); pass 0 to turn clipping off")
    if config.patience is not None and config.patience < 1:
        raise SeqlabError(f"--patience must be at least 1 epoch (got {config.patience})")
    if config.patience is not None and config.patience > LARGE_LIMIT:
        raise SeqlabError(f"--patience must be at most {LARGE_LIMIT:,} epochs (got {config.patience})")
    if config.max_dev_examples is not None:
        if config.resolved_task == "classify":
            raise SeqlabError("max_dev_examples samples the dev split of a pretraining run (task lm or mlm); a "
                              "classifier is scored on all of its dev split")
        if not 1 <= config.max_dev_examples <= 2**62:
            raise SeqlabError(f"max_dev_examples must be at least 1 (got {config.max_dev_examples})")
    if not 1 <= config.log_every <= LARGE_LIMIT:
        raise SeqlabError(f"--log-every must be at least 1 step (got {config.log_every})")
    dropout = _option_value(config.model, family, "dropout")
    if dropout is not None and not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise SeqlabError(f"--dropout must be a probability in [0, 1) (got {dropout})")
    _check_init_from(config)
    width, heads = _option_value(config.model, family, "width"), _option_value(config.model, family, "heads")
    if isinstance(width, int) and isinstance(heads, int) and heads >= 1 and width % heads:
        raise SeqlabError(
            f"--width {width} does not split into --heads {heads} equal heads; "
            f"pick a width that is a multiple of {heads} (e.g. {heads * max(1, round(width / heads))})"
        )
    if family.pretrained and config.max_length > DEFAULT_MAX_POSITIONS:
        raise SeqlabError(f"--max-length {config.max_length} is longer than pretrained BERT's "
                          f"{DEFAULT_MAX_POSITIONS} positions; use --max-length {DEFAULT_MAX_POSITIONS} or less")
    takes_a_body = family.pretrained or family.mlm is not None or family.takes_lm_body
    if config.freeze and not takes_a_body and config.init_from is None:
        raise SeqlabError("--freeze keeps a pretrained body fixed; use it with bert-pretrained or --init-from RUN")
    return config
