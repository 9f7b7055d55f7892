"""`train(config)`: data -> encoder -> model -> fit loop -> run directory, and `resume(run_dir)`."""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from rich.console import Console
from rich.markup import escape
from torch import nn

from seqlab.console import err_console
from seqlab.data.batching import CUDA_LENGTH_MULTIPLE, encode_examples, make_loader
from seqlab.data.encoders import load_encoder
from seqlab.data.lengths import check_max_length
from seqlab.data.masking import MaskVocab
from seqlab.data.sentence_pairs import PAIR_LABELS, pair_examples
from seqlab.data.sources import check_classes
from seqlab.data.subset import cap_examples, subset_note, subset_record
from seqlab.data.vocab import Vocab
from seqlab.data.wordpiece import WordPiece
from seqlab.device import auto_threads, cpu_threads, resolve_device, seed_everything
from seqlab.errors import SeqlabError
from seqlab.io import locked_folder, new_run_dir
from seqlab.models.checkpoint import Checkpoint
from seqlab.models.factory import SENTENCE_KEY, build_model
from seqlab.models.families import get_family
from seqlab.paths import runs_root
from seqlab.training import distributed, freezing, transfer
from seqlab.training.checkpoint import load_weights
from seqlab.training.config import DEFAULT_MAX_POSITIONS, TrainConfig, absolute_paths, check_transfer_shape, validate
from seqlab.training.distributed import DistContext
from seqlab.training.inference import run_changed_files
from seqlab.training.loop import FitOptions, FitProgress, FitResult, fit, lr_schedule, restore_resumable
from seqlab.training.metrics import Metrics, compute_metrics
from seqlab.training.mlm_task import MaskedLMTask, masking_rule
from seqlab.training.optimizers import make_optimizer
from seqlab.training.runs import (
    BEST_WEIGHTS,
    ENCODER_DIR,
    STATE_FILE,
    is_finished,
    read_metrics,
    read_run_info,
    truncate_metrics,
    write_config,
    write_predictions,
    write_result,
)
from seqlab.training.step import graphs_supported
from seqlab.training.tasks import ClassificationTask, LanguageModelTask, classify_loader

GPU_EVAL_BATCH = 256  # dev batches on a GPU: no gradients are kept, so larger batches mean fewer launches

@dataclass(frozen=True)
class TrainResult:
    """How a training went: where it is saved, the best epoch, and the dev scores of the best weights."""

    run_dir: Path | None  # None on ranks other than 0 in multi-process training
    task: str
    best_epoch: int
    epochs_run: int
    stopped_early: bool
    dev: Metrics | None  # classification: scores of model.safetensors on dev
    dev_record: dict[str, float]  # the best epoch's dev record (loss, accuracy/perplexity, ...)
    seconds: float
    samples_per_second: float  # mean over the run's epochs: items trained / seconds of training steps
    device: str
    parameters: int
    epoch_seconds: tuple[float, ...] = ()  # wall time of each epoch's training steps (dev passes not counted)
    rate_unit: str = "examples"  # what samples_per_second counts: examples, or tokens for a language model
    hint: str | None = None  # advice shown under the result (e.g. try --schedule constant)
    test: Metrics | None = None  # train --test FILE: the test file scored once, at the end, with the best weights


@dataclass
class _Prepared:
    """Everything built before the loop starts."""

    config: TrainConfig
    task: str
    splits: Any
    encoder: Any
    spec: dict[str, Any]
    model: nn.Module
    train_loader: Any
    dev_loader: Any
    train_gold: list[int]
    loaded: Any = None  # seqlab.data.sources.LoadedData: notes for people and the files' fingerprints


def _train_subset(config: TrainConfig, examples: tuple) -> tuple:
    """The training examples `config` uses (see seqlab.data.subset.cap_examples)."""
    return cap_examples(examples, config.max_train_examples, config.stratify_subset, config.seed)


