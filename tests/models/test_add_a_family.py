"""docs/howto/add-a-model-family.md, proved: a family registered in one place trains, predicts and counts through
the CLI, and unregistering it leaves the table as it was."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from seqlab.cli import app
from seqlab.data.encoders import load_encoder
from seqlab.models.factory import build_classifier
from seqlab.models.families import BuildRequest, Family, default_spec, family_names, get_family, register, unregister
from seqlab.models.outputs import ClassifierOutput
from seqlab.training.config import model_spec


@dataclass(frozen=True)
class BagConfig:
    """Shape of a bag-of-embeddings classifier."""

    vocab_size: int
    pad_id: int = 0
    embed_dim: int = 32
    dropout: float = 0.1


class BagOfEmbeddings(nn.Module):
    """The mean of the real tokens' embeddings -> dropout -> linear head: word order is ignored."""

    def __init__(self, config: BagConfig, num_labels: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=config.pad_id)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.embed_dim, num_labels)  # named head: --freeze would train only this

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, segment_ids: torch.Tensor | None = None,
                output_attentions: bool = False) -> ClassifierOutput:
        """Logits [B,C] from the mean embedding of each text's real tokens; no attention to show."""
        real = attention_mask.unsqueeze(-1).float()  # [B,T,1]
        mean = (self.embedding(input_ids) * real).sum(1) / real.sum(1).clamp(min=1.0)  # [B,D]
        return ClassifierOutput(self.head(self.dropout(mean)))


def build_bag(request: BuildRequest) -> BagOfEmbeddings:
    """The family's builder: its config from the spec's values and the data's vocabulary."""
    return BagOfEmbeddings(request.config(vocab_size=request.vocab_size, pad_id=request.pad_id), request.num_labels)


BAG = Family(
    name="bag", summary="mean of word embeddings", config=BagConfig, classifier=build_bag,
    defaults={"embed_dim": 32, "dropout": 0.1}, options={"embed_dim": ("embed_dim",), "dropout": ("dropout",)},
    lr=5e-2, encoder="word",
)


@pytest.fixture
def bag_family():
    """The toy family, registered for one test only."""
    before = family_names()
    register(BAG)
    yield BAG
    unregister(BAG.name)
    assert family_names() == before


TINY = ["--epochs", "4", "--max-length", "16", "--threads", "1", "--device", "cpu", "--schedule", "constant"]
GOOD, BAD = ("great", "superb", "moving", "fun"), ("awful", "dull", "weak", "boring")
FILLER = ("the", "film", "plot", "was")


def _word_sentiment_file(folder: Path, rows: int = 300) -> Path:
    """A table whose label is told by one word in each text: what a bag of words can learn (the built-in corpus's
    negations are made to defeat it)."""
    generator = random.Random(0)
    lines = ["text\tlabel"]
    for index in range(rows):
        label = ("neg", "pos")[index % 2]
        words = [generator.choice(FILLER) for _ in range(4)] + [generator.choice(GOOD if label == "pos" else BAD)]
        generator.shuffle(words)
        lines.append(f"{' '.join(words)}\t{label}")
    path = folder / "words.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_family_registered_in_one_place_trains_predicts_and_lists_through_the_cli(bag_family, runner, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path))
    data = _word_sentiment_file(tmp_path)
    result = runner.invoke(app, ["train", "--model", "bag", "--embed-dim", "16", "--data", str(data), *TINY, "--json"])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.output)
    run_dir = Path(trained["run_dir"])
    vocab_size = load_encoder(run_dir / "encoder").vocab_size
    assert trained["parameters"] == vocab_size * 16 + 16 * 2 + 2  # embedding and a 2-class head, as built
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"] == {"family": "bag", "embed_dim": 16}  # --embed-dim went to the spec key the table names
    assert config["train"]["lr"] == BAG.lr  # the family's default learning rate
    assert trained["dev"]["accuracy"] > 0.9 > trained["dev"]["majority_baseline"]["accuracy"]  # it learned the words

    predicted = runner.invoke(app, ["predict", str(run_dir), "the plot was superb", "--json"])
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.output)["label"] == "pos"
    listed = runner.invoke(app, ["runs", "--json"])
    assert listed.exit_code == 0 and '"bag"' in listed.output
    counted = runner.invoke(app, ["params", "--run", str(run_dir)])  # no formulas for it: says so, with the count
    assert counted.exit_code == 2
    assert f"has {trained['parameters']:,} parameters" in counted.output and "add-a-model-family" in counted.output


def test_the_table_checks_a_family_and_its_options(bag_family, runner):
    wrong = runner.invoke(app, ["train", "--model", "bag", "--heads", "2"])
    assert wrong.exit_code == 2
    assert "--heads does not apply to --model bag; it takes: --embed-dim, --dropout" in wrong.output
    assert get_family("bag") is BAG
    with pytest.raises(Exception, match="already registered"):
        register(BAG)
    with pytest.raises(Exception, match="options set width, which are not in its defaults"):
        dataclasses.replace(BAG, name="bag2", options={"width": ("width",)})


def test_the_howto_page_code_builds_and_runs():
    page = (Path(__file__).resolve().parents[2] / "docs" / "howto" / "add-a-model-family.md").read_text("utf-8")
    module_code, entry_code = re.findall(r"```python\n(.*?)```", page, re.S)
    module: dict = {}
    exec(compile(module_code, "add-a-model-family.md", "exec"), module)  # the page's seqlab/models/bag.py
    entry = eval(entry_code.strip().rstrip(","), {"Family": Family})  # the page's table entry
    assert entry.config == "seqlab.models.bag:BagConfig" and entry.classifier == "seqlab.models.bag:build"
    family = dataclasses.replace(entry, config=module["BagConfig"], classifier=module["build"])
    register(family)
    try:
        model = build_classifier(default_spec("bag"), vocab_size=20, num_labels=3, pad_id=0)
        ids = torch.tensor([[5, 6, 7], [8, 9, 0]])
        assert model(ids, ids != 0).logits.shape == (2, 3)
        assert model_spec("bag", embed_dim=16, dropout=0.2) == {"family": "bag", "embed_dim": 16, "dropout": 0.2}
    finally:
        unregister("bag")


def test_an_unregistered_family_is_unknown_again(runner):
    result = runner.invoke(app, ["train", "--model", "bag"])
    assert result.exit_code == 2 and "unknown model 'bag'" in result.output
