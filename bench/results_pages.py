"""Regenerate every results page from its run records, or check that the committed pages match them.

    python bench/results_pages.py           # rewrite the pages below from the records
    python bench/results_pages.py --check   # exit 1, naming the page, when a page differs from its records
    python bench/results_pages.py --resummarize   # first re-read each kept experiment report's trial records with
                                                  # today's recipe code (notes, tables, data), then rewrite the pages

Pages and their records:
- docs/results/accuracy.md    <- bench/results/accuracy.jsonl          (bench/accuracy_report.py)
- docs/results/bench.md       <- bench/results/*.json                  (bench/bench_report.py)
- docs/results/experiments.md <- bench/results/experiments/*.json      (bench/experiments_report.py)
- docs/RESULTS.md: the blocks between `<!-- generated: NAME -->` and `<!-- end: NAME -->` (the accuracy table,
  the IMDB per-epoch table, the masked-LM tables, the experiments summary); every other line of RESULTS.md is prose without
  measured numbers, except the speed table, whose numbers `check_speed_table` finds in docs/results/bench.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import accuracy_report  # noqa: E402
import bench_report  # noqa: E402
import experiments_report  # noqa: E402

RESULTS_PAGE = ROOT / "docs" / "RESULTS.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


@dataclass(frozen=True)
class Row:
    """One row of RESULTS.md's accuracy table: a recorded run, what it is, and what it is held against."""

    what: str
    run: str
    goal: str = ""
    target: float | None = None  # the dev (or, with on_test, test) score the goal names
    on_test: bool = False
    versus: str | None = None  # a recorded run it is compared with (LM transfer vs from scratch)
    study: str | None = None  # a kept multi-seed experiment report of the same comparison


ROWS = (
    Row("MiniLM fine-tuned, SST-5, the reference's schedule", "sst-finetune-constant", "HF loop 0.479", 0.479),
    Row("same with our default schedule", "sst-finetune", "HF loop 0.479", 0.479),
    Row("same, default schedule, lr 5e-5", "sst-finetune-lr5e-5", "HF loop 0.479", 0.479),
    Row("MiniLM frozen, SST-5", "sst-frozen", "HF loop 0.318", 0.318),
    Row("MiniLM fine-tuned, CFIMDB", "cfimdb-finetune", "HF loop 0.922", 0.922),
    Row("MiniLM frozen, CFIMDB", "cfimdb-frozen", "none published"),
    Row("MiniLM fine-tuned, RTE", "rte-finetune", "none published"),
    Row("MiniLM frozen, RTE", "rte-frozen", "none published"),
    Row("LSTM, IMDB 7:1:2, 35,000 train reviews, 6 epochs", "imdb-lstm", "test >= 0.87", 0.87, on_test=True),
    Row("LSTM, IMDB, first 8,000 train reviews, 3 epochs", "imdb-lstm-8k", "CPU-budget stand-in"),
    Row("GRU, IMDB, first 8,000 train reviews, 3 epochs", "imdb-gru-8k", "CPU-budget stand-in"),
    Row("causal LM pretrained, then classified (built-in corpus)", "lm-transfer-builtin", versus="lm-scratch-builtin",
        study="lm-transfer-builtin"),
    Row("causal LM pretrained on SST's training text, then SST", "lm-transfer-sst", versus="lm-scratch-sst"),
    Row("causal LM pretrained on 10,000 IMDB reviews, then CFIMDB", "lm-transfer-cfimdb",
        versus="lm-scratch-cfimdb"),
)
COMMON_FLAGS = ("--data-dir", "--seed", "--device", "--threads", "--name")


def short_command(record: dict) -> str:
    """The `seqlab train` flags that matter, without the ones every run shares; run folders shown as LMRUN."""
    argv = shlex.split(record["command"])
    argv = argv[argv.index("train") + 1:]
    kept: list[str] = []
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg in COMMON_FLAGS:
            skip = True
            continue
        kept.append("LMRUN" if index and argv[index - 1] == "--init-from" else arg)
    return "`" + " ".join(kept) + "`"


def _test(record: dict) -> dict | None:
    return accuracy_report._test(record)


def _scores(record: dict) -> tuple[str, str]:
    """'best dev (F1)' and 'test' cells of a record."""
    dev = record["result"].get("dev") or {}
    test = _test(record)
    dev_cell = f"{dev['accuracy']:.3f} (F1 {dev['macro_f1']:.3f})" if dev else "-"
    test_cell = f"{test['accuracy']:.3f}" if test else "(hidden)"
    return dev_cell, test_cell