DEV_PAIR_SEED = 1234  # the dev split's sentence pairs are the same for every seed and epoch
DEV_SAMPLE_SEED = 0  # every seed of a pretraining run is scored on the same dev sample


def _dev_subset(config: TrainConfig, examples: tuple) -> tuple:
    """The dev examples each epoch is scored on: all, or (pretraining with max_dev_examples) a fixed seeded
    sample, the same for every --seed so their scores compare."""
    return cap_examples(examples, config.max_dev_examples, True, DEV_SAMPLE_SEED)


def _make_encoder(config: TrainConfig, train_examples: Sequence[Any], task: str) -> Any:
    """The text encoder the family reads (seqlab.models.families): the pretrained run's (with --init-from), the
    checkpoint's WordPiece for a pretrained family, the default WordPiece, or a word vocabulary built from the
    training examples."""
    if config.init_from:
        return load_encoder(Path(config.init_from) / ENCODER_DIR)
    family = get_family(config.family)
    if family.pretrained:
        return Checkpoint.at(config.model.get("checkpoint")).encoder()
    if family.encoder == "wordpiece":
        return WordPiece.default()

    texts = [t for e in train_examples for t in (e.text, e.text_b) if t]
    return Vocab.build(texts, min_freq=config.min_freq, mask_token=task == "mlm")


def _model_spec(config: TrainConfig) -> dict[str, Any]:
    """The spec stored in config.json; with --init-from, the pretrained run's shape: a causal classifier
    for an LM run, the same bidirectional family for a masked-LM run."""
    spec = dict(config.model)
    if config.init_from:
        source = read_run_info(Path(config.init_from))
        if source.task not in ("lm", "mlm"):
            raise SeqlabError(
                f"--init-from {config.init_from} is a {source.task} run; it must be a language model run "
                "(train one with: seqlab train --model lm, or --model bert --task mlm)"
            )
        check_transfer_shape({k: v for k, v in config.model.items() if "dropout" not in k}, source.spec)
        spec = {**source.spec, "family": "lm"} if source.task == "lm" else dict(source.spec)
        spec.pop(SENTENCE_KEY, None)  # the classifier takes the body (pooler included), not the sentence head
        for key in ("dropout", "hidden_dropout_prob", "attention_probs_dropout_prob"):
            if key in config.model and key in spec:
                spec[key] = config.model[key]
    if config.sentence_objective and config.resolved_task == "mlm":
        spec[SENTENCE_KEY] = config.sentence_objective
    positions_key = get_family(str(spec["family"])).positions
    if positions_key and config.max_length > DEFAULT_MAX_POSITIONS:
        spec[positions_key] = config.max_length
    return spec


SHORT_RUN_STEPS = 300  # a run with at most this many optimizer steps counts as short for the schedule hint
LOW_ACCURACY = 0.9  # ... and one that ends below this dev accuracy as low


def schedule_hint(config: TrainConfig, steps: int, dev: Metrics | None) -> str | None:
    """Advice for a short run on the default schedule that ended low: try --schedule constant.

    Warm-up plus linear decay wins at full budgets, but in a few hundred steps it spends much of the run at
    a small learning rate."""
    if config.schedule != "linear" or dev is None or steps > SHORT_RUN_STEPS or dev.accuracy >= LOW_ACCURACY:
        return None
    return (f"a short run ({steps} steps) with warm-up and linear decay spends much of it at a small "
            "learning rate; try --schedule constant")


def data_record(prepared: _Prepared) -> dict[str, Any]:
    """What config.json keeps about the data: each file's path, sha256 and rows, the notes, and the
    training label counts (so `evaluate --data FILE` has the majority baseline without the training file)."""
    loaded = prepared.loaded
    counts = Counter(prepared.splits.labels[i] for i in prepared.train_gold)
    return {
        "files": [f.to_dict() for f in loaded.files] if loaded else [],
        "notes": list(loaded.notes) if loaded else [],
        "train_label_counts": {label: counts.get(label, 0) for label in prepared.splits.labels},
        "counts": prepared.splits.counts(),
        "train_subset": subset_record(len(prepared.train_gold), len(prepared.splits.train),
                                      prepared.config.stratify_subset, prepared.config.seed),
    }


