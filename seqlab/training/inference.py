"""Using a finished run: score it on a split, or classify a text a user types."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from seqlab.data import readers
from seqlab.data.batching import encode_examples, make_loader
from seqlab.data.encoded import at_least_one_position
from seqlab.data.examples import Example
from seqlab.data.readers import TableColumns
from seqlab.data.sources import ColumnChoice, FileRecord, changed_files, fingerprint, read_labelled_file
from seqlab.data.subset import cap_examples
from seqlab.errors import SeqlabError, unknown_choice
from seqlab.io import atomic_create_text
from seqlab.training.metrics import Metrics, compute_metrics
from seqlab.training.loading import LoadedRun, load_run
from seqlab.training.runs import predictions_text, read_data_record
from seqlab.training.tasks import classify_loader

SPLITS: tuple[str, ...] = ("train", "dev", "test")
EVALUATIONS_DIR = "evaluations"  # evaluate --data FILE writes its predictions here, inside the run folder
PREDICTIONS_DIR = "predictions"  # predict --data FILE writes here


@dataclass(frozen=True)
class Prediction:
    """The predicted label of one input and the probability of every class."""

    label: str
    probabilities: dict[str, float]
    tokens: tuple[str, ...] = ()
    words: int = 0  # tokens of the text itself (special tokens such as <sep> or [CLS] not counted)
    unknown_words: int = 0  # of those, how many the run's vocabulary lacks (read as the unknown token)
    warning: str | None = None  # set when most of the text is unknown: the answer then says little about it


UNKNOWN_SHARE_WARNED = 0.5  # warn when more than this share of a text's tokens are unknown to the run
SPECIAL_SPELLINGS = frozenset({"<pad>", "<unk>", "<cls>", "<sep>", "<mask>", "[PAD]", "[UNK]", "[CLS]", "[SEP]",
                               "[MASK]"})


def count_unknown(ids: list[int], tokens: list[str], unk_id: int) -> tuple[int, int]:
    """(tokens of the text, how many of them are the unknown token): special tokens are not counted."""
    text = [i for i, t in zip(ids, tokens) if i == unk_id or t not in SPECIAL_SPELLINGS]
    return len(text), sum(1 for i in text if i == unk_id)


def unknown_warning(words: int, unknown: int) -> str | None:
    """A warning when most of a text's tokens are unknown to the run (None otherwise)."""
    if words == 0 or unknown / words <= UNKNOWN_SHARE_WARNED:
        return None
    every = f"all {words}" if unknown == words else f"{unknown} of {words}"
    return (f"{every} of the text's tokens {'is' if words == 1 else 'are'} unknown to this run's vocabulary, "
            "so the answer reflects the class of unseen words, not your text; use words from the training data")


def _classifier_run(loaded: LoadedRun) -> LoadedRun:
    if loaded.task != "classify":
        kind = "a masked language model" if loaded.task == "mlm" else "a language model"
        raise SeqlabError(
            f"{loaded.run_dir} is {kind} run, not a classifier; fine-tune it first with: "
            f"seqlab train --init-from {loaded.run_dir}"
        )
    return loaded


def _classify_examples(loaded: LoadedRun, examples, batch_size: int):
    """Run a loaded classifier over `examples` in order; the loader's ClassifiedBatchOutputs."""
    dataset = encode_examples(examples, loaded.encoder, loaded.labels, loaded.config.max_length)
    loader = make_loader(dataset, batch_size, shuffle=False, seed=loaded.config.seed, bucket=False)
    return classify_loader(loaded.model, loader, next(loaded.model.parameters()).device)


def evaluate_run(run_dir: Path, split: str = "dev", data_dir: Path | None = None, device: str = "cpu",
                 batch_size: int = 64) -> Metrics:
    """Accuracy, macro-F1, per-class scores, confusion matrix and baselines of a run's best weights on `split`."""
    if split not in SPLITS:
        raise SeqlabError(unknown_choice("split", split, SPLITS))
    loaded = _classifier_run(load_run(Path(run_dir), device=device))
    config = loaded.config
    splits = config.source(data_dir).load().splits
    if tuple(splits.labels) != tuple(loaded.labels):
        changed = run_changed_files(loaded.run_dir)
        fix = changed[0] if changed else "point --data-dir at the dataset the run was trained on"
        raise SeqlabError(
            f"the data's labels ({', '.join(splits.labels)}) differ from the run's ({', '.join(loaded.labels)}); {fix}"
        )
    examples = getattr(splits, split)
    if not examples:
        hint = "; score a file with: seqlab evaluate RUN --data FILE" if config.source().is_file else "; try --split dev"
        raise SeqlabError(f"{config.dataset_name} has no labeled {split} split{hint}")
    outputs = _classify_examples(loaded, examples, batch_size)

    train_examples = cap_examples(splits.train, config.max_train_examples, config.stratify_subset, config.seed)
    train_gold = [splits.label_id(e.label) for e in train_examples]
    return compute_metrics(outputs.gold, outputs.predicted, loaded.labels, split=split,
                           loss=outputs.loss_sum / max(len(outputs.gold), 1), train_gold=train_gold, seed=config.seed)


