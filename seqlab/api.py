"""seqlab from Python: `seqlab.train(...)`, `seqlab.attention(...)`, ... call the same seqlab.lab functions as the CLI.

Each function takes the command's options as keyword arguments, with the command's defaults, and returns the
lab's report: `.to_json()` is what `--json` prints, and in a notebook the report shows itself (tables,
figures, proofs as LaTeX, the attention explorer inline; nothing fetched from a network). A *source* is a run
folder (a path, or the report `seqlab.train` returned), "pretrained" (the bundled MiniLM, or `checkpoint=`),
"fresh" (a small untrained model, seeded), or a model seqlab built; `seqlab.check` also takes a learner's own
function, nn.Module class, module or "FILE.py:NAME".

    >>> import seqlab
    >>> run = seqlab.train(epochs=1)                  # an LSTM on the built-in corpus, in seconds
    >>> seqlab.attention("pretrained", "The cat sat.")  # the explorer, inline in a notebook
"""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from torch import nn

import seqlab.explain
import seqlab.notebook.reports  # noqa: F401  (registers how every report below shows itself)
from seqlab.console import console as terminal
from seqlab.data.registry import is_table_path
from seqlab.data.sources import ColumnChoice
from seqlab.errors import SeqlabError
from seqlab.experiments.config import DEFAULT_SEEDS, ExperimentConfig
from seqlab.impl.check import check as check_object
from seqlab.impl.templates import ENTRY_NAMES
from seqlab.lab import attention as lab_attention
from seqlab.lab import check as lab_check
from seqlab.lab import evaluate as lab_evaluate
from seqlab.lab import experiment as lab_experiment
from seqlab.lab import explain as lab_explain
from seqlab.lab import params as lab_params
from seqlab.lab import predict as lab_predict
from seqlab.lab import prove as lab_prove
from seqlab.lab import quiz as lab_quiz
from seqlab.lab import train as lab_train
from seqlab.notebook.progress import NotebookProgress, in_notebook
from seqlab.notebook.quiz import has_widgets, input_ask, show_widget_quiz
from seqlab.training.config import TrainConfig, model_spec
from seqlab.viz.attention_steps import parse_head
from seqlab.viz.figures import DEFAULT_DPI

__all__ = ["attention", "check", "evaluate", "experiment", "explain", "params", "predict", "prove", "quiz", "train"]

PathLike = str | Path


def _path(value: PathLike | None) -> Path | None:
    return Path(value).expanduser() if value is not None else None


def _text(value: PathLike | None) -> str | None:
    return str(Path(value).expanduser()) if value is not None else None


def run_folder(source: Any) -> Path:
    """The run folder a source names: a path, or the report `seqlab.train` returned."""
    if isinstance(source, lab_train.TrainReport):
        if source.result.run_dir is None:
            raise SeqlabError("this training saved no run folder (a non-zero torchrun rank); use rank 0's")
        return source.result.run_dir
    if isinstance(source, (str, Path)):
        return Path(source).expanduser()
    raise SeqlabError(f"expected a run folder (a path, or what seqlab.train returned), not {type(source).__name__}")


def _progress(progress: bool | None) -> tuple[Console | None, Any]:
    """(console, on_step) for training: a bar in a notebook, the command's bar on a terminal, else silence."""
    if progress is False:
        return None, None
    if in_notebook():
        return None, NotebookProgress()
    if progress or terminal.is_terminal:
        return terminal, None
    return None, None


