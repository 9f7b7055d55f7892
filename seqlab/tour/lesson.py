"""The tour as a lesson: what each step teaches, its takeaway computed from what ran, the opening and the ending.

The steps themselves (seqlab.tour.<name>) show things; this module frames them. Each step has one
``Lesson``: the line shown in the opening ("you will learn ..."), a typical duration on a laptop CPU, and
a function that turns the step's summary into one takeaway line. Takeaways read only what the step
returned (and what it left in ``ctx.shared``), so they never claim more than what actually ran.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from rich.console import Console
from rich.text import Text

from seqlab.tour import TourContext, relative_to
from seqlab.tour.render import opening_panel


@dataclass(frozen=True)
class Lesson:
    """What one tour step teaches: the promise in the opening, a typical duration, and its takeaway."""

    learn: str
    typical_seconds: float
    takeaway: Callable[[dict[str, Any], TourContext], str | None]


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _data(summary: dict[str, Any], ctx: TourContext) -> str | None:
    splits = ctx.shared.get("splits")
    counts = summary.get("examples") or {}
    if splits is None or not counts:
        return None

    labels = Counter(example.label for example in splits.train)
    names = list(splits.labels)
    mix = " / ".join(f"{labels.get(name, 0):,} {name}" for name in names)
    return (
        f"{counts.get('train', 0):,} training sentences ({mix}). They are synthetic: built from templates, "
        "so a small model can learn them perfectly; real reviews (SST, IMDB) are much harder."
    )


def _tokenize(summary: dict[str, Any], ctx: TourContext) -> str | None:
    words, pieces = summary.get("word_unknown"), summary.get("wordpiece_unknown")
    if words is None or pieces is None:
        return None
    return (
        f"The word vocabulary lost {words} word(s) to [UNK]; WordPiece lost {pieces}, because it spells an "
        "unseen word from smaller pieces (## marks a piece that continues a word)."
    )


def _train(summary: dict[str, Any], ctx: TourContext) -> str | None:
    runs = {name: value for name, value in summary.items() if isinstance(value, dict) and "dev_accuracy" in value}
    if not runs:
        return None
    parts = [f"{name.upper() if name == 'lstm' else name.capitalize()} {_pct(value['dev_accuracy'])}"
             for name, value in runs.items()]
    majority = summary.get("majority_accuracy")
    line = "Dev accuracy: " + ", ".join(parts)
    if majority is not None:
        line += f"; always guessing the majority label scores {_pct(majority)}"
    line += "."
    if any(value["dev_accuracy"] >= 0.995 for value in runs.values()):
        line += (" 100% is possible only because the built-in corpus is synthetic (templated sentences);"
                 " on real text expect far less.")
    return line


def _explain(summary: dict[str, Any], ctx: TourContext) -> str | None:
    if "correct" not in summary:
        return None
    line = "Attention weights are a softmax over the keys for each query, so every row sums to 1. "
    if summary.get("skipped"):
        return line + "Quiz: skipped."
    verdict = "right" if summary["correct"] else "not right (read the explanation above)"
    if summary.get("answered_by") == "you":
        return line + f"Quiz: your answer was {verdict}."
    return line + "Quiz: answered by the tour (no terminal to ask you on)."


def _attention(summary: dict[str, Any], ctx: TourContext) -> str | None:
    models = {name: value for name, value in summary.items() if isinstance(value, dict) and "heads" in value}
    if not models:
        return None
    parts = []
    for name, value in models.items():
        label = "the trained Transformer" if name.startswith("tour-") else name.split("-")[0]
        text = f"{label} has {value['layers']} x {value['heads']} = {value['layers'] * value['heads']} maps"
        top = value.get("most_attended")
        if top:
            text += f", most attention on '{top}'"
        parts.append(text)
    line = "; ".join(parts)
    return "Every head is its own map of who reads whom. " + line[0].upper() + line[1:] + "."


def _params(summary: dict[str, Any], ctx: TourContext) -> str | None:
    minilm = summary.get("minilm")
    if not isinstance(minilm, dict):
        return None
    parts = minilm.get("parts") or {}
    total = minilm.get("counted") or 0
    line = f"MiniLM has {total:,} parameters"
    words, ffn = parts.get("embeddings.word"), parts.get("layers.*.feed-forward")
    if total and words and ffn:
        line += (f": the word embeddings hold {words:,} ({words / total:.0%}), the feed-forward layers {ffn:,} "
                 f"({ffn / total:.0%})")
    matched = all(value.get("match", False) for value in summary.values() if isinstance(value, dict))
    line += ". Every count matches its formula." if matched else ". Some count does NOT match its formula."
    if summary.get("heads_equal"):
        line += " The number of heads does not change the count."
    return line


def _fill(summary: dict[str, Any], ctx: TourContext) -> str | None:
    if summary.get("top1") is None:
        return None
    line = (f"Trained only to guess hidden words, the model's first guess is right {_pct(summary['top1'])} of the "
            "time on dev")
    if "baseline" in summary:
        line += (f" (always guessing '{summary['baseline_token']}', the most common token, scores "
                 f"{_pct(summary['baseline'])})")
    return line + ". This is how BERT is pretrained before anyone fine-tunes it on labels."


def _write(summary: dict[str, Any], ctx: TourContext) -> str | None:
    if not summary.get("text"):
        return None
    line = f"Trained only to predict the next token, the LM continued '{summary['prompt']}' as '{summary['text']}'"
    if summary.get("perplexity") is not None:
        line += f" (dev perplexity {summary['perplexity']:.1f})"
    return line + ": greedy decoding, the likeliest token at every step. This is how GPT writes."


def _experiment(summary: dict[str, Any], ctx: TourContext) -> str | None:
    if "trials" not in summary:
        return None
    trials = summary["trials"]
    count = len(trials) if isinstance(trials, (list, tuple)) else trials
    line = f"A recipe ran {count} trial(s) and wrote a report"
    if summary.get("rerun_trained") == 0:
        line += "; running it again trained nothing, because finished trials are found by the hash of their config"
    return line + "."


def _proofs(summary: dict[str, Any], ctx: TourContext) -> str | None:
    if "identities" not in summary:
        return None
    total = summary["identities"]
    line = f"{summary.get('proved', 0)} of {total} identities proved with sympy"
    applicable = summary.get("checks_applicable", total)
    if "checks_passed" in summary:
        line += f"; {summary['checks_passed']} of the {applicable} checks that apply to the model passed"
        if applicable < total:
            line += f" ({total - applicable} do not apply to it)"
        own, stand_ins = summary.get("checked_on_model"), summary.get("stand_ins")
        if own is not None and stand_ins:
            line += f" ({own} measured on the trained model itself, {stand_ins} on stand-in modules)"
    ok = summary.get("proved") == total and summary.get("checks_passed", applicable) == applicable
    return line + (": the algebra and the code agree." if ok else ": read the FAIL rows above.")


def most_attended(capture: Any) -> str:
    """The token that receives the most attention, averaged over layers, heads and queries."""
    received = np.asarray(capture.probabilities, dtype=np.float64).mean(axis=(0, 1)).mean(axis=0)  # [T] keys
    return str(capture.tokens[int(received.argmax())])


LESSONS: dict[str, Lesson] = {
    "data": Lesson("what the training data looks like: labels, balance, lengths", 1, _data),
    "tokenize": Lesson("how text becomes ids: a word vocabulary against WordPiece", 1, _tokenize),
    "train": Lesson("how an LSTM and a Transformer learn, judged against baselines", 12, _train),
    "explain": Lesson("what attention computes, and a quiz question for you", 1, _explain),
    "attention": Lesson("what a trained model attends to, as pictures you can open", 6, _attention),
    "params": Lesson("where the parameters of a Transformer are, formula by formula", 1, _params),
    "fill": Lesson("how BERT learns from text without labels: guessing masked words", 12, _fill),
    "write": Lesson("how a causal LM writes: the next token, again and again", 6, _write),
    "experiment": Lesson("how a study is run as a resumable recipe", 2, _experiment),
    "proofs": Lesson("identities proved with algebra, then checked on a live model", 3, _proofs),
}


def takeaway(step_name: str, summary: dict[str, Any], ctx: TourContext) -> str | None:
    """The step's one-line takeaway from what it returned, or None when the step has none (or it failed)."""
    lesson = LESSONS.get(step_name)
    if lesson is None:
        return None
    try:
        return lesson.takeaway(summary, ctx)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError):
        return None  # a step whose summary changed shape loses its takeaway, never the tour