@dataclass(frozen=True)
class FileEvaluation:
    """A run scored on a file: the metrics, the file's fingerprint, and one prediction row per example."""

    metrics: Metrics
    file: FileRecord
    predictions: tuple[tuple[str, str, str, float], ...]  # text, gold, predicted, probability of the prediction


def run_changed_files(run_dir: Path) -> list[str]:
    """One line per data file of the run that is gone or changed since it was made (see config.json "data")."""
    return changed_files(read_data_record(Path(run_dir)).get("files", []))


def _run_columns(config, choice: ColumnChoice | None) -> TableColumns:
    """The columns to read a file with: the run's, each one overridden by the user's `choice` when given."""
    return (choice or ColumnChoice()).over(config.data_spec.columns).columns()


def _run_for_file(run_dir: Path, device: str, choice: ColumnChoice | None) -> tuple[LoadedRun, TableColumns]:
    """A classifier run and the columns to read a file for it with; a pair run needs its second column."""
    loaded = _classifier_run(load_run(Path(run_dir), device=device))
    columns = _run_columns(loaded.config, choice)
    if loaded.is_pair and columns.text_b is None:
        raise SeqlabError(f"{loaded.run_dir.name} classifies sentence pairs; name the second sentence's column "
                          "with --text-pair-column")
    return loaded, columns


def _train_gold(loaded: LoadedRun) -> list[int] | None:
    """The run's training labels as class ids (for the majority baseline), from config.json's label counts."""
    counts = read_data_record(loaded.run_dir).get("train_label_counts")
    if isinstance(counts, dict) and counts:
        return [loaded.labels.index(label) for label, n in counts.items() if label in loaded.labels
                for _ in range(int(n))]
    try:  # a run made before the counts were stored: read its training data again
        splits = loaded.config.source().load().splits
    except SeqlabError:
        return None
    config = loaded.config  # the same subset the run trained on (stratified, seeded, when it was drawn so)
    train = cap_examples(splits.train, config.max_train_examples, config.stratify_subset, config.seed)
    return [loaded.labels.index(e.label) for e in train if e.label in loaded.labels]


def evaluate_file(run_dir: Path, path: Path, device: str = "cpu", batch_size: int = 64,
                  choice: ColumnChoice | None = None) -> FileEvaluation:
    """Score a run's best weights on any labelled file, read with the run's columns (or `choice` when given).

    Labels the run never saw are one SeqlabError naming them; the majority baseline is the run's
    training majority class."""
    loaded, columns = _run_for_file(run_dir, device, choice)
    config = loaded.config
    examples, record = read_labelled_file(Path(path), columns, loaded.labels)
    outputs = _classify_examples(loaded, examples, batch_size)
    metrics = compute_metrics(outputs.gold, outputs.predicted, loaded.labels, split=Path(path).name,
                              loss=outputs.loss_sum / max(len(outputs.gold), 1), train_gold=_train_gold(loaded),
                              seed=config.seed)
    rows = tuple((e.shown, e.label, loaded.labels[p], probs[p])
                 for e, p, probs in zip(examples, outputs.predicted, outputs.probabilities))
    return FileEvaluation(metrics, record, rows)


def save_file_evaluation(run_dir: Path, evaluation: FileEvaluation, out: Path | None = None) -> Path:
    """Write the predictions of `evaluation` as TSV to a new file (RUN/evaluations/<stem>.predictions.tsv, or
    `out`); the run's own files stay untouched and no existing file is overwritten."""
    text = predictions_text(evaluation.predictions)
    return save_new_file(run_dir, EVALUATIONS_DIR, Path(evaluation.file.path).stem, text, out)


