"""A concept of sequence models in plain words, its formula and a worked example computed live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.explain.catalog import ExplainConfig, all_topics
from seqlab.explain.catalog import explain as explain_topic
from seqlab.explain.topic import DemoResult, Topic
from seqlab.io import to_jsonable
from seqlab.lab.display import Display


@dataclass(frozen=True)
class ExplainRequest:
    """A topic id or alias (None: list them all), the seed of its example, and for attention your sentence."""

    topic: str | None = None
    seed: int = 0
    text: str | None = None


@dataclass(frozen=True)
class ExplainReport(Display):
    """One topic with its live example, or (no topic asked for) the list of every topic."""

    topics: tuple[Topic, ...]
    demo: DemoResult | None = None

    @property
    def topic(self) -> Topic | None:
        """The topic explained (None when this is the list)."""
        return self.topics[0] if self.demo is not None else None

    def to_json(self) -> Any:
        """What `seqlab explain --json` prints."""
        if self.topic is None:
            return to_jsonable([{"id": t.id, "title": t.title, "summary": t.summary} for t in self.topics])
        return to_jsonable(self.topic.as_dict(self.demo))


def run(request: ExplainRequest) -> ExplainReport:
    """The requested topic and its example (on the sentence for `attention --text`), or every topic."""
    if request.topic is None:
        return ExplainReport(all_topics())
    chosen, demo = explain_topic(ExplainConfig(topic=request.topic, seed=request.seed))
    if request.text is not None:
        if chosen.id != "attention":
            raise SeqlabError(f"--text works with the attention topic (seqlab explain attention --text ...), "
                              f"not {chosen.id}")
        from seqlab.explain.sentence import sentence_attention_demo  # torch: only --text runs a model

        demo = sentence_attention_demo(request.text, seed=request.seed)
    return ExplainReport((chosen,), demo)