def _goal(row: Row, record: dict, records: dict[str, dict]) -> str:
    """The goal cell: the reference and whether it was met (within one point counts), or the comparison."""
    from seqlab.experiments.stats import binomial_half_width

    if row.versus:
        other = records[row.versus]
        dev, base = record["result"]["dev"], other["result"]["dev"]
        noise = binomial_half_width(base["accuracy"], dev["n"])
        gap = dev["accuracy"] - base["accuracy"]
        test = _test(other)
        test_text = f"{test['accuracy']:.3f}" if test else "-"
        first = [r for r in record.get("dev_per_epoch", []) if r.get("epoch") == 2]
        first_base = [r for r in other.get("dev_per_epoch", []) if r.get("epoch") == 2]
        start = (f"; after epoch 2: {first[0]['accuracy']:.3f} vs {first_base[0]['accuracy']:.3f}"
                 if first and first_base else "")
        return (f"from scratch (`{row.versus}`): dev {base['accuracy']:.3f}, test {test_text}; gap {gap:+.3f} on one "
                f"seed each: no verdict (one seed cannot show how much seeds differ; the dev set's sampling noise "
                f"alone is ±{noise:.3f}){start}{_study_verdict(row.study)}")
    if row.target is None:
        return row.goal
    scored = _test(record) if row.on_test else record["result"].get("dev")
    value = scored["accuracy"] if scored else float("nan")
    if value >= row.target:
        verdict = "met"
    elif value >= row.target - 0.01:
        verdict = f"within one point ({value - row.target:+.3f})"
    else:
        verdict = f"missed by {row.target - value:.3f}"
    return f"{row.goal}: {verdict}"


def _study_verdict(name: str | None) -> str:
    """'; over 3 seeds (`NAME`): <its transfer verdict>', read from the kept experiment report, or ''."""
    if name is None:
        return ""
    report = dict(experiments_report.read_reports()).get(name)
    if report is None:
        return ""
    verdicts = [n for n in report.get("notes", []) if n.startswith("transfer vs from scratch")
                or n.startswith("transfer beats") or n.startswith("from scratch beats")]
    seeds = len(report.get("facts", {}).get("seeds", "").split(","))
    return f"; over {seeds} seeds (`{name}`, below): {verdicts[0]}" if verdicts else ""


def accuracy_table(records: dict[str, dict]) -> str:
    """RESULTS.md's accuracy table, every number from bench/results/accuracy.jsonl."""
    lines = ["| what (run name) | command (after `seqlab train`) | best dev (macro-F1) | test | reference / goal |",
             "|---|---|---|---|---|"]
    for row in ROWS:
        record = records.get(row.run)
        if record is None or record.get("exit_code") != 0:
            lines.append(f"| {row.what} (`{row.run}`) | not recorded | - | - | {row.goal} |")
            continue
        dev, test = _scores(record)
        lines.append(f"| {row.what} (`{row.run}`) | {short_command(record)} | {dev} | {test} | "
                     f"{_goal(row, record, records)} |")
    return "\n".join(lines) + "\n"


MLM_SEEDS = (0, 1, 2)
MLM_ARMS = (("MLM body (`--init-from` mlm-pretrain-builtin)", "mlm-transfer-500"),
            ("random init", "mlm-scratch-500"))


def _majority(dev: dict) -> float:
    """The majority-class share of a dev record (its per-class supports)."""
    supports = [c["support"] for c in dev.get("per_class", [])]
    return max(supports) / sum(supports) if supports else float("nan")