@dataclass(frozen=True)
class FilePredictions:
    """A run's predictions for every row of a file: (text, predicted label, its probability) per row."""

    file: FileRecord
    rows: tuple[tuple[str, str, float], ...]


def predict_file(run_dir: Path, path: Path, device: str = "cpu", batch_size: int = 64,
                 choice: ColumnChoice | None = None) -> FilePredictions:
    """Classify every row of a file (labels not needed), read with the run's text column(s) or `choice`'s."""
    loaded, columns = _run_for_file(run_dir, device, choice)
    path = Path(path)
    readers.check_regular_file(path, "--data file")  # missing, a folder, a named pipe, a link loop: one line
    # only the text is needed: read the text column in the label's place, so unlabelled files work too
    read = readers.read_table(path, replace(columns, label=columns.text))
    examples = [Example(e.text, loaded.labels[0], e.text_b) for e in read]
    outputs = _classify_examples(loaded, examples, batch_size)
    rows = tuple((e.shown, loaded.labels[p], probs[p])
                 for e, p, probs in zip(examples, outputs.predicted, outputs.probabilities))
    return FilePredictions(fingerprint("predicted", path, len(rows)), rows)


def save_new_file(run_dir: Path, subfolder: str, stem: str, text: str, out: Path | None = None) -> Path:
    """Write `text` to a NEW file: `out`, or RUN/<subfolder>/<stem>.predictions.tsv (-2, -3, ... when taken).

    Atomic and exclusive: an existing file is never overwritten (an existing `out` is a SeqlabError)."""
    if out is not None:
        out = Path(out)
        if out.exists():
            raise SeqlabError(f"{out} already exists; seqlab does not overwrite files: pass a new --out path")
        try:
            return atomic_create_text(out, text)
        except FileExistsError:
            raise SeqlabError(f"{out} already exists; seqlab does not overwrite files: pass a new --out path") from None
    folder = Path(run_dir) / subfolder
    for attempt in range(1, 1000):
        target = folder / (f"{stem}.predictions.tsv" if attempt == 1 else f"{stem}.predictions-{attempt}.tsv")
        if target.exists():
            continue
        try:
            return atomic_create_text(target, text)
        except FileExistsError:
            continue
    raise SeqlabError(f"{folder} holds too many predictions of {stem}; clean it up")


def save_file_predictions(run_dir: Path, predictions: FilePredictions, out: Path | None = None) -> Path:
    """Write a FilePredictions as TSV (text, predicted, probability) to a new file in RUN/predictions/ or `out`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["text", "predicted", "probability"])
    for text, label, probability in predictions.rows:
        writer.writerow([text, label, f"{probability:.6f}"])
    return save_new_file(run_dir, PREDICTIONS_DIR, Path(predictions.file.path).stem, buffer.getvalue(), out)


@torch.no_grad()
def predict(loaded: LoadedRun, text: str, text_b: str | None = None) -> Prediction:
    """Classify `text` (and `text_b` for sentence-pair runs) with a loaded run."""
    _classifier_run(loaded)
    if not text.strip():
        raise SeqlabError("the text to classify is empty; pass a sentence in quotes")
    if loaded.is_pair and not (text_b and text_b.strip()):
        raise SeqlabError(f"{loaded.run_dir.name} classifies sentence pairs; pass the second sentence with --pair")
    if text_b is not None and not loaded.is_pair:
        raise SeqlabError(f"{loaded.run_dir.name} classifies single texts; leave out --pair")
    encoded = loaded.encoder.encode(text, text_b, max_length=loaded.config.max_length)
    ids, segments = at_least_one_position(encoded.ids, encoded.segment_ids, loaded.encoder.unk_id)
    device = next(loaded.model.parameters()).device
    input_ids = torch.tensor([ids], dtype=torch.long, device=device)
    mask = torch.ones_like(input_ids, dtype=torch.bool)
    segment_ids = torch.tensor([segments], dtype=torch.long, device=device)
    loaded.model.eval()
    logits = loaded.model(input_ids, mask, segment_ids).logits.float()
    probabilities = logits.softmax(-1)[0].tolist()
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    words, unknown = count_unknown(encoded.ids, encoded.tokens, loaded.encoder.unk_id)
    return Prediction(
        label=loaded.labels[best],
        probabilities={label: float(p) for label, p in zip(loaded.labels, probabilities)},
        tokens=tuple(encoded.tokens),
        words=words,
        unknown_words=unknown,
        warning=unknown_warning(words, unknown),
    )
