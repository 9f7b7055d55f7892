"""Explanations and the quiz: one text per concept with a live worked example, and a bank of checked questions.

`all_topics()` / `get_topic(name)` give the topics (seqlab.explain.catalog); each Topic's `demo(seed)`
computes its example with torch. The quiz lives in seqlab.explain.questions (the question type),
seqlab.explain.bank (the questions) and seqlab.explain.quiz (selection and grading).
"""

from __future__ import annotations

from seqlab.explain.catalog import all_topics, get_topic, topic_ids
from seqlab.explain.topic import DemoResult, Topic

__all__ = ["DemoResult", "Topic", "all_topics", "get_topic", "topic_ids"]
