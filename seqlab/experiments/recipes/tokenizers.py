"""Word vocabulary vs WordPiece on the same data: vocabulary size, unknown rate, sequence lengths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqlab.data.registry import load_splits
from seqlab.data.vocab import Vocab
from seqlab.data.wordpiece import WordPiece
from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.plots import length_histograms
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.tokenizer_stats import encoder_stats
from seqlab.experiments.trials import Trial, TrialContext
from seqlab.viz.figures import save_figure

WORD_MIN_FREQ = 2  # words seen once in train are dropped, as a real vocabulary does
TINY_EXAMPLES = 600


def _splits(payload: dict[str, Any]):
    splits = load_splits(payload["data"], Path(payload["data_dir"]) if payload["data_dir"] else None,
                         seed=payload["seed"])
    limit = payload["max_train"]
    train = splits.train if limit is None else splits.train[:limit]
    dev = splits.dev if limit is None else splits.dev[:limit]
    return train, dev


def measure_encoder(payload: dict[str, Any], context: TrialContext) -> dict[str, Any]:
    """Vocabulary size, unknown rate and length percentiles of one encoder on the train and dev splits."""
    train, dev = _splits(payload)
    if payload["encoder"] == "word":
        texts = [t for e in train for t in (e.text, e.text_b) if t]
        encoder = Vocab.build(texts, min_freq=payload["min_freq"])
        source = f"words of the train split seen at least {payload['min_freq']} times"
    else:
        encoder = WordPiece.default()
        source = encoder.source
    result: dict[str, Any] = {"kind": encoder.kind, "source": source, "vocab_size": encoder.vocab_size}
    for name, examples in (("train", train), ("dev", dev)):
        stats = encoder_stats(encoder, examples, source)
        result[name] = {"tokens": stats.tokens, "unknown": stats.unknown, "unknown_rate": stats.unknown_rate,
                        "mean_length": stats.tokens / max(len(stats.lengths), 1), **stats.percentiles()}
        if name == "dev":
            result["dev_lengths"] = stats.lengths
    example = dev[0] if dev else train[0]
    encoded = encoder.encode(example.text)
    shown = [f"<unk>({t})" if i == encoder.unk_id else t for t, i in zip(encoded.tokens, encoded.ids)]
    result["example"] = {"text": example.text, "tokens": shown[:40]}
    result["headline"] = f"vocabulary {encoder.vocab_size:,}, {100 * result['dev']['unknown_rate']:.2f}% unknown on dev"
    return result


def plan_tokenizers(config: ExperimentConfig) -> Plan:
    """Two measuring trials on the same data: the word vocabulary built from train, and WordPiece."""
    data = config.data or ("sst" if config.data_dir else "builtin-sentiment")
    max_train = config.max_train or (TINY_EXAMPLES if config.tiny else None)
    base = {"data": data, "data_dir": None if data.startswith("builtin-") else config.data_dir, "seed": config.seed,
            "max_train": max_train, "min_freq": WORD_MIN_FREQ}
    trials = [Trial(name, {"tokenizer": name}, measure=measure_encoder, payload={**base, "encoder": name})
              for name in ("word", "wordpiece")]
    notes = ["lengths count real tokens only ([CLS]/[SEP] left out), untruncated, on the dev split"
             + (f"; first {max_train} examples of each split" if max_train else "")]
    return Plan(trials, [data], notes)


def summarize_tokenizers(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """A side-by-side table, the two length histograms on one figure, and one sentence in both tokenizations."""
    rows = []
    for record in records:
        r = record["result"]
        dev = r["dev"]
        rows.append((record["name"], f"{r['vocab_size']:,}", f"{100 * r['train']['unknown_rate']:.2f}",
                     f"{100 * dev['unknown_rate']:.2f}", f"{dev['mean_length']:.1f}", str(dev["p50"]), str(dev["p90"]),
                     str(dev["p95"]), str(dev["p99"]), str(dev["max"])))
    table = ResultTable("word vocabulary vs WordPiece (dev split)",
                        ("tokenizer", "vocabulary", "unknown % train", "unknown % dev", "mean length", "p50", "p90",
                         "p95", "p99", "max"), tuple(rows))
    examples = ResultTable("one dev sentence, both ways", ("tokenizer", "tokens"),
                           tuple((rec["name"], " ".join(rec["result"]["example"]["tokens"])) for rec in records))
    lengths = {rec["name"]: rec["result"]["dev_lengths"] for rec in records}
    save_figure(length_histograms(lengths, "tokens per dev example"), out / "lengths.png")
    sources = "; ".join(f"{rec['name']}: {rec['result']['source']}" for rec in records)
    notes = [sources, "WordPiece rarely meets an unknown word (it falls back to pieces, down to single characters), at the "
             "price of longer sequences; a word vocabulary maps every unseen word to <unk>"]
    return Summary([table, examples], ["lengths.png"], notes)


RECIPES = (
    Recipe("tokenizers", "pretrained tokenizers",
           "Word vocabulary vs WordPiece on the same data: vocabulary size, unknown rate, length percentiles.",
           plan_tokenizers, summarize_tokenizers),
)
