"""Turn the experiment reports kept in bench/results/experiments/*.json into docs/results/experiments.md.

Each JSON file is the results.json an `seqlab experiment run` wrote (its config, command, versions, every
trial record with its seed, and the tables and verdicts made from them), copied here by hand after the run:

    cp OUT/results.json bench/results/experiments/NAME.json
    python bench/results_pages.py         # regenerates this page and the summary in docs/RESULTS.md
"""

from __future__ import annotations

import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPORTS = BENCH / "results" / "experiments"
PAGE = BENCH.parent / "docs" / "results" / "experiments.md"
NOTES = REPORTS / "notes.md"  # hand-written context without measured numbers, included verbatim

# The course's reported IMDB test accuracies (issue 17): one-layer models trained with Adam on the 7:1:2 split.
# Keys are the tags a record must carry; a tag the recipe does not vary takes its default (uni, adam).
COURSE_FIGURES: tuple[tuple[dict[str, str], float, str], ...] = (
    ({"cell": "lstm", "direction": "uni", "optimizer": "adam"}, 0.868, "LSTM with Adam"),
    ({"cell": "gru", "direction": "uni", "optimizer": "adam"}, 0.858, "GRU with Adam"),
    ({"cell": "lstm", "direction": "bi", "optimizer": "adam"}, 0.88, "bidirectional LSTM"),
)
TAG_DEFAULTS = {"direction": "uni", "optimizer": "adam"}


def read_reports() -> list[tuple[str, dict]]:
    """(file stem, report) for every kept report, by name."""
    if not REPORTS.is_dir():
        return []
    return [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(REPORTS.glob("*.json"))]


def _table(table: dict) -> list[str]:
    from seqlab.experiments.report import markdown_safe  # names from the reports' data files are not HTML

    def cell(value: object) -> str:
        return markdown_safe(str(value).replace("\n", " ")).replace("|", "\\|")

    lines = [f"| {' | '.join(cell(c) for c in table['columns'])} |", f"|{'|'.join('---' for _ in table['columns'])}|"]
    return lines + [f"| {' | '.join(cell(c) for c in row)} |" for row in table["rows"]]


def _versions(report: dict) -> str:
    seen = sorted({(v.get("commit", "?"), v.get("torch", "?"))
                   for v in (t.get("versions", {}) for t in report.get("trials", []))})
    return "; ".join(f"code {commit[:12]}{'+dirty' if commit.endswith('+dirty') else ''}, torch {torch}"
                     for commit, torch in seen) or "not recorded"


def section(name: str, report: dict) -> list[str]:
    """One report: the command, its setting, its tables and its reading."""
    from seqlab.experiments.report import code_block, markdown_safe

    facts = {key: markdown_safe(value) for key, value in report.get("facts", {}).items()}
    lines = [f"## {report['recipe']} (`{name}`)", "", *code_block(report["command"]), ""]
    lines += [f"- data: {facts.get('datasets')}; budget: {facts.get('budget', '?')}; seeds: {facts.get('seeds')}; "
              f"device: {facts.get('device')}",
              f"- wall time: {facts.get('wall time')}; estimated before starting: "
              f"{facts.get('estimated before starting', 'not recorded')}",
              f"- made by: {_versions(report)}; finished {facts.get('finished')}", ""]
    lines += [f"- {markdown_safe(note)}" for note in report.get("notes", []) if note] + [""]
    for table in report.get("tables", []):
        lines += [f"### {markdown_safe(table['title'])}", "", *_table(table), ""]
    return lines


def _matches(trial: dict, wanted: dict[str, str]) -> bool:
    tags = {**TAG_DEFAULTS, **{k: v for k, v in trial.get("tags", {}).items() if k != "seed"}}
    return all(tags.get(k) == v for k, v in wanted.items()) and set(tags) - set(wanted) <= set(TAG_DEFAULTS)


def course_comparison(reports: list[tuple[str, dict]]) -> list[str]:
    """Our IMDB test accuracy (mean over seeds) beside the course's figure, for every RNN report at the full budget
    on IMDB that trained a setting the course reports. The course's figure is one run, so it is held against a
    95% prediction interval for one more run of ours (sd * sqrt(1 + 1/S)), not against the interval of our mean."""
    from seqlab.experiments.stats import prediction_half_width, spread
    from seqlab.experiments.summary import scores

    rows = []
    for name, report in reports:
        facts = report.get("facts", {})
        if facts.get("datasets") != "imdb" or facts.get("budget") != "full":
            continue
        for wanted, figure, label in COURSE_FIGURES:
            tests = scores([t for t in report.get("trials", []) if _matches(t, wanted)], split="test")
            if not tests:
                continue
            ours, one_run = spread(tests), prediction_half_width(tests)
            gap = ours.mean - figure
            reading = ("the course's run is inside our prediction interval" if abs(gap) <= one_run
                       else f"the course's run is {'below' if gap > 0 else 'above'} our prediction interval")
            rows.append(f"| {label} | `{name}` | {ours.points()} ({ours.n} seeds) | {100 * ours.mean:.1f} ± "
                        f"{100 * one_run:.1f} | {100 * figure:.1f} | {100 * gap:+.1f} | {reading} |")
    if not rows:
        return []
    return ["## Against the course's figures", "",
            "IMDB test accuracy (%). The course reports one run per model, so its number is held against a 95% "
            "prediction interval for one more run of ours (t with S - 1 degrees of freedom times the seed sd times "
            "sqrt(1 + 1/S)), not against the interval of our mean, which shrinks as seeds are added. Neither covers "
            "a different split or different settings: ours are the recipe's full budget (printed in each report "
            "below); the course's may differ in width, length and epochs.", "",
            "| model | our report | ours: mean ± 95% interval of the mean | ours: one more run (95% prediction) | "
            "course | ours - course | reading |", "|---|---|---|---|---|---|---|",
            *rows, ""]


