"""`seqlab train --config FILE` (and `seqlab experiment run --config FILE`): options read from a TOML or JSON file.

A file holds option names as keys (`epochs = 3`, `max-train-examples = 200`, `model = "transformer"`, `heads = 4`),
or a `train` table of them, which is what a run folder's config.json has: so a run is re-run exactly with
`seqlab train --config runs/RUN/config.json`. Options typed on the command line win over the file's; model options
(`--hidden`, `--heads`, ...) merge onto the file's model. Relative paths in the file are relative to its folder.
Anything wrong with the file is one SeqlabError naming the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import tomllib
from pathlib import Path
from typing import Any, Mapping, TypeVar

from seqlab.data.registry import is_table_path
from seqlab.errors import SeqlabError
from seqlab.training.config import TrainConfig, model_spec

T = TypeVar("T")  # the experiment's config dataclass (seqlab.experiments.config.ExperimentConfig)

SUFFIXES: tuple[str, ...] = (".toml", ".json")
# TrainConfig fields a file may name by their `seqlab train` option instead (warmup = 0.2)
TRAIN_ALIASES: dict[str, str] = {"warmup": "warmup_ratio"}
# model options of `seqlab train` (merged onto the file's model family by seqlab.training.config.model_spec)
MODEL_OPTIONS: tuple[str, ...] = ("layers", "hidden", "embed_dim", "heads", "width", "ffn", "bidirectional",
                                  "dropout", "checkpoint")
TRAIN_PATH_FIELDS: tuple[str, ...] = ("data_dir", "init_from", "dev", "test")  # and data, when it names a file
TRAIN_KEYS = ("the long options of `seqlab train --help` (model, hidden, epochs, max_length or max-length, ...) "
              "but config, resume, log-to, quiet and json; and min_freq, max_dev_examples, stratify_subset, warmup_ratio")
# the command-line option that sets a TrainConfig field, where it is not --FIELD-WITH-DASHES
TRAIN_FIELD_OPTIONS: dict[str, str] = {"warmup_ratio": "--warmup", "stratify_subset": "--max-train-examples"}


def read_table(path: Path) -> dict[str, Any]:
    """The key/value table of a .toml or .json file; a missing, unreadable or malformed file is one SeqlabError."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SeqlabError(f"--config {path}: expected a .toml or .json file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeqlabError(f"--config {path}: no such file") from None
    except IsADirectoryError:
        raise SeqlabError(f"--config {path} is a folder; give the file (e.g. RUN/config.json)") from None
    except UnicodeDecodeError:
        raise SeqlabError(f"--config {path}: not UTF-8 text") from None
    try:
        table = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeqlabError(f"--config {path}: not valid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SeqlabError(f"--config {path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(table, dict):
        raise SeqlabError(f"--config {path}: expected a table of options at the top, found a {type(table).__name__}")
    return table


def _key(name: Any) -> str:
    return str(name).strip().replace("-", "_")


def _check_keys(path: Path, table: Mapping[str, Any], valid: set[str], described: str | None = None) -> None:
    """SeqlabError naming the first key of `table` that is not in `valid`, a close match, and the valid keys
    (`described` says what they are where listing them all would not fit one line)."""
    for key in table:
        if _key(key) not in valid:
            close = difflib.get_close_matches(_key(key), sorted(valid), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            names = described or ", ".join(sorted(valid))
            raise SeqlabError(f"--config {path}: unknown key {str(key)!r}{hint}; valid keys: {names}")


def _check_type(path: Path, key: str, value: Any, annotation: str) -> None:
    """SeqlabError when `value` cannot be the field's type (annotations are strings: "int | None", "bool", ...)."""
    kinds = {part.strip() for part in annotation.split("|")}
    ok = (("bool" in kinds and isinstance(value, bool))
          or ("int" in kinds and isinstance(value, int) and not isinstance(value, bool))
          or ("float" in kinds and isinstance(value, (int, float)) and not isinstance(value, bool))
          or ("str" in kinds and isinstance(value, str))
          or (any(k.startswith("dict") for k in kinds) and isinstance(value, dict))
          or (any(k.startswith("tuple") for k in kinds) and isinstance(value, list)
              and all(isinstance(item, str) for item in value)))
    if not ok:
        raise SeqlabError(f"--config {path}: {key} must be {annotation.replace(' | None', '')}, "
                          f"got {json.dumps(value)[:60]}")


def _relative_to(folder: Path, value: str) -> str:
    """`value` as a path, resolved against `folder` when relative (home folders expanded)."""
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (folder / path).resolve())


def _option(field_name: str) -> str:
    return TRAIN_FIELD_OPTIONS.get(field_name, "--" + field_name.replace("_", "-"))


def train_config_from_file(path: Path, base: TrainConfig, given: frozenset[str] = frozenset(),
                           model_options: Mapping[str, Any] | None = None) -> TrainConfig:
    """The TrainConfig of `seqlab train --config path`: `base` (what the command line built, defaults included) with
    every option of the file that the command line did not give (`given`: option names such as "--lr").

    The file's model is `model = "FAMILY"` or a table with "family" (a run's spec), plus top-level model options
    (`hidden = 64`); the command line's model options (`model_options`, those named in `given`) merge onto it,
    unless --model names another family, which then starts from the command line's options alone.
    `max_train_examples` in the file draws a stratified subset, as --max-train-examples does."""
    path = Path(path).expanduser()
    table = read_table(path)
    if isinstance(table.get("train"), dict):  # a run's config.json: the rest describes what the run made
        table = table["train"]
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    _check_keys(path, table, set(fields) | set(TRAIN_ALIASES) | set(MODEL_OPTIONS), TRAIN_KEYS)
    folder = path.resolve().parent
    values: dict[str, Any] = {}
    file_model_options: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = TRAIN_ALIASES.get(_key(raw_key), _key(raw_key))
        if key in MODEL_OPTIONS and key not in fields:
            file_model_options[key] = _relative_to(folder, value) if key == "checkpoint" and isinstance(value, str) else value
            continue
        if key == "model":
            if not isinstance(value, (str, dict)) or (isinstance(value, dict) and not isinstance(value.get("family"), str)):
                raise SeqlabError(f"--config {path}: model must be a family name (model = \"lstm\") "
                                  "or a table with a family (as a run's config.json has)")
            values["model"] = {"family": value.strip().lower()} if isinstance(value, str) else dict(value)
            continue
        if value is not None:
            _check_type(path, key, value, str(fields[key].type))
        if key in TRAIN_PATH_FIELDS and isinstance(value, str):
            value = _relative_to(folder, value)
        elif key == "data" and isinstance(value, str) and is_table_path(value):
            value = _relative_to(folder, value)
        elif key == "grad_clip" and value == 0:
            value = None  # as --grad-clip 0: clipping off
        values[key] = value
    if values.get("max_train_examples") is not None and "stratify_subset" not in values:
        values["stratify_subset"] = True  # as --max-train-examples: a seeded, label-stratified sample
    spec = _model(values.pop("model", None), file_model_options, base, given, model_options or {})
    updates = {key: value for key, value in values.items() if _option(key) not in given}
    return dataclasses.replace(base, model=spec, **updates)


def _model(file_spec: dict[str, Any] | None, file_options: dict[str, Any], base: TrainConfig, given: frozenset[str],
           cli_options: Mapping[str, Any]) -> dict[str, Any]:
    """The model spec: the file's (family plus its options), with the command line's given model options on top."""
    cli_given = {name: (str(value) if isinstance(value, Path) else value) for name, value in cli_options.items()
                 if "--" + name.replace("_", "-") in given}
    cli_family = str(base.model.get("family", "lstm"))
    file_family = str((file_spec or {}).get("family", cli_family)).strip().lower()
    if "--model" in given and cli_family != file_family:  # another family: the file's model options do not apply
        return model_spec(cli_family, **cli_given)
    spec = dict(file_spec) if file_spec else {"family": file_family}
    spec.update(model_spec(file_family, **file_options))
    spec.update(model_spec(file_family, **cli_given))
    return spec


def experiment_config_from_file(path: Path, base: T, given: frozenset[str] = frozenset()) -> T:
    """The ExperimentConfig of `seqlab experiment run NAME --config path`: `base` (the command line's) with every
    option of the file the command line did not give (option names such as "--seeds"). The recipe is the
    command's NAME, never the file's; relative paths are relative to the file's folder."""
    path = Path(path).expanduser()
    table = read_table(path)
    if isinstance(table.get("experiment"), dict):
        table = table["experiment"]
    fields = {f.name: f for f in dataclasses.fields(base) if f.name != "recipe"}
    _check_keys(path, table, set(fields))
    folder = path.resolve().parent
    updates: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = _key(raw_key)
        if value is not None:
            _check_type(path, key, value, str(fields[key].type))
        if key in ("data_dir", "out", "run", "dev", "test") and isinstance(value, str):
            value = _relative_to(folder, value)
        elif key == "data" and isinstance(value, str) and is_table_path(value):
            value = _relative_to(folder, value)
        elif key == "reuse":
            value = tuple(_relative_to(folder, item) for item in value)
        options = {"budget": {"--budget", "--tiny"}}.get(key, {"--" + key.replace("_", "-")})
        if not options & given:
            updates[key] = value
    return dataclasses.replace(base, **updates)