def warn_changed_files(run_dir: Path) -> list[str]:
    """Warn (stderr) about data files of `run_dir` that are gone or changed since it was made; return the lines."""
    lines = run_changed_files(run_dir)
    for line in lines:
        err_console.print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True, highlight=False)
    return lines


def _same_labels(run_labels: tuple[str, ...], data_labels: tuple[str, ...], data: str, run_dir: Path) -> None:
    """SeqlabError naming the difference when a resumed run's dataset no longer has the run's labels.

    Class ids are positions in the label list, so a renamed, added or removed label would silently
    train the saved head on other classes.
    """
    if tuple(run_labels) == tuple(data_labels):
        return
    gone = [label for label in run_labels if label not in data_labels]
    new = [label for label in data_labels if label not in run_labels]
    parts = ([f"missing now: {', '.join(map(repr, gone[:5]))}"] if gone else []) + (
        [f"new: {', '.join(map(repr, new[:5]))}"] if new else [])
    difference = "; ".join(parts) or "the same labels in another order"
    raise SeqlabError(
        f"the labels of {data} differ from the ones run {run_dir} was trained with ({difference}); "
        "restore the data the run was trained on, or start a new training"
    )


def _prepare(config: TrainConfig, context: DistContext, resume_dir: Path | None = None,
             device: torch.device = torch.device("cpu")) -> _Prepared:
    """Load the data, build the encoder and the model (a resumed run reuses its own encoder and spec)."""
    task = config.resolved_task
    loaded = config.source().load()
    splits = loaded.splits
    if loaded.columns is not None:  # store the columns as read (a recognised headerless file included)
        columns = loaded.columns
        config = replace(config, text_column=columns.text, label_column=columns.label,
                         text_pair_column=columns.text_b, no_header=not columns.header)
    train_examples = _train_subset(config, splits.train)
    note = subset_note(len(train_examples), len(splits.train), config.stratify_subset, config.seed)
    if note is not None:  # stated next to the split it is drawn from
        loaded = replace(loaded, notes=(*loaded.notes, note))
    if not train_examples:
        raise SeqlabError(f"dataset {config.dataset_name} has no training examples; check the files in --data-dir")
    if not splits.dev:
        hint = "; pass a dev file with --dev FILE" if config.source().is_file else ""
        raise SeqlabError(f"dataset {config.dataset_name} has no dev split to pick the best epoch on{hint}")
    warnings = check_classes(loaded) if task == "classify" and not config.sentence_objective else []
    if context.is_main:
        for line in warnings:
            err_console.print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True, highlight=False)
    if resume_dir is not None:  # the weights come from state.pt; no pretrained loading or LM transfer
        info = read_run_info(resume_dir)
        _same_labels(info.labels, splits.labels, config.data, resume_dir)
        encoder, spec = load_encoder(resume_dir / ENCODER_DIR), info.spec
        check_max_length(config.max_length, encoder.kind, splits.is_pair)  # validate could not know about pairs
        model = build_model(spec, task, encoder.vocab_size, len(splits.labels), encoder.pad_id, load_weights=False)
    else:
        spec = _model_spec(config)  # first, so a bad --init-from is reported as such
        encoder = _make_encoder(config, train_examples, task)
        check_max_length(config.max_length, encoder.kind, splits.is_pair)
        model = build_model(spec, task, encoder.vocab_size, len(splits.labels), encoder.pad_id)
    if config.init_from and resume_dir is None:
        transfer.init_from_run(Path(config.init_from), model)
    if config.freeze:
        freezing.freeze_body(model)
    dev_examples = _dev_subset(config, splits.dev)
    if config.sentence_objective:  # BERT's pretraining input: pairs of sentences, labelled real or not
        objective, labels = config.sentence_objective, PAIR_LABELS[config.sentence_objective]
        train_set = encode_examples(pair_examples([e.text for e in train_examples], objective, config.seed),
                                    encoder, labels, config.max_length)
        dev_set = encode_examples(pair_examples([e.text for e in dev_examples], objective, DEV_PAIR_SEED),
                                  encoder, labels, config.max_length)
    else:
        train_set = encode_examples(train_examples, encoder, splits.labels, config.max_length)
        dev_set = encode_examples(dev_examples, encoder, splits.labels, config.max_length)
    per_rank = distributed.per_rank_batch_size(config.batch_size, context)
    # on a GPU: few batch shapes (one CUDA graph each), pinned batches, and large dev batches (no gradients)
    gpu = device.type == "cuda"
    on_device = {"pad_multiple": CUDA_LENGTH_MULTIPLE if gpu else 1, "pad_limit": config.max_length, "pin_memory": gpu}
    train_loader = make_loader(train_set, per_rank, shuffle=True, seed=config.seed, bucket=config.bucket,
                               rank=context.rank, world_size=context.world_size, **on_device)
    dev_batch = max(config.batch_size, GPU_EVAL_BATCH) if gpu else config.batch_size
    dev_loader = make_loader(dev_set, dev_batch, shuffle=False, seed=config.seed, bucket=False, **on_device)
    train_gold = [splits.label_id(e.label) for e in train_examples]
    return _Prepared(config, task, splits, encoder, spec, model, train_loader, dev_loader, train_gold, loaded)


