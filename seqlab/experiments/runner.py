"""Running a recipe end to end: plan, run (or skip) each trial with progress, summarize, write the report."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from seqlab.data.sources import DataSource
from seqlab.device import resolve_device
from seqlab.errors import SeqlabError
from seqlab.experiments.config import ExperimentConfig, stored_config, validate
from seqlab.experiments.estimate import estimate_seconds
from seqlab.experiments.execute import run_trial
from seqlab.experiments.pool import run_in_pool, threads_per_worker
from seqlab.experiments.ray_pool import check_reachable, load_ray, run_on_ray
from seqlab.experiments.recipe import Recipe, Summary
from seqlab.experiments.recipes import get_recipe
from seqlab.experiments.report import (
    EXPERIMENT_FILE,
    environment,
    now_utc,
    reproduce_command,
    write_readme,
    write_results,
)
from seqlab.experiments.trials import Trial, TrialStore, find_finished, trial_key
from seqlab.io import LOCK_FILE, atomic_write_json, locked_folder, new_run_dir
from seqlab.paths import runs_root
from seqlab.training.loop import TrainingInterrupted
from seqlab.training.runs import read_run_info


@dataclass(frozen=True)
class ExperimentResult:
    """How a recipe run went: where the report is, how many trials were trained or found done, the summary."""

    recipe: str
    out_dir: Path
    trials: int
    trained: int
    skipped: int
    seconds: float
    summary: Summary
    readme: Path
    results: Path
    command: str
    estimated_seconds: float = 0.0  # the central estimate printed before starting (seqlab.experiments.estimate)
    estimated_low_seconds: float = 0.0  # its range: an idle machine
    estimated_high_seconds: float = 0.0  # to a busy one


def _out_dir(config: ExperimentConfig) -> Path:
    """--out (created, or an earlier report of the same recipe, resumed), else a new folder under
    <runs>/experiments/. A non-empty folder that is not a report is refused: README.md and results.json
    would replace the user's own files."""
    if config.out is None:
        return new_run_dir(runs_root() / "experiments", config.recipe)
    out = Path(config.out)
    marker = out / EXPERIMENT_FILE
    if out.is_dir() and not marker.is_file() and any(p.name != LOCK_FILE for p in out.iterdir()):
        raise SeqlabError(
            f"--out {out} already holds files that are not a seqlab experiment report; "
            "give a new or empty folder (seqlab never writes its report over your files)"
        )
    if marker.is_file():
        try:
            earlier = json.loads(marker.read_text(encoding="utf-8")).get("recipe")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            earlier = None
        if earlier != config.recipe:
            raise SeqlabError(
                f"--out {out} holds a {earlier or 'damaged'} experiment, not {config.recipe}; "
                "choose another --out folder"
            )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _check_dependencies(trials: list[Trial]) -> None:
    names = [t.name for t in trials]
    if len(set(names)) != len(names):
        raise AssertionError(f"a recipe planned two trials with the same name: {names}")
    for index, trial in enumerate(trials):
        if trial.after is not None and trial.after not in names[:index]:
            raise AssertionError(f"trial {trial.name} comes after {trial.after}, which is not planned before it")


def _check_inputs(config: ExperimentConfig, datasets: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Fail on a bad device, run or dataset (or --executor ray without Ray, or with an address where nothing
    answers) before any report folder is made; return the loaded splits by name. On Ray, whether cuda is there
    is the cluster's business, not this machine's."""
    if config.executor == "ray":
        load_ray()
        check_reachable(config.ray_address)
    if config.executor != "ray" or not config.device.strip().lower().startswith("cuda"):
        resolve_device(config.device)
    if config.run is not None:
        read_run_info(Path(config.run))

    return {name: DataSource(name, Path(config.data_dir) if config.data_dir else None, config.seed, config.dev,
                             config.test, config.column_choice()).load().splits
            for name in datasets}


def _progress(console: Console | None) -> Progress:
    """Two bars: trials (with time left once some finish), and the epoch and step inside the current trial."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, disable=console is None or not console.is_terminal, transient=True,
    )


def _keys(trials: list[Trial]) -> dict[str, str]:
    """Every trial's key (a trial after another hashes that one's key into its own)."""
    keys: dict[str, str] = {}
    for trial in trials:
        keys[trial.name] = trial_key(trial, keys.get(trial.after) if trial.after else None)
    return keys