def train(
    data: str = "builtin-sentiment", *, model: str = "lstm", task: str = "auto", epochs: int | None = None,
    layers: int | None = None, hidden: int | None = None, embed_dim: int | None = None, heads: int | None = None,
    width: int | None = None, ffn: int | None = None, bidirectional: bool = False, dropout: float | None = None,
    checkpoint: PathLike | None = None, init_from: PathLike | None = None, freeze: bool = False,
    optimizer: str = "adam", lr: float | None = None, weight_decay: float = 0.0, momentum: float = 0.0,
    batch_size: int = 32, warmup: float = 0.1, schedule: str = "linear", grad_clip: float = 1.0,
    patience: int | None = None, bucket: bool = True, max_length: int = 64, max_train_examples: int | None = None,
    split_seed: int = 0, data_dir: PathLike | None = None, dev: PathLike | None = None,
    test: PathLike | None = None, text_column: str | None = None, label_column: str | None = None,
    text_pair_column: str | None = None, no_header: bool = False, whole_word_masking: bool = False,
    sentence_objective: str | None = None, seed: int = 0, device: str = "auto", threads: int | None = None,
    compile: bool = False, cuda_graphs: bool = True, resume: PathLike | None = None, name: str | None = None,
    log_every: int = 20, runs_dir: PathLike | None = None, progress: bool | None = None,
) -> lab_train.TrainReport:
    """Train a model and save it as a run folder, as `seqlab train` does; the options are its options.

    `progress`: None shows a live bar in a notebook or on a terminal and nothing elsewhere (a script's log),
    False never, True also as plain lines in a log. `resume` continues a run folder (to `epochs`, if given).

        >>> report = seqlab.train(model="transformer", width=32, heads=2, epochs=1, seed=0)
        >>> report.result.run_dir   # then seqlab.evaluate(report), seqlab.attention(report, "a fine film")
    """
    console, on_step = _progress(progress)
    if resume is not None:
        request = lab_train.TrainRequest(resume=_path(resume), epochs=epochs)
    else:
        spec = model_spec(model, layers=layers, hidden=hidden, embed_dim=embed_dim, heads=heads, width=width,
                          ffn=ffn, bidirectional=bidirectional, dropout=dropout, checkpoint=_text(checkpoint))
        request = lab_train.TrainRequest(TrainConfig(
            data=data, data_dir=_text(data_dir), model=spec, task=task, optimizer=optimizer.lower(), lr=lr,
            weight_decay=weight_decay, momentum=momentum, batch_size=batch_size, max_length=max_length,
            **({"epochs": epochs} if epochs is not None else {}), warmup_ratio=warmup, schedule=schedule.lower(),
            grad_clip=grad_clip or None, patience=patience, seed=seed, split_seed=split_seed, device=device,
            threads=threads, freeze=freeze, init_from=_text(init_from), max_train_examples=max_train_examples,
            stratify_subset=max_train_examples is not None, name=name, bucket=bucket, compile=compile,
            cuda_graphs=cuda_graphs, log_every=log_every, dev=_text(dev), test=_text(test),
            text_column=text_column, label_column=label_column, text_pair_column=text_pair_column,
            no_header=no_header, whole_word_masking=whole_word_masking,
            sentence_objective=sentence_objective.strip().lower() if sentence_objective else None,
        ), runs_dir=_path(runs_dir))
    return lab_train.run(request, console=console, on_step=on_step)


def evaluate(
    run: Any, *, split: str | None = None, data: PathLike | None = None, out: PathLike | None = None,
    device: str = "cpu", data_dir: PathLike | None = None, threads: int | None = None,
    text_column: str | None = None, label_column: str | None = None, text_pair_column: str | None = None,
    no_header: bool = False,
) -> lab_evaluate.EvaluateReport:
    """Score a run's best weights on a split of its data (default dev) or on your labelled `data` file, as
    `seqlab evaluate` does.

        >>> seqlab.evaluate("runs/lstm-builtin-sentiment-...", split="test").metrics.accuracy
    """
    return lab_evaluate.run(lab_evaluate.EvaluateRequest(
        run_folder(run), split, device, _path(data_dir), threads, _path(data), _path(out),
        ColumnChoice(text_column, label_column, text_pair_column, no_header)))


def predict(
    run: Any, text: str | None = None, *, pair: str | None = None, top_k: int = 5, data: PathLike | None = None,
    out: PathLike | None = None, device: str = "cpu", threads: int | None = None, text_column: str | None = None,
    label_column: str | None = None, text_pair_column: str | None = None, no_header: bool = False,
) -> lab_predict.PredictReport:
    """A run's prediction for one text (with `pair` for sentence pairs; a masked LM fills each [MASK]), or
    for every row of a `data` file, as `seqlab predict` does.

        >>> seqlab.predict(run, "a warm and funny film").prediction.label
    """
    return lab_predict.run(lab_predict.PredictRequest(
        run_folder(run), text, pair, top_k, device, _path(data), _path(out),
        ColumnChoice(text_column, label_column, text_pair_column, no_header), threads))