def train(config: TrainConfig, console: Console | None = None, quiet: bool = False,
          runs_dir: Path | None = None, on_step: Callable[[int, int, int, int], None] | None = None) -> TrainResult:
    """Train a model as `config` says; write a new run directory (under `runs_dir`, default
    `seqlab.paths.runs_root()`) and return the result. `on_step(epoch, epochs, step, steps)` reports progress."""
    return _run(validate(absolute_paths(config)), console, quiet, resume_dir=None, runs_dir=runs_dir, on_step=on_step)


def resume(run_dir: Path, console: Console | None = None, quiet: bool = False, epochs: int | None = None) -> TrainResult:
    """Continue an interrupted run from its last saved state (optionally to a larger `epochs`)."""
    run_dir = Path(run_dir)
    config = read_run_info(run_dir).config
    if epochs is not None:
        config = replace(config, epochs=epochs)
    config = validate(config)
    if not distributed.from_environment().is_main:  # rank 0 holds the lock for all processes
        return _run(config, console, quiet, resume_dir=run_dir, extend=epochs is not None)
    with locked_folder(run_dir):
        return _run(config, console, quiet, resume_dir=run_dir, extend=epochs is not None)


def _run(config: TrainConfig, console: Console | None, quiet: bool, resume_dir: Path | None,
         runs_dir: Path | None = None, extend: bool = False,
         on_step: Callable[[int, int, int, int], None] | None = None) -> TrainResult:
    context = distributed.from_environment()
    device = distributed.init(context, resolve_device(config.device))
    show = console if (console is not None and not quiet and context.is_main) else None
    created: list[Path] = []  # the new run folder, once made
    try:
        with cpu_threads(config.threads), contextlib.ExitStack() as stack:
            seed_everything(config.seed)
            prepared = _prepare(config, context, resume_dir, device)
            model = prepared.model.to(device)
            parameters = sum(p.numel() for p in model.parameters())
            stack.enter_context(cpu_threads(auto_threads(parameters, device, config.threads)))
            optimizer = make_optimizer(model, config)
            total_steps = config.epochs * len(prepared.train_loader)
            scheduler = lr_schedule(optimizer, total_steps, config.warmup_ratio, config.schedule)
            start: FitProgress | None = None
            if resume_dir is not None:
                start = restore_resumable(resume_dir, model, optimizer, scheduler)
                if start.finished and is_finished(resume_dir):
                    if start.epoch >= config.epochs or (start.stopped_early and not extend):
                        how = "stopped early after" if start.stopped_early else "already finished"
                        raise SeqlabError(
                            f"run {resume_dir} {how} {start.epoch} epochs; "
                            "pass --epochs N with a larger N to train it further"
                        )
                    # training further: patience starts counting again
                    start.finished, start.stopped_early, start.bad_epochs = False, False, 0
                elif start.finished and extend and start.epoch < config.epochs:
                    start.finished, start.stopped_early, start.bad_epochs = False, False, 0
                # else: killed after the last checkpoint but before predictions/result; fit() trains
                # nothing and _finish writes the missing outputs from model.safetensors
                run_dir: Path | None = resume_dir
                if context.is_main:
                    truncate_metrics(resume_dir, start.epoch)
            elif context.is_main:
                run_dir = new_run_dir(runs_dir or runs_root(), config.run_name)
                created.append(run_dir)
                stack.enter_context(locked_folder(run_dir))  # a --resume started meanwhile waits its turn
                write_config(run_dir, prepared.config, prepared.spec, prepared.splits.labels, prepared.task,
                             prepared.splits.is_pair, data=data_record(prepared))
                prepared.encoder.save(run_dir / ENCODER_DIR)
            else:
                run_dir = None
            if show is not None:
                where = f"resuming at epoch {start.epoch + 1}:" if start else "run folder:"
                show.print(f"[bold]{config.family}[/] on {escape(config.dataset_name)}: {parameters:,} parameters, "
                           f"{device}", soft_wrap=True)
                # the folder on a line of its own, so a narrow terminal never breaks it inside a word
                show.print(f"  {where} {escape(str(run_dir))}", soft_wrap=True, highlight=False)
                for note in prepared.loaded.notes if prepared.loaded else ():
                    show.print(f"[dim]{escape(note)}[/]", soft_wrap=True)
            if resume_dir is not None and context.is_main:
                warn_changed_files(resume_dir)
            trainable = distributed.wrap(model, context, device)
            if config.compile:
                trainable = torch.compile(trainable)
            task = _make_task(prepared)
            use_graphs = (config.cuda_graphs and prepared.task == "classify"
                          and graphs_supported(model, device, distributed=context.enabled, compiled=config.compile))
            options = FitOptions(
                epochs=config.epochs, grad_clip=config.grad_clip, patience=config.patience,
                log_every=config.log_every, cuda_graphs=use_graphs,
                resume_hint=f"seqlab train --resume {run_dir}" if run_dir else "seqlab train --resume RUN",
            )
            fitted = fit(trainable, task, prepared.train_loader, prepared.dev_loader, optimizer, scheduler, options,
                         device=device, run_dir=run_dir, dist=context, start=start, console=show, quiet=quiet,
                         on_step=on_step)
            result = _finish(prepared, model, fitted, run_dir, device, parameters, context)
        distributed.wait_for_all(context)
        return result
    except OSError as exc:  # after the folder's lock is released, so the folder can go
        _drop_unstarted_run(created, exc)
        raise
    finally:
        distributed.shutdown(context)