def _trial_line(record: dict[str, Any], skipped: bool, copied: bool = False) -> str:
    """One line per finished trial: its name, headline number, and time (or where it came from)."""
    result = record.get("result", {})
    if record.get("kind") == "measure":
        headline = str(result.get("headline", "measured"))
    elif "dev" in result:
        headline = f"dev accuracy {100 * result['dev']['accuracy']:.1f}%"
    elif "dev_record" in result:
        headline = f"dev perplexity {result['dev_record'].get('perplexity', float('nan')):.1f}"
    else:
        headline = str(result.get("headline", "measured"))
    if copied:
        how = f"[dim]copied from {escape(record['reused_from'])}[/]"
    elif skipped:
        how = "[dim]done earlier, skipped[/]"
    else:
        how = f"{record.get('wall_seconds', 0):.1f} s"
    return f"  {escape(record['name'])}: {escape(headline)}  ({how})"


def run_experiment(config: ExperimentConfig, console: Console | None = None) -> ExperimentResult:
    """Run recipe `config.recipe`: every planned trial not already done in the output folder, then the report."""
    recipe: Recipe = get_recipe(config.recipe)
    validate(config)
    plan = recipe.plan(config)
    _check_dependencies(plan.trials)
    splits = _check_inputs(config, plan.datasets)
    out_dir = _out_dir(config)
    with locked_folder(out_dir, "experiment report"):  # a second run into the same --out is refused
        command = reproduce_command(config, out_dir)
        atomic_write_json(out_dir / EXPERIMENT_FILE, {"recipe": config.recipe, "config": stored_config(config), "command": command})
        store = TrialStore(out_dir)
        started = time.perf_counter()
        keys = _keys(plan.trials)
        records: list[dict[str, Any]] = []
        pending = [t for t in plan.trials if store.finished(t, keys[t.name]) is None]
        reusable = {t.name: found for t in pending if (found := find_finished(config.reuse, keys[t.name]))}
        to_train = [t for t in pending if t.name not in reusable]
        workers = min(config.workers, len(to_train)) or 1
        estimate = estimate_seconds(to_train, splits).on_workers(workers)  # side by side, each on its own cores
        on_workers = f" on {workers} workers" if workers > 1 else ""
        if config.executor == "ray":
            on_workers = " as Ray tasks (summed over the trials; the cluster runs them side by side)"
        if console is not None:
            console.print(f"[bold]{recipe.name}[/]: {len(plan.trials)} trial(s) on {', '.join(plan.datasets)} at the "
                          f"{config.budget} budget, {config.seeds} seed(s); report in:")
            console.print(Text(f"  {out_dir}"), soft_wrap=True, highlight=False)  # a path whole on its own line
            done = len(plan.trials) - len(pending)
            console.print(f"Estimated time: {estimate.text()} for {len(to_train)} trial(s){on_workers}"
                          + (f" ({done} already done)" if done else "")
                          + (f" ({len(reusable)} copied from --reuse)" if reusable else "")
                          + "\n[dim](an idle machine to a busy one, from measured runs; Ctrl-C keeps the finished "
                          "trials)[/]")
        if (config.workers > 1 or config.executor == "ray") and to_train:
            trained, skipped = _run_parallel(config, plan.trials, keys, store, reusable, out_dir, records, console,
                                             command)
        else:
            trained, skipped = _run_sequential(recipe.name, plan.trials, keys, store, reusable, out_dir, records,
                                               console, command)
        summary = recipe.summarize(config, records, out_dir)
        seconds = time.perf_counter() - started
        facts = _facts(config, plan.datasets, records, trained, skipped, seconds)

        facts["estimated before starting"] = f"{estimate.text()} for {len(to_train)} trial(s){on_workers}"
        readme = write_readme(recipe, config, out_dir, summary, facts, plan.notes)
        results = write_results(out_dir, {
            "recipe": recipe.name, "study": recipe.study, "config": stored_config(config), "command": command,
            "facts": facts, "notes": plan.notes + summary.notes,
            "tables": [asdict(t) for t in summary.tables], "figures": summary.figures, "data": summary.data,
            "trials": records,
        })
        return ExperimentResult(recipe.name, out_dir, len(plan.trials), trained, skipped, seconds, summary, readme,
                                results, command, estimate.seconds, estimate.low, estimate.high)


