"""`seqlab train`: train a classifier (or pretrain a causal or masked LM) and save it as a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.commands._common import options_given, user_errors
from seqlab.console import console, emit_json, err_console
from seqlab.models.families import lm_families, lr_defaults, mlm_families, model_help, option_defaults

# Help panels of `seqlab train --help`, in the order they are shown.
DATA, MODEL, OPTIM, RUN, OUTPUT = "Data", "Model (defaults per family)", "Optimisation", "Run", "Output"


def _model_help(text: str, option: str) -> str:
    """An option's help with its default per family, read from the family table (seqlab.models.families)."""
    return f"{text} [default: {option_defaults(option)}]"


@user_errors
def train(
    context: typer.Context,
    data: Annotated[str, typer.Option("--data", metavar="NAME", rich_help_panel=DATA,
                                      help="Dataset name (see `seqlab data list`) or your training file (.tsv/.csv/.jsonl). A file alone is shuffled (seeded) and split 70/10/20% into train/dev/test; with --dev, all of it trains.")] = "builtin-sentiment",
    dev_file: Annotated[Optional[Path], typer.Option("--dev", metavar="FILE", rich_help_panel=DATA, help="Your dev file (picks the best epoch); then no dev split is carved and all of --data trains.")] = None,
    test_file: Annotated[Optional[Path], typer.Option("--test", metavar="FILE", rich_help_panel=DATA, help="Your test file, held out and scored once, at the end of training, with the best epoch's weights (again later: seqlab evaluate RUN --split test); without --dev, dev is a seeded 10% of --data (see --split-seed).")] = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
    max_train_examples: Annotated[Optional[int], typer.Option(
        "--max-train-examples", metavar="N", rich_help_panel=DATA,
        help="Train on a random subset of N examples, with the label mix of the full set (seeded by --seed); the start-up lines and config.json say how many of how many.")] = None,
    split_seed: Annotated[int, typer.Option(
        "--split-seed", metavar="N", rich_help_panel=DATA,
        help="Seed of the dev (and test) split carved from your --data file; fixed, so runs with different --seed train and score on the same rows.")] = 0,
    max_length: Annotated[int, typer.Option("--max-length", metavar="N", rich_help_panel=DATA,
                                            help="Truncate each text to this many tokens.")] = 64,
    data_dir: Annotated[Optional[Path], typer.Option(
        "--data-dir", metavar="DIR", envvar="SEQLAB_DATA", rich_help_panel=DATA,
        help="Folder with the real datasets (sst/, cfimdb/, imdb/, rte/); also $SEQLAB_DATA.")] = None,
    model: Annotated[str, typer.Option("--model", metavar="FAMILY", rich_help_panel=MODEL, help=model_help())] = "lstm",
    task: Annotated[str, typer.Option("--task", metavar="TASK", rich_help_panel=MODEL,
                                      help=f"auto (lm for --model {' or '.join(lm_families())}, else classify), classify, lm, or mlm (BERT's masked language modelling, for --model {' or '.join(mlm_families())}; bert-pretrained gets a fresh MLM head on MiniLM).")] = "auto",
    whole_word_masking: Annotated[bool, typer.Option("--whole-word-masking", rich_help_panel=MODEL,
                                                     help="--task mlm: choose whole words, never a lone ## piece (word vocabularies are whole words already).")] = False,
    sentence_objective: Annotated[Optional[str], typer.Option(
        "--sentence-objective", metavar="nsp|sop", rich_help_panel=MODEL, show_default=False,
        help="--task mlm --model bert: also learn from sentence pairs cut from multi-sentence texts (split after . ! ?). "
             "**nsp** (BERT): half the pairs are two consecutive sentences, half pair a sentence with one from another "
             "text (often solved by topic alone). **sop** (ALBERT): half consecutive, half the same two swapped "
             "(only the order tells them apart). A 2-way head reads the pooled [CLS]; dev reports its accuracy.")] = None,
    layers: Annotated[Optional[int], typer.Option("--layers", metavar="N", rich_help_panel=MODEL, show_default=False,
                                                  help=_model_help("Layers of the RNN / Transformer / BERT.", "layers"))] = None,
    hidden: Annotated[Optional[int], typer.Option("--hidden", metavar="N", rich_help_panel=MODEL,
                                                  help=_model_help("RNN hidden size per direction.", "hidden"))] = None,
    embed_dim: Annotated[Optional[int], typer.Option("--embed-dim", metavar="N", rich_help_panel=MODEL,
                                                     help=_model_help("RNN word-embedding size.", "embed_dim"))] = None,
    heads: Annotated[Optional[int], typer.Option("--heads", metavar="N", rich_help_panel=MODEL,
                                                 help=_model_help("Attention heads; must divide --width.", "heads"))] = None,
    width: Annotated[Optional[int], typer.Option("--width", metavar="N", rich_help_panel=MODEL,
                                                 help=_model_help("Transformer / BERT width (d_model).", "width"))] = None,
    ffn: Annotated[Optional[int], typer.Option("--ffn", metavar="N", rich_help_panel=MODEL,
                                               help=_model_help("Feed-forward inner size per layer.", "ffn"))] = None,
    bidirectional: Annotated[bool, typer.Option("--bidirectional", rich_help_panel=MODEL,
                                                help="Read the text both ways (lstm, gru).")] = False,
    dropout: Annotated[Optional[float], typer.Option("--dropout", metavar="P", rich_help_panel=MODEL,
                                                     help=_model_help("Dropout probability in [0, 1).", "dropout"))] = None,
    checkpoint: Annotated[Optional[Path], typer.Option("--checkpoint", metavar="DIR", rich_help_panel=MODEL,
                                                       help="Hugging Face BERT folder for bert-pretrained (default: the MiniLM of seqlab[pretrained]).")] = None,
    init_from: Annotated[Optional[Path], typer.Option("--init-from", metavar="RUN", rich_help_panel=MODEL,
                                                      help="A language-model run (--model lm, or --task mlm) whose body starts this classifier; shape and vocabulary come from it.")] = None,
    freeze: Annotated[bool, typer.Option("--freeze", rich_help_panel=MODEL,
                                         help="Train only the classification head (pretrained body kept fixed).")] = False,
    optimizer: Annotated[str, typer.Option("--optimizer", metavar="NAME", rich_help_panel=OPTIM,
                                           help="sgd, adagrad, rmsprop, adam or adamw.")] = "adam",
    lr: Annotated[Optional[float], typer.Option("--lr", metavar="X", rich_help_panel=OPTIM,
                                                help=f"Peak learning rate [default: {lr_defaults()}].")] = None,
    weight_decay: Annotated[float, typer.Option("--weight-decay", metavar="X", rich_help_panel=OPTIM,
                                                help="L2 penalty (decoupled for adamw).")] = 0.0,
    momentum: Annotated[float, typer.Option("--momentum", metavar="X", rich_help_panel=OPTIM,
                                            help="Momentum for sgd and rmsprop.")] = 0.0,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N", rich_help_panel=OPTIM,
                                            help="Examples per optimizer step (over all processes).")] = 32,
    epochs: Annotated[Optional[int], typer.Option("--epochs", metavar="N", rich_help_panel=OPTIM,
                                                  help="Passes over the training set [default: 5]; with --resume, a larger number trains further.")] = None,
    warmup: Annotated[float, typer.Option("--warmup", metavar="F", rich_help_panel=OPTIM,
                                          help="Fraction of steps with linearly rising LR, before the --schedule.")] = 0.1,
    schedule: Annotated[str, typer.Option("--schedule", metavar="NAME", rich_help_panel=OPTIM,
                                          help="After the warm-up: **linear** decays the LR to 0 by the last step: it hurts very short runs (a few hundred steps) but wins at full budgets (e.g. 3 epochs of BERT fine-tuning); **constant** holds it, for short runs.")] = "linear",
    grad_clip: Annotated[float, typer.Option("--grad-clip", metavar="X", rich_help_panel=OPTIM,
                                             help="Clip the gradient norm to this value; 0 turns clipping off.")] = 1.0,
    patience: Annotated[Optional[int], typer.Option("--patience", metavar="N", rich_help_panel=OPTIM,
                                                    help="Stop after this many epochs without a better dev score.")] = None,
    bucket: Annotated[bool, typer.Option("--bucket/--no-bucket", rich_help_panel=OPTIM,
                                         help="Batch texts of similar length together (less padding).")] = True,
    seed: Annotated[int, typer.Option("--seed", metavar="N", rich_help_panel=RUN,
                                      help="Random seed; same seed and device give the same numbers.")] = 0,
    device: Annotated[str, typer.Option("--device", metavar="DEVICE", rich_help_panel=RUN,
                                        help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps.")] = "auto",
    threads: Annotated[Optional[int], typer.Option("--threads", metavar="N", rich_help_panel=RUN,
                                                   help="CPU threads for torch (default: 1 for models under 5M parameters on CPU, which bench/threads_small.py measured as fastest; else torch's choice).")] = None,
    compile_model: Annotated[bool, typer.Option("--compile", rich_help_panel=RUN,
                                                help="Compile the model with torch.compile (slower start, maybe faster steps).")] = False,
    cuda_graphs: Annotated[bool, typer.Option("--cuda-graphs/--no-cuda-graphs", rich_help_panel=RUN,
                                              help="On a CUDA GPU, record each batch shape's training step once and replay it as a CUDA graph (Transformer and BERT classifiers; several times faster for small models). No effect on CPU.")] = True,
    resume: Annotated[Optional[Path], typer.Option("--resume", metavar="RUN", rich_help_panel=RUN,
                                                   help="Continue an interrupted run where it stopped; other options come from the run (except --epochs).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", rich_help_panel=OUTPUT,
                                                help="Prefix of the run folder (default: DATA-MODEL).")] = None,
    log_every: Annotated[int, typer.Option("--log-every", metavar="N", rich_help_panel=OUTPUT,
                                           help="Record the training loss in metrics.jsonl every N steps.")] = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", rich_help_panel=OUTPUT,
                                        help="No progress bar or per-epoch lines.")] = False,
    json_output: Annotated[bool, typer.Option("--json", rich_help_panel=OUTPUT,
                                              help="Print the result as JSON instead of a table.")] = False,
    log_to: Annotated[Optional[list[str]], typer.Option(
        "--log-to", metavar="TRACKER", rich_help_panel=OUTPUT,
        help="Also write the run's curves for a tracker, offline, when it ends: **tensorboard** (RUN/tensorboard/) "
             "or **trackio** (a local run in project seqlab; trackio show --project seqlab); repeat for both. "
             "Needs pip install 'seqlab[tracking]', else one line says it was skipped. Off by default.")] = None,
    config_file: Annotated[Optional[Path], typer.Option(
        "--config", metavar="FILE", rich_help_panel=RUN,
        help="Read options from a .toml or .json file (keys are option names: epochs = 3, model = \"gru\", "
             "hidden = 32); options typed here win over it, model options merge onto its model, relative paths "
             "are relative to its folder. A run's config.json re-runs that run.")] = None,
) -> None:
    """Train a model on a dataset and save everything to a new run folder under ./runs (or $SEQLAB_RUNS).

    After every epoch the model is scored on the dev split; the best weights are kept
    (model.safetensors), and metrics.jsonl records the curves. The final table sets dev accuracy
    against two baselines: guessing uniformly at random, and always answering the most common class.

    Examples:

    ```
    seqlab train                      # an LSTM on the built-in corpus: seconds
    seqlab train --model transformer --width 64 --heads 4 --epochs 4
    seqlab train --model lm --name mylm             # pretrain a causal LM,
    seqlab train --model transformer --init-from RUN   # then classify with it
    seqlab train --model bert --task mlm --name mybert   # pretrain as BERT,
    seqlab predict runs/mybert-... "the film was [MASK] ."   # fill the blank
    seqlab train --model bert --init-from runs/mybert-...   # fine-tune its body
    torchrun --nproc-per-node 2 -m seqlab train       # two processes
    seqlab train --config runs/RUN/config.json   # re-run a run
    seqlab train --config small.toml --seed 1    # one option changed
    ```

    An example small.toml (keys are the options, - or _ alike):

    ```
    data = "builtin-sentiment"
    model = "gru"
    hidden = 32
    epochs = 3
    max_train_examples = 500   # a stratified subset, as --max-train-examples
    ```
    """
    from seqlab.lab import train as lab_train
    from seqlab.training.config import TrainConfig, check_resume_options, model_spec

    show = console if not json_output else None
    if resume is not None:
        check_resume_options(options_given(context))  # --lr nan and the like would be ignored silently
        request = lab_train.TrainRequest(resume=resume, epochs=epochs, log_to=tuple(log_to or ()))
    else:
        model_options = dict(layers=layers, hidden=hidden, embed_dim=embed_dim, heads=heads, width=width, ffn=ffn,
                             bidirectional=bidirectional, dropout=dropout,
                             checkpoint=str(checkpoint) if checkpoint else None)
        # with --config the model options merge onto the file's family (seqlab.training.config_file)
        spec = {"family": model.strip().lower()} if config_file else model_spec(model, **model_options)
        request = lab_train.TrainRequest(TrainConfig(
            data=data, data_dir=str(data_dir) if data_dir else None, model=spec, task=task, optimizer=optimizer.lower(),
            lr=lr, weight_decay=weight_decay, momentum=momentum,  # lr None: the family's default (validate)
            batch_size=batch_size, max_length=max_length, **({"epochs": epochs} if epochs is not None else {}),
            warmup_ratio=warmup, schedule=schedule.lower(),
            grad_clip=grad_clip or None, patience=patience, seed=seed, split_seed=split_seed, device=device, threads=threads,
            freeze=freeze, init_from=str(init_from) if init_from else None, max_train_examples=max_train_examples, stratify_subset=max_train_examples is not None,
            name=name, bucket=bucket, compile=compile_model, cuda_graphs=cuda_graphs, log_every=log_every,
            dev=str(dev_file) if dev_file else None, test=str(test_file) if test_file else None,
            text_column=text_column, label_column=label_column, text_pair_column=text_pair_column,
            no_header=no_header,
            whole_word_masking=whole_word_masking,
            sentence_objective=sentence_objective.strip().lower() if sentence_objective else None,
        ), config_file=config_file, given=frozenset(options_given(context)), model_options=model_options,
           log_to=tuple(log_to or ()))
    report = lab_train.run(request, console=show, quiet=quiet)
    result = report.result
    if result.run_dir is None:  # a non-zero rank of torchrun: rank 0 reports
        return
    if json_output:
        for line in report.tracking:  # stderr: stdout stays one JSON document
            err_console.print(line, highlight=False, markup=False)
        emit_json(report.to_json())
        return
    from seqlab.training.render import hint_line, result_table, verdict_line

    console.print(result_table(result))
    verdict = report.verdict
    if verdict is not None:
        console.print(verdict_line(verdict), highlight=False)
    if result.hint:
        console.print(hint_line(result.hint), soft_wrap=False)
    for line in report.tracking:
        console.print(line, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add `seqlab train` to the app."""
    app.command("train")(train)
