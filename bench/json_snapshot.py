"""Run the `--json` of every command on the built-in corpus (tiny seeded trains) and store what each printed.

Used to prove a refactor behaviour-preserving: run it on the base commit and after the change, then compare:

    python bench/json_snapshot.py --out /tmp/before.json      # on the base commit
    python bench/json_snapshot.py --out /tmp/after.json       # after the change
    python bench/json_snapshot.py --compare /tmp/before.json /tmp/after.json

Every command runs in this one process through Typer's CliRunner (its stdout bytes are exactly what `--json`
prints), in order, in a fresh work folder. Masked, because they differ between two runs of the same code:
the work folder's path (and its name: `<WORK>`), run-folder time stamps (`<STAMP>`), and the values of keys that time
things (MASKED_KEYS: seconds, rates, dates, the code version; MASKED_COLUMNS of experiment tables), and the
order of `seqlab runs` (runs made in the same second are listed by name). Everything else is compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

MASKED_KEYS = frozenset({
    "seconds", "samples_per_second", "epoch_seconds", "estimated_seconds", "estimated_low_seconds",
    "estimated_high_seconds", "started", "finished", "created",
    "time", "timestamp", "date", "seqlab", "code_version", "elapsed", "load_average_at_start",
})
MASKED_COLUMNS = frozenset({"s/trial"})  # time columns of experiment tables ({"columns": [...], "rows": [...]})
STAMP = re.compile(r"\d{8}-\d{6}(?:-\d+)?")
TINY_BERT = {"vocab_size": 0, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
             "intermediate_size": 32, "max_position_embeddings": 64, "model_type": "bert"}
TINY = ["--epochs", "1", "--max-train-examples", "64", "--seed", "0", "--device", "cpu", "--threads", "1",
        "--quiet", "--json"]
SMALL_TF = ["--width", "16", "--heads", "2", "--layers", "1", "--ffn", "32"]


def write_tiny_checkpoint(folder: Path, lowercase: bool = True) -> Path:
    """A small random BERT checkpoint (config.json, model.safetensors, vocab.txt) trained on no data."""
    import torch
    from safetensors.torch import save_file

    from seqlab.data.builtin import builtin_sentiment
    from seqlab.data.wordpiece import SPECIAL_TOKENS
    from seqlab.models.bert import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    words = {word for example in builtin_sentiment(seed=0).train for word in example.text.split()}
    if lowercase:
        words = {word.lower() for word in words}
    else:  # a cased vocabulary: capitalised words too, so that the case decides the ids
        words |= {word.capitalize() for word in words}
    vocab = [*SPECIAL_TOKENS, *sorted(words), "##s", "##ing", "##ed", "##able", "##un"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    values = {**TINY_BERT, "vocab_size": len(vocab)}
    (folder / "config.json").write_text(json.dumps(values), encoding="utf-8")
    if not lowercase:
        (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": False}), encoding="utf-8")
    torch.manual_seed(0)
    model = BertModel(BertConfig.from_dict(values))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))
    return folder


def write_own_files(folder: Path) -> tuple[Path, Path]:
    """A train and a dev .tsv (text, label with a header) cut from the built-in corpus."""
    from seqlab.data.builtin import builtin_sentiment

    splits = builtin_sentiment(seed=0)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("train.tsv", splits.train[:80]), ("dev.tsv", splits.dev[:30])):
        path = folder / name
        path.write_text("sentence\tlabel\n" + "".join(f"{r.text}\t{r.label}\n" for r in rows), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def mask(value: Any, work: str) -> Any:
    """`value` with the time-dependent parts replaced (see the module docstring)."""
    if isinstance(value, dict) and isinstance(value.get("columns"), list) and isinstance(value.get("rows"), list):
        timed = [i for i, name in enumerate(value["columns"]) if name in MASKED_COLUMNS]
        rows = [[("<MASKED>" if i in timed else cell) for i, cell in enumerate(row)] if isinstance(row, list) else row
                for row in value["rows"]]
        value = {**value, "rows": rows}
    if isinstance(value, dict):
        return {k: ("<MASKED>" if k in MASKED_KEYS and v is not None else mask(v, work)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, work) for v in value]
    if isinstance(value, str):
        return STAMP.sub("<STAMP>", value.replace(work, "<WORK>").replace(Path(work).name, "<WORK>"))
    return value


def commands(work: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) of every command to run, in order; later ones use the runs the first ones made."""
    own_train, own_dev = write_own_files(work / "own")
    ckpt = write_tiny_checkpoint(work / "tiny-bert")
    spec = work / "spec.json"
    spec.write_text(json.dumps({"family": "transformer", "vocab_size": 500, "num_labels": 2, "d_model": 32,
                                "n_heads": 4, "n_layers": 2, "d_ff": 64}), encoding="utf-8")
    runs = work / "runs"
    run = {name: f"@{name}" for name in ("lstm", "tf", "lm", "mlm", "pair", "own", "bert")}
    out = lambda name: ["--out", str(work / "out" / name)]  # noqa: E731
    return [
        ("data list", ["data", "list", "--json"]),
        ("data stats sentiment", ["data", "stats", "builtin-sentiment", "--json"]),
        ("data stats entailment", ["data", "stats", "builtin-entailment", "--bins", "4", "--json"]),
        ("data show sentiment", ["data", "show", "builtin-sentiment", "-n", "3", "--seed", "2", "--json"]),
        ("data show entailment dev", ["data", "show", "builtin-entailment", "--split", "dev", "--json"]),
        ("data stats own", ["data", "stats", str(own_train), "--dev", str(own_dev), "--text-column", "sentence",
                            "--json"]),
        ("data show own", ["data", "show", str(own_train), "--text-column", "sentence", "--json"]),
        ("tokenize", ["tokenize", "The unlikeable hero was not boring at all.", "--json"]),
        ("tokenize pair", ["tokenize", "a man sleeps", "--pair", "a person rests", "--max-length", "6",
                           "--min-freq", "2", "--json"]),
        ("tokenize vocab", ["tokenize", "The Unlikeable hero", "--wordpiece-vocab", str(ckpt / "vocab.txt"),
                            "--stop-words", "--json"]),
        ("train lstm", ["train", "--name", "lstm", *TINY]),
        ("train tf", ["train", "--model", "transformer", *SMALL_TF, "--name", "tf", *TINY]),
        ("train lm", ["train", "--model", "lm", *SMALL_TF, "--name", "lm", *TINY]),
        ("train mlm", ["train", "--model", "transformer", "--task", "mlm", *SMALL_TF, "--name", "mlm", *TINY]),
        ("train pair", ["train", "--data", "builtin-entailment", "--model", "gru", "--hidden", "16",
                        "--embed-dim", "16", "--name", "pair", *TINY]),
        ("train own", ["train", "--data", str(own_train), "--dev", str(own_dev), "--text-column", "sentence",
                       "--name", "own", *TINY]),
        ("train bert", ["train", "--model", "bert-pretrained", "--checkpoint", str(ckpt), "--name", "bert",
                        "--batch-size", "16", *TINY]),
        ("train resume", ["train", "--resume", run["lstm"], "--epochs", "2", "--quiet", "--json"]),
        ("generate", ["generate", run["lm"], "the film was", "--max-new-tokens", "5", "--json"]),
        ("generate sampled", ["generate", run["lm"], "i did not", "--temperature", "0.8", "--top-k", "20",
                              "--seed", "3", "--max-new-tokens", "5", "--json"]),
        ("runs", ["runs", "--root", str(runs), "--json"]),
        ("evaluate", ["evaluate", run["lstm"], "--json"]),
        ("evaluate test", ["evaluate", run["tf"], "--split", "test", "--json"]),
        ("evaluate file", ["evaluate", run["own"], "--data", str(own_dev), "--json"]),
        ("predict", ["predict", run["lstm"], "the plot was not boring at all .", "--json"]),
        ("predict pair", ["predict", run["pair"], "a man sleeps", "--pair", "a person rests", "--json"]),
        ("predict mlm", ["predict", run["mlm"], "the film was [MASK] .", "--top-k", "3", "--json"]),
        ("predict bert", ["predict", run["bert"], "The Film was great", "--json"]),
        ("predict file", ["predict", run["own"], "--data", str(own_dev), "--json"]),
        ("params preset", ["params", "bert-tiny", "--json"]),
        ("params tied", ["params", "lm-transfer", "--tied", "--json"]),
        ("params run", ["params", "--run", run["lstm"], "--json"]),
        ("params config", ["params", "--config", str(spec), "--chart", str(work / "out" / "params.png"), "--json"]),
        ("attention run", ["attention", run["tf"], "the movie was great", *out("att-tf"), "--json"]),
        ("attention lm query", ["attention", run["lm"], "the movie was great", "--query", "was", "--layer", "0",
                                "--head", "1", "--format", "svg", *out("att-lm"), "--json"]),
        ("attention q.k", ["attention", run["tf"], "the movie was great", "--query", "was", "--head", "0,1",
                           *out("att-qk"), "--json"]),
        ("attention q.k checkpoint", ["attention", "--checkpoint", str(ckpt), "The Cat sat", "--query", "Cat",
                                      "--layer", "1", "--head", "0", *out("att-qk-bert"), "--json"]),
        ("attention checkpoint", ["attention", "--checkpoint", str(ckpt), "The Cat sat", "--pair", "a dog ran",
                                  *out("att-bert"), "--json"]),
        ("compare", ["compare", run["lstm"], run["tf"], run["lm"], *out("compare"), "--json"]),
        ("plot positions", ["plot", "positions", "--d-model", "16", "--max-len", "20", *out("pos"), "--json"]),
        ("plot masks", ["plot", "masks", *out("masks"), "--json"]),
        ("plot lengths", ["plot", "lengths", "builtin-sentiment", *out("lengths"), "--json"]),
        ("plot confusion", ["plot", "confusion", run["lstm"], *out("confusion"), "--json"]),
        ("plot curves", ["plot", "curves", run["tf"], "--format", "svg", *out("curves"), "--json"]),
        ("prove", ["prove", "--json"]),
        ("prove latex", ["prove", "layernorm-norm", "causal-mask", "--latex", str(work / "out" / "p.tex"), "--json"]),
        ("check fresh", ["check", "--fresh", "--device", "cpu", "--json"]),
        ("check strict", ["check", "--fresh", "--strict", "--device", "cpu", "--json"]),
        ("check run", ["check", "--run", run["tf"], "--device", "cpu", "--json"]),
        ("check lstm", ["check", "lstm-memory", "lstm-not-convex", "padding-mask", "--run", run["lstm"],
                        "--device", "cpu", "--json"]),
        ("check mlm", ["check", "--run", run["mlm"], "--device", "cpu", "--json"]),
        ("check pretrained", ["check", "--pretrained", "--checkpoint", str(ckpt), "--device", "cpu", "--json"]),
        ("explain list", ["explain", "--json"]),
        ("explain attention", ["explain", "attention", "--json"]),
        ("explain layer-norm", ["explain", "layer-norm", "--seed", "3", "--json"]),
        ("explain text", ["explain", "attention", "--text", "the cat sat on the mat", "--json"]),
        ("quiz list", ["quiz", "--list", "--n", "4", "--json"]),
        ("quiz answers", ["quiz", "--answers", "3,512*768,true,false", "--n", "4", "--json"]),
        ("quiz topic", ["quiz", "--topic", "attention", "--list", "--seed", "5", "--json"]),
        ("experiment list", ["experiment", "list", "--json"]),
        ("experiment run", ["experiment", "run", "rnn-width", "--tiny", "--seeds", "1", "--max-configs", "1",
                            "--device", "cpu", "--threads", "1", *out("exp"), "--json"]),
        ("tour", ["tour", "--only", "data", "--only", "tokenize", "--only", "params", "--only", "explain",
                  "--only", "attention", "--only", "proofs", "--device", "cpu", *out("tour"), "--json"]),
        ("error: check none", ["check", "--json"]),
        ("error: attention", ["attention", str(work / "nope"), "x", "--json"]),
        ("error: predict", ["predict", run["lstm"], "--json"]),
        ("error: params", ["params", "--json"]),
        ("error: train", ["train", "--model", "nope", "--json"]),
    ]


