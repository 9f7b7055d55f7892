"""Safe files: no pickle loading, safetensors checkpoints, escaped HTML, no writes outside the chosen
folder, and runs that never share a directory (even when two trainings start at the same moment)."""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch

import seqlab
from seqlab.cli import app
from seqlab.errors import SeqlabError
from seqlab.io import new_run_dir, safe_child

PACKAGE = Path(seqlab.__file__).resolve().parent
PAYLOAD = "</script><script>alert(1)</script>"
TINY_BERT = {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 32}


def _torch_load_calls(tree: ast.AST) -> list[ast.Call]:
    """Every call of torch.load(...) (or of a bare load imported from torch)."""
    from_torch = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  and node.module == "torch" for alias in node.names if alias.name == "load"}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "load" and isinstance(func.value, ast.Name) \
                and func.value.id == "torch":
            calls.append(node)
        elif isinstance(func, ast.Name) and func.id in from_torch:
            calls.append(node)
    return calls


def test_every_torch_load_in_the_package_passes_weights_only_true():
    checked, unsafe = 0, []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in _torch_load_calls(tree):
            checked += 1
            flag = next((k.value for k in call.keywords if k.arg == "weights_only"), None)
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                unsafe.append(f"{path.relative_to(PACKAGE.parent)}:{call.lineno}")
        for node in ast.walk(tree):  # pickle.load(s) would bypass torch's safe unpickler entirely
            if isinstance(node, ast.Attribute) and node.attr in ("load", "loads") \
                    and isinstance(node.value, ast.Name) and node.value.id == "pickle":
                unsafe.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} (pickle)")
    assert checked >= 2  # state.pt and pytorch_model.bin are read somewhere; the scan must see them
    assert unsafe == []


@pytest.fixture(scope="module")
def bert_run(tmp_path_factory) -> Path:
    """A tiny BERT (WordPiece, so user text reaches the tokens) trained for one epoch."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    config = TrainConfig(model=TINY_BERT, epochs=1, batch_size=16, max_length=24, max_train_examples=48,
                         threads=1, device="cpu", lr=1e-3)
    return train(config, quiet=True, runs_dir=tmp_path_factory.mktemp("runs")).run_dir


def test_training_writes_weights_only_as_safetensors(bert_run: Path):
    from safetensors import safe_open

    for name in ("model.safetensors", "last.safetensors"):
        with safe_open(str(bert_run / name), framework="pt") as weights:
            assert len(list(weights.keys())) > 0
    pickled = [p.name for p in bert_run.rglob("*") if p.suffix in (".pt", ".pth", ".bin", ".pkl", ".ckpt")]
    assert pickled == ["state.pt"]  # optimizer/scheduler/rng state only, read back with weights_only=True
    state = torch.load(bert_run / "state.pt", map_location="cpu", weights_only=True)
    assert isinstance(state, dict)


class _Scripts(HTMLParser):
    """Counts <script> elements and keeps their text."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.texts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.count += 1
            self._inside = True
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.texts[-1] += data