def _drop_unstarted_run(created: list[Path], exc: OSError) -> None:
    """Remove a new run folder that failed (a full disk, a read-only folder) before its first epoch was saved:
    nothing in it can be resumed, and `seqlab runs` would list it as damaged. Raises the one line for a full disk."""
    if not created or (created[0] / STATE_FILE).exists():
        return
    shutil.rmtree(created[0], ignore_errors=True)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        raise SeqlabError(f"no space left on the disk holding {created[0].parent}; the new run had no epoch saved "
                          "yet, so its folder was removed: free some space and train again") from None


def _make_task(prepared: _Prepared) -> Any:
    """What the fit loop optimizes: next tokens, masked tokens, or labels."""
    if prepared.task == "lm":
        return LanguageModelTask()
    if prepared.task == "mlm":
        return MaskedLMTask(MaskVocab.of(prepared.encoder),
                            masking_rule(prepared.config),
                            sentence_objective=prepared.config.sentence_objective)
    return ClassificationTask(prepared.splits.labels)


def _score_test(prepared: _Prepared, model: nn.Module, device: torch.device) -> Metrics | None:
    """The --test file scored once with the weights already loaded (the best epoch's); None without --test.

    Only a test file the user gave is scored: it played no part in training or in choosing the epoch."""
    config, splits = prepared.config, prepared.splits
    if not config.test or not splits.test or config.sentence_objective:
        return None
    dataset = encode_examples(splits.test, prepared.encoder, splits.labels, config.max_length)
    gpu = device.type == "cuda"
    loader = make_loader(dataset, max(config.batch_size, GPU_EVAL_BATCH) if gpu else config.batch_size,
                         shuffle=False, seed=config.seed, bucket=False,
                         pad_multiple=CUDA_LENGTH_MULTIPLE if gpu else 1, pad_limit=config.max_length)
    outputs = classify_loader(model, loader, device)
    return compute_metrics(outputs.gold, outputs.predicted, splits.labels, split="test",
                           loss=outputs.loss_sum / max(len(outputs.gold), 1), train_gold=prepared.train_gold,
                           seed=config.seed)