def attention(
    source: Any, text: str, pair: str | None = None, query: str | None = None, *, layer: int | None = None,
    head: int | str | None = None, checkpoint: PathLike | None = None, encoder: Any = None,
    out: PathLike | None = None, fmt: str = "png", dpi: int = DEFAULT_DPI, device: str = "cpu", seed: int = 0,
) -> lab_attention.AttentionReport:
    """What every layer and head attends to in `text`, as `seqlab attention` does (figures and pages are
    written to `out`, default a new folder under ./figures); in a notebook the explorer shows inline.

    `source`: a run folder, "pretrained", "fresh" or a model seqlab built (its `encoder`: default WordPiece).
    `query` follows one token; with `head` ("L,H", or H with `layer`) it shows how that row is computed.

        >>> seqlab.attention("pretrained", "The cat sat.", query="cat", head="2,3")
    """
    head_layer, head_index = parse_head(head) if isinstance(head, str) else (None, head)
    if head_layer is not None and layer is not None and head_layer != layer:
        raise SeqlabError(f"layer={layer} and head='{head}' name two layers; give one of them")
    layer = head_layer if head_layer is not None else layer
    options: dict[str, Any] = {"pair": pair, "layer": layer, "head": head_index, "query": query, "out": _path(out),
                               "fmt": fmt, "dpi": dpi, "device": device, "seed": seed}
    if isinstance(source, nn.Module):
        options.update(model=source, encoder=encoder)
    elif source == "pretrained":
        options.update(pretrained=True, checkpoint=_path(checkpoint))
    elif source == "fresh":
        options.update(fresh=True)
    else:
        options.update(run=run_folder(source))
    return lab_attention.run(lab_attention.AttentionRequest(text, **options))


def params(
    model: str | nn.Module | None = None, *, config: PathLike | None = None, run: Any = None, tied: bool = False,
    chart: PathLike | None = None, dpi: int = DEFAULT_DPI,
) -> lab_params.ParamsReport:
    """Parameter counts part by part next to each part's formula, as `seqlab params` does: a preset name or a
    model seqlab built (`model`), a JSON spec / BERT config file (`config`) or a run folder (`run`).

        >>> seqlab.params("bert-base-uncased").report.total
    """
    module = model if isinstance(model, nn.Module) else None
    return lab_params.run(lab_params.ParamsRequest(None if module is not None else model, _path(config),
                                                   None if run is None else run_folder(run), tied, _path(chart), dpi,
                                                   module))


def prove(*ids: str, latex: PathLike | None = None) -> lab_prove.ProveReport:
    """The textbook identities derived step by step with sympy (no ids: all), as `seqlab prove` does; in a
    notebook each step shows as LaTeX. `latex` also writes them to a .tex file.

        >>> seqlab.prove("softmax-shift").all_verified
        True
    """
    return lab_prove.run(lab_prove.ProveRequest(tuple(ids), _path(latex)))


def _entry(module: types.ModuleType, kind: str | None) -> Any:
    """The function or class of a learner's module to check: the kind's entry name, else the one present."""
    names = [ENTRY_NAMES[kind]] if kind in ENTRY_NAMES else list(dict.fromkeys(ENTRY_NAMES.values()))
    found = [name for name in names if hasattr(module, name)]
    if len(found) != 1:
        listed = ", ".join(found) if found else "none of " + ", ".join(names)
        raise SeqlabError(f"module {module.__name__} defines {listed}; pass the function or class itself, "
                          "e.g. seqlab.check(my_module.attention)")
    return getattr(module, found[0])


def check(
    source: Any = "fresh", *ids: str, kind: str | None = None, checkpoint: PathLike | None = None,
    strict: bool = False, device: str = "auto", seed: int = 0,
) -> lab_check.CheckOutcome | lab_check.OwnCodeOutcome:
    """Check identities on a live model, or check a learner's own code, as `seqlab check` does.

    `source`: "fresh", "pretrained" or a run folder (seqlab's identities measured on that model; `ids` picks
    some), or your own code: a function or nn.Module class, a module defining one, or "FILE.py:NAME"
    (`kind` as `--kind`; read off the signature when None).

        >>> seqlab.check(my_attention, kind="attention").exit_code   # 0: every check held on your code
    """
    if isinstance(source, types.ModuleType):
        source = _entry(source, kind)
    if callable(source) and not isinstance(source, nn.Module):  # a learner's function or class
        return lab_check.OwnCodeOutcome(report=check_object(source, kind, seed))
    if isinstance(source, str) and ".py:" in source:
        return lab_check.check_own_code(lab_check.OwnCodeRequest(impl=source, kind=kind, seed=seed))
    if isinstance(source, nn.Module) and not type(source).__module__.startswith("seqlab."):
        report = check_object(type(source), kind, seed)  # the checks build their own, at their sizes and seeds
        note = (f"checked your class {type(source).__name__}: each check builds its own instance at its own sizes "
                "and seed, so the instance you passed was not changed")
        return lab_check.OwnCodeOutcome(report=replace(report, notes=report.notes + (note,)))
    if isinstance(source, nn.Module):
        raise SeqlabError("seqlab.check takes a run folder, 'pretrained' or 'fresh' for its identities, or your own "
                          "function or class; a seqlab model is checked through its run: seqlab.check('runs/NAME')")
    where: dict[str, Any] = {"pretrained": True, "checkpoint": _path(checkpoint)} if source == "pretrained" else (
        {"fresh": True} if source == "fresh" else {"run": run_folder(source)})
    return lab_check.run(lab_check.CheckRequest(ids=tuple(ids), device=device, seed=seed, strict=strict, **where))


