"""Counterfactual bias probe: swap he/she, names across genders and origins, pronouns after professions,
and measure how far a trained model's prediction moves."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from seqlab.experiments import bias_probe
from seqlab.experiments.bias_probe import counterfactual_pairs, probe, summarize_shifts
from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.plots import shift_chart
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.recipes.common import Budget, Sizes, train_config
from seqlab.experiments.trials import Trial, TrialContext
from seqlab.training.loading import load_run
from seqlab.viz.figures import save_figure

SIZES = Sizes(full=Budget(epochs=3, max_length=128), quick=Budget(epochs=3, max_length=128, max_train=4000))
QUICK_MODEL = {"family": "lstm", "embed_dim": 64, "hidden_size": 64}
TINY_MODEL = {"family": "lstm", "embed_dim": 16, "hidden_size": 16}
QUICK = "quick-model"


def reference_label(labels: tuple[str, ...]) -> str:
    """The class whose probability the probe follows: 'pos' / the highest sentiment label / the last label."""
    for name in ("pos", "positive", "entailment"):
        if name in labels:
            return name
    return labels[-1]


def measure_bias(payload: dict[str, Any], context: TrialContext) -> dict[str, Any]:
    """Probe the run (payload "run", else the one this trial comes after) with every counterfactual pair."""
    run_dir = Path(payload["run"]) if payload.get("run") else context.after_run
    assert run_dir is not None, "a bias probe needs --run or a quick model trained before it"
    loaded = load_run(run_dir, device="cpu")
    reference = reference_label(loaded.labels)
    results = probe(loaded, counterfactual_pairs(), reference)
    summary = summarize_shifts(results)
    pairs = [{"category": r.pair.category, "swap": r.pair.swap_name, "a": r.pair.a, "b": r.pair.b, "p_a": r.p_a,
              "p_b": r.p_b, "shift": r.shift, "label_a": r.label_a, "label_b": r.label_b,
              "unknown_swapped": r.unknown_swapped} for r in results]
    overall = summary["overall"]
    return {"run": str(run_dir), "reference": reference, "labels": list(loaded.labels), "encoder": loaded.encoder.kind,
            "family": loaded.spec.get("family"), "pairs": pairs, "summary": summary,
            "headline": f"mean |shift| {overall['mean_abs_shift']:.4f}, {overall['flips']} flip(s) in "
                        f"{overall['pairs']} pairs"}


def _templates_hash() -> str:
    text = json.dumps([dataclasses.astuple(p) for p in bias_probe.counterfactual_pairs()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def plan_bias(config: ExperimentConfig) -> Plan:
    """With --run, one probe of that run; else a quick LSTM trained first, then probed."""
    payload = {"templates": _templates_hash()}
    if config.run:
        run = Path(config.run).resolve()
        weights = run / "model.safetensors"
        payload |= {"run": str(run), "weights_mtime": weights.stat().st_mtime if weights.exists() else None}
        return Plan([Trial("probe", {"model": run.name}, measure=measure_bias, payload=payload)], [str(run.name)],
                    [f"probing the run {run}"])
    data = config.data or ("cfimdb" if config.data_dir else "builtin-sentiment")
    model = dict(TINY_MODEL if config.tiny else QUICK_MODEL)
    train = train_config(config, SIZES, data, model)
    trials = [Trial(QUICK, {"model": f"quick {model['family']} on {data}"}, config=train),
              Trial("probe", {"model": f"quick {model['family']} on {data}"}, measure=measure_bias, payload=payload,
                    after=QUICK)]
    notes = [f"no --run given: probing a quick {model['family']} trained on {data} (pass --run RUN to probe yours)"]
    return Plan(trials, [data], notes)


def summarize_bias(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Summary per category and per swap, the pairs that flip the prediction, and a chart of shifts per swap."""
    probed = next(r for r in records if r["name"] == "probe")["result"]
    summary, reference = probed["summary"], probed["reference"]
    overall = summary["overall"]

    def row(name: str, block: dict[str, Any]) -> tuple[str, ...]:
        return (name, str(block["pairs"]), f"{block['mean_abs_shift']:.4f}", f"{block['mean_shift']:+.4f}",
                f"{block['max_abs_shift']:.4f}", str(block["flips"]))

    columns = ("swap", "pairs", "mean |shift|", "mean shift", "max |shift|", "flips")
    tables = [
        ResultTable(f"shift of P({reference}) by category", ("category", *columns[1:]),
                    tuple([row("all", overall)] + [row(c, b) for c, b in summary["by_category"].items()])),
        ResultTable(f"shift of P({reference}) by swap (b minus a)", columns,
                    tuple(row(s, b) for s, b in summary["by_swap"].items())),
    ]
    if summary["flipping_pairs"]:
        tables.append(ResultTable("swaps that change the prediction", ("text a", "text b", "a", "b", "shift"),
                                  tuple((p["a"], p["b"], p["label_a"], p["label_b"], f"{p['shift']:+.4f}")
                                        for p in summary["flipping_pairs"])))
    by_swap = summary["by_swap"]
    save_figure(shift_chart(list(by_swap), [b["mean_shift"] for b in by_swap.values()],
                            f"mean shift of P({reference}) per swap", f"P({reference} | b) - P({reference} | a)"),
                out / "shifts.png")
    worst = overall["max_pair"]
    notes = [f"model: {probed['family']} with a {probed['encoder']} encoder, run {probed['run']}",
             f"largest move: {worst['shift']:+.4f} between '{worst['a']}' and '{worst['b']}'",
             f"{summary['unknown_swapped_words']} swapped word(s) are unknown to the encoder; an unknown word maps "
             "to <unk> on both sides, so that pair cannot move the prediction (absence of evidence, not fairness)",
             "a counterfactual probe shows sensitivity to the swapped word only; small shifts on these templates "
             "do not prove a model unbiased"]
    return Summary(tables, ["shifts.png"], notes, {"summary": summary})


RECIPES = (
    Recipe("bias-probe", "BERT on RTE and SST",
           "Counterfactual pairs (he/she, names across genders and origins, professions) through a trained model: "
           "probability shift per pair and a summary.", plan_bias, summarize_bias),
)