def _attention_pages(runner, run: Path, sentence: str, out: Path) -> list[str]:
    result = runner.invoke(app, ["attention", str(run), sentence, "--pair", sentence, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    return [Path(files[view]).read_text(encoding="utf-8") for view in ("head_view", "model_view")]


def test_attention_html_escapes_user_text(bert_run: Path, runner, tmp_path):
    benign = _attention_pages(runner, bert_run, "the movie was great", tmp_path / "benign")
    hostile = _attention_pages(runner, bert_run, PAYLOAD, tmp_path / "hostile")
    for plain, page in zip(benign, hostile):
        assert "<script>alert" not in page
        scripts, reference = _Scripts(), _Scripts()
        scripts.feed(page)
        reference.feed(plain)
        assert scripts.count == reference.count  # the text opened no script element of its own
        assert any("alert" in text for text in scripts.texts)  # it is there, as data inside bertviz's script


def test_attention_html_escapes_a_token_that_is_the_whole_payload(tmp_path):
    """Tokenizers split '</script>' apart; a checkpoint's vocabulary could still hold it whole."""
    import numpy as np

    from seqlab.viz.attention_export import write_attention_views
    from seqlab.viz.attention_source import AttentionCapture

    tokens = ("[CLS]", PAYLOAD, "[SEP]")
    probabilities = np.full((1, 2, 3, 3), 1 / 3, dtype=np.float32)
    capture = AttentionCapture(f"run {PAYLOAD}", tokens, probabilities, None, False)
    files = write_attention_views(capture, tmp_path, "png")
    for page in (Path(files.head_view).read_text(encoding="utf-8"), Path(files.model_view).read_text(encoding="utf-8")):
        assert PAYLOAD not in page and "<script>alert" not in page
        scripts = _Scripts()
        scripts.feed(page)
        assert not any("alert(1)" in text and "</script>" in text for text in scripts.texts)


def test_run_name_with_dot_dot_stays_inside_the_runs_folder(runner, tmp_path):
    runs = tmp_path / "runs"
    result = runner.invoke(app, ["train", "--name", "../../escape", "--epochs", "1", "--max-train-examples", "32",
                                 "--embed-dim", "8", "--hidden", "8", "--device", "cpu", "--threads", "1",
                                 "--quiet", "--json"], env={"SEQLAB_RUNS": str(runs)})
    assert result.exit_code == 0, result.output
    run_dir = Path(json.loads(result.output)["run_dir"]).resolve()
    assert run_dir.parent == runs.resolve()
    for folder in (tmp_path, tmp_path.parent):
        assert not any(p.name.startswith("escape") for p in folder.iterdir())


def test_experiment_files_named_after_a_dot_dot_dataset_stay_in_out(runner, tmp_path, monkeypatch):
    """Figure and trial names come from the dataset's name; '../table.tsv' must not climb out of --out."""
    rows = "".join(f"a {'good' if i % 2 else 'dull'} film {i}\t{'pos' if i % 2 else 'neg'}\n" for i in range(60))
    (tmp_path / "table.tsv").write_text("text\tlabel\n" + rows, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = set(tmp_path.rglob("*"))
    result = runner.invoke(app, ["experiment", "run", "bert-frozen-vs-finetune", "--tiny", "--data", "../table.tsv",
                                 "--max-train", "40", "--out", "out", "--threads", "1", "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    cache = tmp_path / "cache"  # $SEQLAB_CACHE (a tokenizer may be cached there; that is not --out's business)
    written = {p for p in set(tmp_path.rglob("*")) - before if p != cache and cache not in p.parents}
    assert any(p.name.startswith("confusion-") for p in written)
    assert written and all(p == work / "out" or (work / "out") in p.parents for p in written)


def test_safe_child_refuses_paths_outside_the_folder(tmp_path):
    assert safe_child(tmp_path, "figures/a.png") == (tmp_path / "figures" / "a.png").resolve()
    for bad in ("../a.png", "figures/../../a.png", str(tmp_path.parent / "a.png")):
        with pytest.raises(SeqlabError, match="outside the output folder"):
            safe_child(tmp_path, bad)


def test_download_refuses_an_archive_member_that_climbs_out(runner, tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"pwned"
        member = tarfile.TarInfo("../escape.txt")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    target = tmp_path / "data" / "inner"
    result = runner.invoke(app, ["data", "download", "imdb", "--url", archive.as_uri(), "--data-dir", str(target)])
    assert result.exit_code == 2
    assert "points outside the folder" in result.output
    assert not any(p.name == "escape.txt" for p in tmp_path.rglob("*"))


def test_run_directories_are_unique_when_created_at_the_same_moment(tmp_path):
    made: list[Path] = []
    start = threading.Barrier(16)

    def make() -> None:
        start.wait()
        made.append(new_run_dir(tmp_path, "same-name"))

    threads = [threading.Thread(target=make) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 16 and len(set(made)) == 16


def test_two_train_processes_started_together_get_two_run_directories(tmp_path):
    env = {**os.environ, "SEQLAB_RUNS": str(tmp_path / "runs"), "SEQLAB_CACHE": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "seqlab", "train", "--name", "same", "--epochs", "1", "--max-train-examples",
               "32", "--embed-dim", "8", "--hidden", "8", "--device", "cpu", "--threads", "1", "--quiet", "--json"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr
    run_dirs = {Path(json.loads(stdout)["run_dir"]) for stdout, _ in outputs}
    assert len(run_dirs) == 2
    for run_dir in run_dirs:
        assert run_dir.name.startswith("same-")
        assert (run_dir / "model.safetensors").is_file() and (run_dir / "result.json").is_file()


def test_atomic_create_never_overwrites(tmp_path):
    from seqlab.io import atomic_create_text

    target = atomic_create_text(tmp_path / "sub" / "p.tsv", "first\n")
    assert target.read_text() == "first\n"
    with pytest.raises(FileExistsError):
        atomic_create_text(target, "second\n")
    assert target.read_text() == "first\n" and [p.name for p in target.parent.iterdir()] == ["p.tsv"]