def print_takeaway(console: Console, line: str) -> None:
    """The takeaway as one highlighted paragraph."""
    console.print(Text("➜ ", style="bold green") + Text(line, style="bold"))


def _about(seconds: float) -> str:
    if seconds < 45:
        return "under a minute"
    if seconds < 100:
        return "about a minute or two"
    return f"about {round(seconds / 60)} minutes"


def print_opening(console: Console, steps: list[Any], out_dir: Path, pause: bool) -> None:
    """What the tour teaches, its steps, about how long it takes, and where it writes."""
    learn = [LESSONS[step.name].learn if step.name in LESSONS else step.title for step in steps]
    about = _about(sum(LESSONS[s.name].typical_seconds if s.name in LESSONS else 5 for s in steps))
    console.print(opening_panel(learn, about, pause))
    console.print(Text(f"  {out_dir}"), soft_wrap=True, highlight=False)


def pictures(out_dir: Path) -> list[tuple[str, Path]]:
    """Up to three files worth opening after the tour, with what each shows (only those that exist)."""
    wanted: list[tuple[str, str]] = [
        ("what the trained Transformer attends to, every layer and head", "attention/tour-transformer*/attention-grid.png"),
        ("MiniLM's attention, interactive: pick a head, hover a token (open in a browser)",
         "attention/MiniLM*/attention-explorer.html"),
        ("how the LSTM and the Transformer learned, dev accuracy against the majority baseline",
         "figures/curves*.png"),
    ]
    found: list[tuple[str, Path]] = []
    for label, pattern in wanted:
        matches = sorted(out_dir.glob(pattern), key=lambda path: path.stat().st_mtime)
        if matches and len(found) < 3:
            found.append((label, matches[-1]))  # the newest: a tour run again into its folder adds curves-2.png
    for grid in sorted(out_dir.glob("attention/*/attention-grid.png")):  # a step left out: say whose grid it is
        if len(found) < 3 and all(grid.parent != path.parent for _, path in found):
            found.append((f"{grid.parent.name}'s attention, every layer and head", grid))
    return found


def print_ending(console: Console, out_dir: Path, results: list[dict[str, Any]], total: float,
                 next_commands: list[str]) -> None:
    """How long each step took, the pictures to open, and the commands to try next."""
    console.print()
    console.rule("[bold cyan]the end")
    times = " · ".join(f"{row['step']} {row['seconds']:.1f} s" for row in results)
    console.print(Text(f"Tour done in {total:.0f} s ", style="bold") + Text(f"({times})", style="dim"))

    found = pictures(out_dir)
    console.print()
    console.print(Text("Open these pictures", style="bold") + Text(" (paths inside the tour folder):"))
    console.print(Text(f"  cd {out_dir}"), soft_wrap=True, highlight=False)
    if not found:
        console.print("  (no pictures were made: the attention and experiment steps did not run)")
    for label, path in found:
        console.print(Text(f"  {label}:"))
        console.print(Text(f"    {relative_to(path, out_dir)}", style="green"), soft_wrap=True, highlight=False)
    console.print()
    console.print(Text("Next, try:", style="bold"))
    for command in next_commands:
        console.print(Text(f"  {command}", style="green"), soft_wrap=True, highlight=False)