def explain(topic: str | None = None, *, text: str | None = None, seed: int = 0) -> lab_explain.ExplainReport:
    """A concept in plain words with its formula and a worked example computed live, as `seqlab explain`
    does (no topic: the list of topics; `text`: the attention topic on your sentence).

        >>> seqlab.explain("softmax")
    """
    return lab_explain.run(lab_explain.ExplainRequest(topic, seed, text))


def quiz(
    topic: str | None = None, *, n: int = 10, seed: int | None = None, answers: str | None = None,
    list_only: bool = False,
) -> lab_quiz.QuizReport:
    """Quiz yourself, as `seqlab quiz` does: in a notebook with buttons (when ipywidgets is installed: the widget
    comes back, its `.report` set once every question is answered), else one input() prompt per question;
    `answers` ("a,false,2048") grades without asking, `list_only` lists.

        >>> seqlab.quiz("attention", n=3, answers="a,true,64").result.score
    """
    request = lab_quiz.QuizRequest(topic=topic, n=n, seed=seed, answers=answers, list_only=list_only)
    if answers is None and not list_only and in_notebook() and has_widgets():
        return show_widget_quiz(request)  # type: ignore[return-value]  # the widget asks; .report once done
    return lab_quiz.run(request, input_ask)


def experiment(
    recipe: str | None = None, *, budget: str = "quick", tiny: bool = False, max_configs: int | None = None,
    seeds: int = DEFAULT_SEEDS, seed: int = 0, epochs: int | None = None, max_train: int | None = None,
    max_length: int | None = None, data: str | None = None, data_dir: PathLike | None = None,
    run: PathLike | None = None, out: PathLike | None = None, reuse: tuple[PathLike, ...] = (), workers: int = 1,
    dev: PathLike | None = None, test: PathLike | None = None, text_column: str | None = None,
    label_column: str | None = None, text_pair_column: str | None = None, no_header: bool = False,
    device: str = "auto", threads: int | None = None, progress: bool | None = None,
) -> lab_experiment.ExperimentReport | lab_experiment.RecipesReport:
    """Run a recipe (a study as resumable trials, into a report folder), as `seqlab experiment run` does;
    no recipe: the list of recipes (`seqlab experiment list`).

        >>> seqlab.experiment("rnn-width", tiny=True, seeds=1)
    """
    if recipe is None:
        return lab_experiment.recipes()
    config = ExperimentConfig(
        recipe=recipe, data_dir=_text(data_dir), data=_absolute(data) if data and is_table_path(data) else data,
        budget="tiny" if tiny else budget, max_configs=max_configs, seeds=seeds, seed=seed, epochs=epochs,
        max_train=max_train, max_length=max_length, device=device, threads=threads, out=_text(out),
        run=_text(run), reuse=tuple(str(folder) for folder in reuse), dev=_absolute(dev), test=_absolute(test),
        text_column=text_column, label_column=label_column, text_pair_column=text_pair_column, no_header=no_header,
        workers=workers,
    )
    console = terminal if progress is not False and (progress or terminal.is_terminal or in_notebook()) else None
    return lab_experiment.run(config, console=console)


def _absolute(path: PathLike | None) -> str | None:
    return str(Path(path).expanduser().resolve()) if path is not None else None


class CallablePackage(types.ModuleType):
    """The package `seqlab.explain` (topics, demos, the quiz bank) that, called, is the API's `explain`:
    `seqlab.explain("softmax")` and `seqlab.explain.catalog` both work."""

    def __call__(self, topic: str | None = None, **options: Any) -> lab_explain.ExplainReport:
        """`seqlab.explain(topic, text=None, seed=0)`: see seqlab.api.explain."""
        return explain(topic, **options)


sys.modules["seqlab.explain"].__class__ = CallablePackage  # allowed since Python 3.5 (see "Customizing module attribute access")