def _finish(prepared: _Prepared, model: nn.Module, fitted: FitResult, run_dir: Path | None, device: torch.device,
            parameters: int, context: DistContext) -> TrainResult:
    """Reload the best weights, score them on dev, and write predictions.tsv and result.json (rank 0)."""
    progress = fitted.progress
    records = read_metrics(run_dir) if run_dir else fitted.history
    best_record = next((r for r in records if r.get("split") == "dev" and r.get("event") == "epoch"
                        and r.get("epoch") == progress.best_epoch), {})
    best_record = {k: v for k, v in best_record.items() if k not in {"event", "epoch", "step", "split"}}
    dev: Metrics | None = None
    if prepared.task == "classify" and run_dir is not None:  # other ranks have nothing to report
        load_weights(model, run_dir / BEST_WEIGHTS, device=str(device))
        outputs = classify_loader(model, prepared.dev_loader, device)
        labels = prepared.splits.labels
        dev = compute_metrics(outputs.gold, outputs.predicted, labels, split="dev",
                              loss=outputs.loss_sum / max(len(outputs.gold), 1),
                              train_gold=prepared.train_gold, seed=prepared.config.seed)
        rows = [(e.shown, e.label, labels[p], probs[p])
                for e, p, probs in zip(prepared.splits.dev, outputs.predicted, outputs.probabilities)]
        write_predictions(run_dir, rows)
    test = _score_test(prepared, model, device) if dev is not None else None
    epochs = [r for r in records if r.get("split") == "train" and r.get("event") == "epoch" and "seconds" in r]
    epoch_seconds = tuple(float(r["seconds"]) for r in epochs)
    mean_rate = (sum(float(r.get("items", 0)) for r in epochs) / max(sum(epoch_seconds), 1e-9)
                 if epochs else fitted.samples_per_second)
    result = TrainResult(
        run_dir=run_dir, task=prepared.task, best_epoch=progress.best_epoch, epochs_run=progress.epoch,
        stopped_early=progress.stopped_early, dev=dev, dev_record=best_record, seconds=fitted.seconds,
        samples_per_second=mean_rate, device=str(device), parameters=parameters, epoch_seconds=epoch_seconds,
        rate_unit={"lm": "tokens", "mlm": "masked tokens"}.get(prepared.task, "examples"),
        hint=schedule_hint(prepared.config, progress.step, dev), test=test,
    )
    if run_dir is not None:
        best_dev = (dev.accuracy if dev is not None
                    else best_record.get("accuracy" if prepared.task == "mlm" else "perplexity"))
        write_result(run_dir, {"best_dev": best_dev, **asdict(result), "world_size": context.world_size})
    return result