def mlm_transfer(records: dict[str, dict]) -> str:
    """RESULTS.md's 'does the MLM body help a classifier?' table: per-seed best dev accuracy of the transfer and
    scratch arms, mean ± sd, the majority baseline and the paired-by-seed verdict, from accuracy.jsonl."""
    from seqlab.experiments.stats import compare, spread

    lines = ["| start (run names) | command (after `seqlab train`) | best dev accuracy, seeds "
             + "/".join(map(str, MLM_SEEDS)) + " | mean ± sd | test, mean |", "|---|---|---|---|---|"]
    arms: dict[str, list[float]] = {}
    majority, n_dev = float("nan"), 0
    for what, prefix in MLM_ARMS:
        found = [records.get(f"{prefix}-s{seed}") for seed in MLM_SEEDS]
        if not all(r and r.get("exit_code") == 0 for r in found):
            lines.append(f"| {what} (`{prefix}-sS`) | not recorded | - | - | - |")
            continue
        devs = [r["result"]["dev"] for r in found]
        scores = arms[prefix] = [d["accuracy"] for d in devs]
        majority, n_dev = _majority(devs[0]), devs[0]["n"]
        tests = [t["accuracy"] for r in found if (t := _test(r))]
        s = spread(scores)
        command = short_command(found[0]).replace(f"--seed {MLM_SEEDS[0]}", "--seed S")
        test_cell = f"{spread(tests).mean:.3f}" if len(tests) == len(found) else "-"
        lines.append(f"| {what} (`{prefix}-sS`) | {command} `--seed S` | "
                     f"{' / '.join(f'{v:.3f}' for v in scores)} | {s.mean:.3f} ± {s.sd:.3f} | {test_cell} |")
    text = "\n".join(lines) + "\n"
    if len(arms) == 2:
        (_, a), (_, b) = MLM_ARMS
        c = compare("MLM body", arms[a], "random init", arms[b], n_examples=n_dev, seeds_a=MLM_SEEDS,
                    seeds_b=MLM_SEEDS)
        text += (f"\nMajority baseline {majority:.3f} ({n_dev} dev examples). Per-seed difference (MLM body - random "
                 f"init): {' / '.join(f'{x - y:+.3f}' for x, y in zip(arms[a], arms[b]))}; mean "
                 f"{c.difference:+.3f} ± {c.half_width:.3f} (95% interval, {c.method}, with the dev set's sampling "
                 f"noise). Verdict: {c.verdict}.\n")
    return text


MLM_BUILTIN_ROWS = (("mlm-pretrain-builtin", "word vocabulary + `<mask>`"),
                    ("mlm-bert-builtin", "MiniLM's WordPiece vocabulary, most of the parameters its embeddings"),
                    ("mlm-bert-builtin-defaults", "the defaults: 5 epochs, lr 3e-3, dropout 0.1"),
                    ("mlm-bert-builtin-lr1e-3", "dropout 0.1"),
                    ("mlm-transformer-builtin-4ep", "the tour's scale: 4 epochs, defaults"))


