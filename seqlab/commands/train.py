"""`seqlab train`: train a classifier (or pretrain a causal LM) and save it as a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DataDirOption, DeviceOption, JsonOption, SeedOption, ThreadsOption, user_errors
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.console import console, emit_json

DEFAULT_EPOCHS = 5
MODEL_HELP = "Model family: lstm, gru, transformer, lm (causal LM; pretrains with --task auto), bert (from scratch), bert-pretrained (MiniLM)."


@user_errors
def train(
    data: Annotated[str, typer.Option("--data", help="Dataset name (see `seqlab data list`) or your training file (.tsv/.csv/.jsonl). A file alone is shuffled (seeded) and split 70/10/20% into train/dev/test; with --dev, all of it trains.")] = "builtin-sentiment",
    model: Annotated[str, typer.Option("--model", help=MODEL_HELP)] = "lstm",
    task: Annotated[str, typer.Option("--task", help="auto (lm for --model lm, else classify), classify, or lm.")] = "auto",
    layers: Annotated[Optional[int], typer.Option("--layers", help="Number of RNN / Transformer / BERT layers.")] = None,
    hidden: Annotated[Optional[int], typer.Option("--hidden", help="RNN hidden size per direction.")] = None,
    embed_dim: Annotated[Optional[int], typer.Option("--embed-dim", help="RNN word-embedding size.")] = None,
    heads: Annotated[Optional[int], typer.Option("--heads", help="Attention heads; must divide --width.")] = None,
    width: Annotated[Optional[int], typer.Option("--width", help="Transformer / BERT model width (d_model).")] = None,
    ffn: Annotated[Optional[int], typer.Option("--ffn", help="Feed-forward inner size of each Transformer / BERT layer.")] = None,
    bidirectional: Annotated[bool, typer.Option("--bidirectional", help="Read the text both ways (lstm, gru).")] = False,
    checkpoint: Annotated[Optional[Path], typer.Option("--checkpoint", help="Hugging Face BERT folder for bert-pretrained (default: the MiniLM shipped with seqlab[pretrained]).")] = None,
    dropout: Annotated[Optional[float], typer.Option("--dropout", help="Dropout probability in [0, 1).")] = None,
    optimizer: Annotated[str, typer.Option("--optimizer", help="sgd, adagrad, rmsprop, adam or adamw.")] = "adam",
    lr: Annotated[Optional[float], typer.Option("--lr", help="Peak learning rate [default: 3e-3 for RNNs and Transformers, 5e-4 BERT from scratch, 5e-5 pretrained BERT].")] = None,
    weight_decay: Annotated[float, typer.Option("--weight-decay", help="L2 penalty (decoupled for adamw).")] = 0.0,
    momentum: Annotated[float, typer.Option("--momentum", help="Momentum for sgd and rmsprop.")] = 0.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Examples per optimizer step (over all processes).")] = 32,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Passes over the training set [default: 5]; with --resume, a larger number trains further.")] = None,
    max_length: Annotated[int, typer.Option("--max-length", help="Truncate each text to this many tokens.")] = 64,
    warmup: Annotated[float, typer.Option("--warmup", help="Fraction of steps with linearly rising LR, before the --schedule.")] = 0.1,
    schedule: Annotated[str, typer.Option("--schedule", help="After the warm-up: **linear** (default) decays the LR to 0 by the last step; **constant** holds it (a plain loop, as in most reference scripts). The default wins at full budgets (e.g. 3 epochs of BERT fine-tuning) but hurts very short runs (a few hundred steps): use constant there.")] = "linear",
    grad_clip: Annotated[float, typer.Option("--grad-clip", help="Clip the gradient norm to this value; 0 turns clipping off.")] = 1.0,
    patience: Annotated[Optional[int], typer.Option("--patience", help="Stop after this many epochs without a better dev score.")] = None,
    freeze: Annotated[bool, typer.Option("--freeze", help="Train only the classification head (pretrained body kept fixed).")] = False,
    init_from: Annotated[Optional[Path], typer.Option("--init-from", help="A language-model run whose body starts this classifier (LM transfer); the shape and vocabulary come from that run.")] = None,
    resume: Annotated[Optional[Path], typer.Option("--resume", help="Continue an interrupted run from where it stopped (Ctrl-C saves the step it was on; a killed run restarts its unfinished epoch); other options are taken from the run (except --epochs).")] = None,
    max_train_examples: Annotated[Optional[int], typer.Option("--max-train-examples", help="Use only the first N training examples.")] = None,
    bucket: Annotated[bool, typer.Option("--bucket/--no-bucket", help="Batch texts of similar length together (less padding).")] = True,
    compile_model: Annotated[bool, typer.Option("--compile", help="Compile the model with torch.compile (slower start, maybe faster steps).")] = False,
    cuda_graphs: Annotated[bool, typer.Option("--cuda-graphs/--no-cuda-graphs", help="On a CUDA GPU, record each batch shape's training step once and replay it as a CUDA graph (Transformer and BERT classifiers; several times faster for small models). No effect on CPU.")] = True,
    name: Annotated[Optional[str], typer.Option("--name", help="Prefix of the run folder (default: DATA-MODEL).")] = None,
    threads: ThreadsOption = None,
    log_every: Annotated[int, typer.Option("--log-every", help="Record the training loss in metrics.jsonl every N steps.")] = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or per-epoch lines.")] = False,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    data_dir: DataDirOption = None,
    json_output: JsonOption = False,
    # your own files (issue 21)
    dev_file: Annotated[Optional[Path], typer.Option("--dev", help="Your dev file (picks the best epoch); then no dev split is carved and all of --data trains.")] = None,
    test_file: Annotated[Optional[Path], typer.Option("--test", help="Your test file, held out (score it with: seqlab evaluate RUN --split test); without --dev, dev is a seeded 10% of --data.")] = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Train a model on a dataset and save everything to a new run folder under ./runs (or $SEQLAB_RUNS).

    After every epoch the model is scored on the dev split; the best weights are kept
    (model.safetensors), and metrics.jsonl records the curves. The final table sets dev accuracy
    against two baselines: guessing uniformly at random, and always answering the most common class.

    Examples:

    ```
    seqlab train                                  # an LSTM on the built-in corpus, seconds
    seqlab train --model transformer --width 64 --heads 4 --epochs 4
    seqlab train --model lm --name mylm           # pretrain a causal LM, then
    seqlab train --model transformer --init-from runs/mylm-...   # classify with its body
    torchrun --nproc-per-node 2 -m seqlab train   # two data-parallel processes
    ```
    """
    from seqlab.training.config import TrainConfig, default_lr, model_spec
    from seqlab.training.trainer import resume as resume_run
    from seqlab.training.trainer import train as train_run

    show = console if not json_output else None
    if resume is not None:
        result = resume_run(resume, console=show, quiet=quiet, epochs=epochs)
    else:
        spec = model_spec(model, layers=layers, hidden=hidden, embed_dim=embed_dim, heads=heads, width=width,
                          ffn=ffn, bidirectional=bidirectional, dropout=dropout,
                          checkpoint=str(checkpoint) if checkpoint else None)
        config = TrainConfig(
            data=data, data_dir=str(data_dir) if data_dir else None, model=spec, task=task, optimizer=optimizer.lower(),
            lr=lr if lr is not None else default_lr(spec["family"]), weight_decay=weight_decay, momentum=momentum,
            batch_size=batch_size, epochs=epochs if epochs is not None else DEFAULT_EPOCHS, max_length=max_length,
            warmup_ratio=warmup, schedule=schedule.lower(),
            grad_clip=grad_clip or None, patience=patience, seed=seed, device=device, threads=threads,
            freeze=freeze, init_from=str(init_from) if init_from else None, max_train_examples=max_train_examples,
            name=name, bucket=bucket, compile=compile_model, cuda_graphs=cuda_graphs, log_every=log_every,
            dev=str(dev_file) if dev_file else None, test=str(test_file) if test_file else None,
            text_column=text_column, label_column=label_column, text_pair_column=text_pair_column,
            no_header=no_header,
        )
        result = train_run(config, console=show, quiet=quiet)
    if result.run_dir is None:  # a non-zero rank of torchrun: rank 0 reports
        return
    if json_output:
        emit_json(result)
        return
    from seqlab.training.report import result_table
    from seqlab.training.verdict import judge

    console.print(result_table(result))
    if result.dev is not None:
        verdict = judge(result.dev.accuracy, result.dev.majority_baseline.accuracy, result.epochs_run, result.best_epoch)
        style = "green" if verdict.level == "well above chance" else "yellow"
        console.print(f"verdict: [{style}]{verdict.line}[/]", highlight=False)
    if result.hint:
        from rich.markup import escape

        console.print(f"[yellow]hint:[/] {escape(result.hint)}", soft_wrap=False)


def register(app: typer.Typer) -> None:
    """Add `seqlab train` to the app."""
    app.command("train")(train)
