"""The benchmark scripts' own logic: FLOP counting, inputs, the packed/padded RNN twin, the report pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import accuracy_report  # noqa: E402
import bert_vs_hf  # noqa: E402
import rnn_throughput  # noqa: E402


def test_model_flops_matches_torch_flop_counter() -> None:
    from torch.utils.flop_counter import FlopCounterMode

    from seqlab.models.bert import BertConfig, BertModel

    config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64)
    model = BertModel(config).eval()
    inputs = bert_vs_hf.make_inputs(batch=3, length=10, vocab=2000, device=torch.device("cpu"))
    inputs["input_ids"] = inputs["input_ids"] % 100
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        # the explicit attention path, whose matmuls the counter sees (it does not count CPU SDPA)
        model(inputs["input_ids"], inputs["attention_mask"], inputs["segment_ids"], output_attentions=True)
    assert bert_vs_hf.model_flops(config.to_dict(), 3, 10, backward=False) == counter.get_total_flops()


def test_make_inputs_is_deterministic_and_masks_padding() -> None:
    a = bert_vs_hf.make_inputs(4, 16, 30522, torch.device("cpu"))
    b = bert_vs_hf.make_inputs(4, 16, 30522, torch.device("cpu"))
    assert torch.equal(a["input_ids"], b["input_ids"])
    assert bool(a["attention_mask"][0].all())  # the longest row fills the batch
    assert (a["input_ids"][~a["attention_mask"]] == 0).all()
    assert (a["input_ids"][:, 0] == 101).all()


def test_padded_rnn_twin_gives_the_packed_logits() -> None:
    from seqlab.models.rnn import RNNClassifier, RNNConfig

    torch.manual_seed(0)
    for cell in ("lstm", "gru"):
        model = RNNClassifier(RNNConfig(cell=cell, vocab_size=50, embed_dim=8, hidden_size=8), num_labels=2)
        ids = torch.randint(1, 50, (4, 7))
        mask = torch.arange(7)[None, :] < torch.tensor([7, 3, 5, 1])[:, None]
        batch = {"input_ids": ids.masked_fill(~mask, 0), "attention_mask": mask}
        diff = rnn_throughput.check_same_logits(
            rnn_throughput.RNNPath(model, packed=True), rnn_throughput.RNNPath(model, packed=False), batch)
        assert diff < 1e-6


def test_accuracy_page_reports_recorded_numbers(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({"train": {"lr": 2e-5, "epochs": 3}, "model": {"family": "x"}}))
    record = {
        "name": "demo", "command": "seqlab train --data sst", "goal": "dev >= 0.4", "seed": 0, "device": "cpu",
        "threads": 1, "started": "2026-01-01T00:00:00+00:00", "wall_seconds": 120.0, "exit_code": 0,
        "run_dir": str(run_dir), "result": {"best_epoch": 2, "epochs_run": 3,
                                            "dev": {"accuracy": 0.4567, "macro_f1": 0.4}},
        "dev_per_epoch": [{"epoch": 1, "accuracy": 0.4, "macro_f1": 0.3}],
        "evaluate": {"test": {"command": "seqlab evaluate R --split test", "exit_code": 0,
                              "metrics": {"accuracy": 0.5, "macro_f1": 0.45}}},
    }
    page = accuracy_report.render([record])
    assert "| demo | 0.457 | 0.400 | 2 / 3 | 0.500 | 0.450 | 2.0 | dev >= 0.4 |" in page
    assert "lr=2e-05" in page and "seqlab train --data sst" in page


@pytest.mark.parametrize("script", ["bert_vs_hf.py", "sst_epoch.py", "rnn_throughput.py", "accuracy_runs.py",
                                    "accuracy_report.py", "bench_report.py"])
def test_scripts_explain_themselves(script: str) -> None:
    out = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "usage:" in out.stdout


def test_accuracy_run_names_are_unique_and_adopt_checks_the_config(tmp_path: Path) -> None:
    import accuracy_runs

    names = [run.name for run in accuracy_runs.RUN_LIST]  # every run as written, NAME-s0.. for the seeded ones
    assert len(names) == len(set(names)) == len(accuracy_runs.RUNS)  # a repeated name would hide a run

    run_dir = tmp_path / "by-hand-20261123-151235"
    run_dir.mkdir()
    stored = {"data": "imdb", "model": {"family": "gru"}, "optimizer": "adam", "lr": 0.002, "batch_size": 64,
              "epochs": 3, "max_length": 256, "warmup_ratio": 0.1, "grad_clip": 1.0, "seed": 0, "device": "cpu",
              "freeze": False, "max_train_examples": None, "name": "by-hand", "threads": 1}
    (run_dir / "config.json").write_text(json.dumps({"train": stored}))
    with pytest.raises(SystemExit, match="was not made by the imdb-lstm command"):
        accuracy_runs.adopt(accuracy_runs.RUNS["imdb-lstm"], run_dir, tmp_path)


def test_the_gpu_studies_script_names_real_recipes_and_parses():
    """bench/gpu_studies.sh runs on a lent GPU only (checked by hand at --budget tiny on CPU): here, that bash
    accepts it and every study it names is a recipe."""
    import re
    import subprocess
    from pathlib import Path

    from seqlab.experiments.recipes import all_recipes

    script = Path(__file__).parents[2] / "bench" / "gpu_studies.sh"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    named = re.findall(r"^study (\S+) \d+", script.read_text(), flags=re.M)
    assert len(named) == 6 and set(named) <= {recipe.name for recipe in all_recipes()}