def _thousands(n: int) -> str:
    """78k, 2.1M."""
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def mlm_builtin(records: dict[str, dict]) -> str:
    """RESULTS.md's masked-LM table on the built-in corpus: each recorded run's dev masked-token top-1 and
    perplexity (its best epoch), parameters, training seconds and the command's wall seconds, from
    accuracy.jsonl."""
    lines = ["| command (after `seqlab train`) (run name) | dev masked-token top-1 | dev perplexity | "
             "train s / command wall s |", "|---|---|---|---|"]
    for name, what in MLM_BUILTIN_ROWS:
        record = records.get(name)
        if record is None or record.get("exit_code") != 0:
            lines.append(f"| not recorded (`{name}`) | - | - | - |")
            continue
        result = record["result"]
        dev = result["dev_record"]
        lines.append(f"| {short_command(record)} (`{name}`; {_thousands(result['parameters'])} params, {what}) | "
                     f"{100 * dev['accuracy']:.1f}% | {dev['perplexity']:.2f} | "
                     f"{result['seconds']:.0f} / {record['wall_seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def imdb_epochs(records: dict[str, dict]) -> str:
    """Dev accuracy per epoch of the recorded IMDB RNN runs, side by side."""
    names = [n for n in ("imdb-lstm", "imdb-gru", "imdb-lstm-8k", "imdb-gru-8k") if n in records]
    curves = {n: {r["epoch"]: r.get("accuracy") for r in records[n].get("dev_per_epoch", [])} for n in names}
    epochs = sorted({e for c in curves.values() for e in c})
    lines = ["| epoch | " + " | ".join(f"`{n}` dev" for n in names) + " |", "|---|" + "---|" * len(names)]
    for epoch in epochs:
        cells = [f"{curves[n][epoch]:.3f}" if curves[n].get(epoch) is not None else "" for n in names]
        lines.append(f"| {epoch} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_results_page(text: str) -> str:
    """RESULTS.md with its generated blocks rewritten from the records."""
    records = {r["name"]: r for r in accuracy_report.read_records()}
    blocks = {"accuracy-table": accuracy_table(records), "imdb-epochs": imdb_epochs(records),
              "mlm-transfer": mlm_transfer(records), "mlm-builtin": mlm_builtin(records),
              "experiments": experiments_report.summary_block(experiments_report.read_reports())}

    def fill(match: re.Match) -> str:
        name = match.group("name")
        if name not in blocks:
            raise SystemExit(f"RESULTS.md has an unknown generated block {name!r}")
        return match.group(1) + blocks[name] + match.group(4)

    return BLOCK.sub(fill, text)


NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?x?(?![\w])")


def check_speed_table(results: str, bench_page: str) -> list[str]:
    """Numbers of RESULTS.md's speed table (between '## Speed' and the next '## ') missing from bench.md."""
    section = results.split("## Speed", 1)[-1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not line.startswith("|---")][1:]
    missing = []
    for row in rows:
        measured = row.split("|")[3] if row.count("|") >= 4 else row  # the "ours vs reference" column
        for number in NUMBER.findall(measured):
            bare = number.rstrip("x")
            if not re.search(rf"(?<![\d.]){re.escape(bare)}(?![\d])", bench_page):
                missing.append(number)
    return missing


DECIMAL = re.compile(r"(?<![\d.])0\.\d{3}(?!\d)")


def _floats(value: object) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def unbacked_note_numbers(notes: str, records: list[dict]) -> list[str]:
    """Three-decimal scores (0.xyz) in hand-written notes that no record holds (rounded to three places)."""
    known = {f"{f:.3f}" for record in records for f in _floats(record)}
    return sorted({n for n in DECIMAL.findall(notes) if n not in known})


def resummarize(path: Path) -> bool:
    """Rewrite a kept experiment report's summary (the notes after its plan's, its tables and data) from its own
    trial records with today's recipe code: the trials, config, command and facts stay as recorded. Figures go to a
    temporary folder (the kept report has none). True when anything changed."""
    import dataclasses
    import tempfile

    from seqlab.experiments.config import ExperimentConfig
    from seqlab.experiments.recipes import get_recipe
    from seqlab.io import atomic_write_json, to_jsonable

    report = json.loads(path.read_text(encoding="utf-8"))
    config = ExperimentConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in report["config"].items()})
    recipe = get_recipe(report["recipe"])
    planned = len(recipe.plan(config).notes)  # the plan's notes as recorded (an old report's plan may differ)
    with tempfile.TemporaryDirectory() as out:
        summary = recipe.summarize(config, report["trials"], Path(out))
    updated = {**report, "notes": report["notes"][:planned] + list(summary.notes),
               "tables": to_jsonable([dataclasses.asdict(t) for t in summary.tables]),
               "data": to_jsonable(summary.data)}
    if updated == report:
        return False
    atomic_write_json(path, updated)
    return True


def render_all() -> dict[Path, str]:
    """Every page as its records make it."""
    return {
        accuracy_report.PAGE: accuracy_report.render(accuracy_report.read_records()),
        bench_report.PAGE: bench_report.render(),
        experiments_report.PAGE: experiments_report.render(experiments_report.read_reports()),
        RESULTS_PAGE: render_results_page(RESULTS_PAGE.read_text(encoding="utf-8")),
    }


def stale_pages() -> list[str]:
    """One line per page whose committed text differs from what its records make (empty: all current)."""
    problems = []
    pages = render_all()
    for path, text in pages.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(ROOT)} differs from its records; run: python bench/results_pages.py")
    if accuracy_report.NOTES.is_file():
        every = [json.loads(line) for line in accuracy_report.RECORDS.read_text().splitlines() if line.strip()]
        unbacked = unbacked_note_numbers(accuracy_report.NOTES.read_text(encoding="utf-8"), every)
        if unbacked:
            problems.append(f"bench/results/accuracy_notes.md quotes scores no record holds: {', '.join(unbacked)}")
    missing = check_speed_table(pages[RESULTS_PAGE], pages[bench_report.PAGE])
    if missing:
        problems.append(f"docs/RESULTS.md speed table numbers not in docs/results/bench.md: {', '.join(missing)}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is stale")
    parser.add_argument("--resummarize", action="store_true",
                        help="first re-summarize each kept experiment report from its trial records")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_pages()
        for line in problems:
            print(line)
        raise SystemExit(1 if problems else 0)
    from seqlab.io import atomic_write_text

    if args.resummarize:
        for path in sorted(experiments_report.REPORTS.glob("*.json")):
            if resummarize(path):
                print(f"re-summarized {path.relative_to(ROOT)}")
    for path, text in render_all().items():
        atomic_write_text(path, text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