def resolve(argv: list[str], runs: Path) -> list[str]:
    """`@NAME` -> the run folder whose name starts with NAME- (made by an earlier train command)."""
    resolved = []
    for arg in argv:
        if arg.startswith("@"):
            found = sorted(runs.glob(f"{arg[1:]}-*"))
            arg = str(found[0]) if found else str(runs / arg[1:])
        resolved.append(arg)
    return resolved


def snapshot(work: Path, only: set[str] | None = None) -> dict[str, Any]:
    """Run every command in `work` and return {label: {"exit": code, "stdout": masked JSON or text}}."""
    os.environ["SEQLAB_RUNS"] = str(work / "runs")
    os.environ["SEQLAB_CODE_VERSION"] = "snapshot"
    os.environ["COLUMNS"] = "100"
    os.chdir(work)
    from typer.testing import CliRunner

    from seqlab.cli import app

    runner = CliRunner()
    results: dict[str, Any] = {}
    for label, argv in commands(work):
        if only and label not in only:
            continue
        result = runner.invoke(app, resolve(argv, work / "runs"), catch_exceptions=True)
        text = result.stdout
        try:
            shown: Any = mask(json.loads(text), str(work))
        except json.JSONDecodeError:
            shown = mask(text, str(work))
        if label == "runs" and isinstance(shown, list):  # runs made in the same second: order is timing
            shown = sorted(shown, key=lambda run: json.dumps(run, sort_keys=True))
        entry = {"exit": result.exit_code, "stdout": shown}
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            entry["exception"] = repr(result.exception)
        results[label] = entry
        print(f"{label:<28} exit {result.exit_code}", file=sys.stderr, flush=True)
    return results


def _differences(a: Any, b: Any, where: str):
    """The paths inside two JSON values where they differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            yield from _differences(a.get(key), b.get(key), f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, f"{where}[{index}]")
    elif a != b:
        yield f"{where} ({str(a)[:60]!r} vs {str(b)[:60]!r})"


def compare(before: Path, after: Path) -> int:
    """Print every label whose output differs between two snapshot files; 1 when any does."""
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    differ = sorted(label for label in old.keys() | new.keys() if old.get(label) != new.get(label))
    for label in differ:
        paths = list(_differences(old.get(label), new.get(label), label))
        print(f"differs: {label}: {'; '.join(paths[:3])}{' ...' if len(paths) > 3 else ''}")
    print(f"{len(old)} outputs before, {len(new)} after, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    """Write a snapshot (--out) or compare two (--compare BEFORE AFTER)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--only", action="append", help="Run only this label (repeatable).")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give --out FILE or --compare BEFORE AFTER")
    out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="seqlab-snapshot-") as folder:
        results = snapshot(Path(folder), set(args.only) if args.only else None)
    out.write_text(json.dumps(results, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(results)} outputs written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