def budget_table() -> list[str]:
    """What --budget tiny / quick / full train per recipe, read from the recipes' own Sizes."""
    from seqlab.experiments.recipes import all_recipes
    import importlib

    lines = ["## Budgets", "", "What each `--budget` trains per trial (subsets are seeded and label-stratified, "
             "drawn anew per seed). Read from the recipes' code; every configuration runs `--seeds` times (3).", "",
             "| recipes | tiny | quick (default) | full |", "|---|---|---|---|"]
    by_module: dict[str, list[str]] = {}
    for recipe in all_recipes():
        module = importlib.import_module(recipe.plan.__module__)
        if hasattr(module, "SIZES"):
            by_module.setdefault(recipe.plan.__module__, []).append(recipe.name)
    notes = []
    for name, recipes in by_module.items():
        module = importlib.import_module(name)
        sizes = module.SIZES
        lines.append(f"| {', '.join(recipes)} | {sizes.tiny.describe()} | {sizes.quick.describe()} | "
                     f"{sizes.full.describe()} |")
        notes += list(getattr(module, "BUDGET_NOTES", ()))  # what a recipe trains beyond its Sizes
    return lines + ["", *notes, "tokenizers measures (no training): its budget only caps examples at tiny.", ""]


def time_table(reports: list[tuple[str, dict]]) -> list[str]:
    """What each kept report cost: its trials, their summed wall time, and what the command estimated before
    starting (for an idle machine)."""
    if not reports:
        return []
    lines = ["## Time each kept report took", "",
             "Summed wall time of the trials (training, scoring and saving), one torch thread each, on the shared "
             "2-core VM with other work running beside them (load averages of 3 to 10), so the times are upper "
             "bounds; the estimate is what `seqlab experiment run` printed before starting, for an idle machine, "
             "with the code of that day.", "",
             "| report | data, budget | trials | summed trial time | estimated before starting |",
             "|---|---|---|---|---|"]
    for name, report in reports:
        facts = report.get("facts", {})
        summed = sum(float(t.get("wall_seconds", 0.0)) for t in report.get("trials", []))
        estimate = facts.get("estimated before starting", "not recorded")
        if " for 0 trial" in estimate:
            estimate = "not recorded (the last invocation found every trial done)"
        lines.append(f"| `{name}` | {facts.get('datasets')}, {facts.get('budget', '?')} | "
                     f"{len(report.get('trials', []))} | {summed / 60:.0f} min | "
                     f"{estimate} |")
    return lines + [""]


def render(reports: list[tuple[str, dict]]) -> str:
    """The whole page."""
    lines = ["# Experiments: the studies as recipes (measured)", "",
             "Generated by `python bench/results_pages.py` from the reports kept in `bench/results/experiments/`",
             "(each one the results.json of a `seqlab experiment run`, with every trial's seed, config and code",
             "version). ± is the 95% interval of the mean over seeds; a verdict's ± is the 95% interval of the",
             "difference (paired by seed where both settings ran the same seeds, as each report's verdicts say).", ""]
    if NOTES.is_file():
        lines += NOTES.read_text(encoding="utf-8").strip().splitlines() + [""]
    lines += course_comparison(reports)
    lines += budget_table()
    lines += time_table(reports)
    for name, report in reports:
        lines += section(name, report)
    return "\n".join(lines).rstrip() + "\n"


def summary_block(reports: list[tuple[str, dict]]) -> str:
    """The experiments part of docs/RESULTS.md: per report, its setting and its verdicts."""
    if not reports:
        return "No experiment report is kept yet.\n"
    lines = ["Each verdict's ± is the 95% interval of the difference, paired by seed where both settings ran the same "
             "seeds (the verdict says which), with each setting's dev-set sampling term p(1-p)/n; the best of a sweep "
             "against the rest is decided with Holm's correction. \"No difference that these runs can show\" is not "
             "a tie.", "",
             "| recipe (report) | data, budget, seeds | what the runs show |", "|---|---|---|"]
    for name, report in reports:
        facts = report.get("facts", {})
        verdicts = [n for n in report.get("notes", []) if n and (" beats " in n or "no difference" in n
                                                                   or n.startswith("best mean dev"))]
        shown = "; ".join(verdicts[:7]).replace("|", "\\|") or "see the page"
        lines.append(f"| {report['recipe']} (`{name}`) | {facts.get('datasets')}, {facts.get('budget', '?')}, "
                     f"seeds {facts.get('seeds')} | {shown} |")
    return "\n".join(lines) + "\n"
