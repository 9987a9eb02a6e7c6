"""A topic is data: topics.yml says which intent asks it, its button, and how it is answered.

The domain and the rules are Rasa's own declarations of the same intents; they must agree with
topics.yml. Changing a topic's entry changes the answers without touching Python.
"""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest
import yaml
from rasa_sdk import Tracker

import actions.answer
import actions.context
from actions.answer import facts_answer
from actions.replies import intent_label, topic_buttons
from policy_kb import KnowledgeBase
from policy_kb.data import vocabulary
from policy_kb.data.sources import SEEDS_DIR, SOURCES_DIR, load_sources, validate

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "trackers"


def topic_entries() -> list[dict]:
    return load_sources().topics


def asked_topics() -> dict[str, str]:
    """Built-in intent → topic (the FAQs the policy team adds have their own domain file)."""
    return {
        t["intent"]: t["id"] for t in topic_entries() if str(t.get("intent")).startswith("ask_")
    }


def test_every_topic_intent_is_an_intent_of_the_domain():
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "core.yml").read_text(encoding="utf-8"))
    assert set(asked_topics()) <= set(domain["intents"])


def test_the_answer_form_opens_for_exactly_the_topic_intents_and_inform():
    rules = yaml.safe_load((ROOT / "bot" / "data" / "rules.yml").read_text(encoding="utf-8"))
    opening = next(r for r in rules["rules"] if {"action": "answer_form"} in r["steps"][1:2])
    intents = {step["intent"] for step in opening["steps"][0]["or"]}
    assert intents == set(asked_topics()) | {"inform"}


def test_every_asked_topic_has_a_button_title_and_its_intent_finds_it():
    for intent, topic in asked_topics().items():
        assert actions.context.intent_topic(intent) == topic
        assert (
            intent_label(intent)
            == vocabulary.Topic.from_source(
                next(t for t in topic_entries() if t["id"] == topic)
            ).button
        )


def test_the_default_menu_offers_the_menu_of_topics_yml_in_order():
    buttons = topic_buttons()
    assert [b["title"] for b in buttons] == [title for _topic, title in vocabulary.menu()]
    assert all(b["payload"].startswith("/ask_") for b in buttons)


@pytest.mark.parametrize(
    "change, problem",
    [
        # a field nobody reads is a typo
        (lambda t: t[0].update(answerd_by=["hotline"]), "unknown fields ['answerd_by']"),
        # a topic answered by facts of a topic that does not exist
        (lambda t: t[0].update(answered_by=["phones"]), "answered_by names 'phones'"),
        # an intent that is neither built-in nor an FAQ
        (lambda t: t[0].update(intent="AskThis"), "intent 'AskThis' must look like faq_<id>"),
        # two topics asked by one intent
        (lambda t: t[0].update(intent=t[1]["intent"]), "asks another topic too"),
        # a scheme that does not exist
        (lambda t: t[0].update(implies="unemployment"), "implies 'unemployment'"),
    ],
)
def test_a_broken_topic_entry_is_reported(change, problem):
    source = load_sources()
    change(source.topics)
    assert any(problem in p for p in validate(source)), validate(source)


# ---------------------------------------------------------------------- answers follow the data
@pytest.fixture()
def kb_with(tmp_path, monkeypatch):
    """A knowledge base built from a copy of the sources with one topic changed."""

    def build(topic_id: str, **fields) -> KnowledgeBase:
        shutil.copytree(SOURCES_DIR, tmp_path / "sources")
        shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
        path = tmp_path / "sources" / "topics.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entry = next(t for t in data["topics"] if t["id"] == topic_id)
        entry.update(fields)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        kb = KnowledgeBase.open(tmp_path / "kb.db", tmp_path / "sources")
        monkeypatch.setattr(actions.context, "knowledge_base", lambda: kb)
        monkeypatch.setattr(actions.answer, "knowledge_base", lambda: kb)
        return kb

    return build


def tracker(text: str) -> Tracker:
    data = json.loads((FIXTURES / "shanting_hotline.json").read_text(encoding="utf-8"))
    data["latest_message"] = {"text": text, "intent": {"name": "ask_channels"}, "entities": []}
    data["slots"] = {k: None for k in data.get("slots", {})}
    return Tracker.from_dict(data)


def test_channels_are_answered_with_the_collectors_because_topics_yml_says_so(kb_with):
    used: list = []
    facts_answer(tracker("青岛怎么交"), "channels", "青岛", used)
    assert "collector" in {f.topic for f in used}
    used.clear()
    kb_with("channels", answered_by=["channels"])
    facts_answer(tracker("青岛怎么交"), "channels", "青岛", used)
    assert used and "collector" not in {f.topic for f in used}


def answered_with(topic: str, region: str, text: str) -> set[str]:
    used: list = []
    facts_answer(tracker(text), topic, region, used)
    return {f.key for f in used}


def test_where_the_documents_are_silent_the_fallback_topics_of_topics_yml_answer(kb_with):
    # 青岛's notice says nothing about newborns: who collects and how to register still help
    assert answered_with("newborn", "青岛", "宝宝医保") > {"medical.newborn"}
    kb_with("newborn", fallback=[])
    assert answered_with("newborn", "青岛", "宝宝医保") == {"medical.newborn"}


def test_a_topic_with_no_fact_is_answered_by_the_fallback_keys_of_topics_yml(kb_with):
    # 山亭 has no student rules: its rate table answers, else the plain silence
    assert "medical.personal" in answered_with("students", "山亭", "大学生医保怎么交")
    kb = kb_with("students", fallback_keys=[])
    text = facts_answer(tracker("大学生医保怎么交"), "students", "山亭")
    assert f"没有关于“{kb.topic('students').title}”的规定" in text