def _run_sequential(name: str, trials: list[Trial], keys: dict[str, str], store: TrialStore,
                    reusable: dict[str, tuple[Path, dict[str, Any]]], out_dir: Path, records: list[dict[str, Any]],
                    console: Console | None, command: str) -> tuple[int, int]:
    """Run (or skip, or copy) every trial in plan order in this process, appending its record to `records`;
    return how many were trained and how many found done."""
    run_dirs: dict[str, Path | None] = {}
    trained = skipped = 0
    with _progress(console) as progress:
        task = progress.add_task(name, total=len(trials))
        inner = progress.add_task("", total=None, visible=False)

        def on_step(epoch: int, epochs: int, step: int, steps: int) -> None:
            progress.update(inner, description=f"  epoch {epoch}/{epochs}", total=steps, completed=step,
                            visible=True)

        for trial in trials:
            key = keys[trial.name]
            progress.update(task, description=trial.name)
            record = store.finished(trial, key)
            copied = record is None and trial.name in reusable
            if copied:
                record = store.adopt(trial, key, *reusable[trial.name])
            was_skipped = record is not None
            if record is None:
                folder = store.fresh_folder(trial, key)
                after_run = run_dirs.get(trial.after) if trial.after else None
                try:
                    record = run_trial(trial, key, folder, after_run, out_dir, on_step)
                    progress.update(inner, visible=False)
                except (KeyboardInterrupt, TrainingInterrupted):
                    raise TrainingInterrupted(f"interrupted during trial {trial.name}; the {trained + skipped} "
                                              f"finished trial(s) are kept; resume with: {command}") from None
                store.save(trial, key, record)
                trained += 1
            else:
                skipped += 1
            run_dirs[trial.name] = out_dir / record["run_dir"] if record.get("run_dir") else None
            records.append(record)
            if console is not None:
                progress.console.print(_trial_line(record, was_skipped, copied), soft_wrap=True)
            progress.advance(task)
    return trained, skipped


def _run_parallel(config: ExperimentConfig, trials: list[Trial], keys: dict[str, str], store: TrialStore,
                  reusable: dict[str, tuple[Path, dict[str, Any]]], out_dir: Path, records: list[dict[str, Any]],
                  console: Console | None, command: str) -> tuple[int, int]:
    """As `_run_sequential`, with the trials to train sent to `config.workers` processes
    (seqlab.experiments.pool) or, with --executor ray, to a Ray cluster as tasks (seqlab.experiments.ray_pool);
    `records` ends up in plan order all the same, so the report is the one a sequential run writes. Progress shows
    one line per running trial."""
    run_dirs: dict[str, Path | None] = {}
    done: dict[str, dict[str, Any]] = {}
    skipped = 0
    to_train: list[Trial] = []
    with _progress(console) as progress:
        how = "on Ray" if config.executor == "ray" else f"{config.workers} workers"
        task = progress.add_task(f"{config.recipe} ({how})", total=len(trials))
        for trial in trials:
            key = keys[trial.name]
            record = store.finished(trial, key)
            copied = record is None and trial.name in reusable
            if copied:
                record = store.adopt(trial, key, *reusable[trial.name])
            if record is None:
                to_train.append(trial)
                continue
            skipped += 1
            done[trial.name] = record
            run_dirs[trial.name] = out_dir / record["run_dir"] if record.get("run_dir") else None
            if console is not None:
                progress.console.print(_trial_line(record, True, copied), soft_wrap=True)
            progress.advance(task)
        lines: dict[str, Any] = {}

        def on_start(trial: Trial) -> None:
            lines[trial.name] = progress.add_task(f"  {trial.name}: training", total=None)

        def on_finish(trial: Trial, record: dict[str, Any]) -> None:
            progress.remove_task(lines.pop(trial.name))
            if console is not None:
                progress.console.print(_trial_line(record, False), soft_wrap=True)
            progress.advance(task)

        try:
            if config.executor == "ray":
                trained = run_on_ray(to_train, keys, store, out_dir, run_dirs, config.ray_address,
                                     config.threads or 1, on_start, on_finish)
            else:
                trained = run_in_pool(to_train, keys, store, out_dir, run_dirs, config.workers,
                                      threads_per_worker(config.workers, config.threads), on_start, on_finish)
        except (KeyboardInterrupt, TrainingInterrupted):
            finished = skipped + sum(1 for t in to_train if store.finished(t, keys[t.name]) is not None)
            raise TrainingInterrupted(f"interrupted with {len(lines)} trial(s) running; the {finished} finished "
                                      f"trial(s) are kept; resume with: {command}") from None
    done.update(trained)
    records.extend(done[t.name] for t in trials)
    return len(trained), skipped


def _facts(config: ExperimentConfig, datasets: list[str], records: list[dict[str, Any]], trained: int, skipped: int,
           seconds: float) -> dict[str, Any]:
    """The settings a reader needs next to the numbers: data, seeds, device, time, versions."""
    devices = sorted({r["result"]["device"] for r in records if "device" in r.get("result", {})})
    trial_seconds = sum(float(r.get("wall_seconds", 0.0)) for r in records)
    return {
        "datasets": ", ".join(datasets),
        "budget": config.budget,
        "seeds": ", ".join(str(s) for s in config.seed_list),
        "device": ", ".join(devices) or config.device,
        "trials": f"{len(records)} ({trained} trained now, {skipped} found done)",
        "wall time": f"{seconds:.1f} s this invocation; {trial_seconds:.1f} s summed over all trials",
        "finished": now_utc(),
        **environment(config.threads),
    }
