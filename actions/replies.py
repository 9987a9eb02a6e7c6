"""Quick-reply buttons. Payloads use Rasa's intent syntax so a click needs no NLU."""

from __future__ import annotations

import functools
import json

from actions.context import knowledge_base
from policy_kb.answering.repeats import unsent
from policy_kb.data import vocabulary


def intent_label(intent: str) -> str | None:
    """A button title for an intent: a topic's (built-in or an FAQ the policy team added), or
    one of the conversation's own intents."""
    if intent in vocabulary.other_intents():
        return vocabulary.other_intents()[intent]
    kb = knowledge_base()
    topic = kb.topic_intents().get(intent)
    return (kb.topic(topic).button or kb.topic_label(topic)) if topic else None


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def ask_region_text() -> str:
    """The question for the region, naming every region of the knowledge base."""
    names = list(knowledge_base().regions.values())
    return f"请问您问的是哪个地区？{'、'.join(names[:-1])}还是{names[-1]}？"


def region_buttons() -> list[dict]:
    kb = knowledge_base()
    return [
        {"title": kb.region_name(r), "payload": _payload("inform", region=r)} for r in kb.regions
    ]


def scheme_buttons() -> list[dict]:
    # the payload carries the short name, the value the NLU's scheme entity takes
    return [
        {"title": s.name, "payload": _payload("inform", scheme=s.short)}
        for s in vocabulary.schemes().values()
    ]


def topic_buttons(intents: list[str] | None = None) -> list[dict]:
    """Buttons for the given intents, or the default menu (topics.yml ``menu``)."""
    if intents:
        return [{"title": intent_label(i) or i, "payload": _payload(i)} for i in intents]
    kb = knowledge_base()
    menu = [(kb.topic(topic).intent, title) for topic, title in vocabulary.menu()]
    return [{"title": title, "payload": _payload(intent)} for intent, title in menu if intent]


def tier_buttons(region: str, scheme: str) -> list[dict]:
    """The region's adult medical tiers with their amounts, or its pension tiers."""
    kb = knowledge_base()
    if scheme == "pension":
        tiers = kb.fact(region, "pension.tiers").value["tiers"]
        return [{"title": f"{t}元", "payload": _payload("inform", amount=str(t))} for t in tiers]
    from policy_kb.answering.answers import adult_tiers

    rates = kb.fact(region, "medical.personal").value
    return [
        {"title": f"{k}（{rates[k]}元）", "payload": _payload("inform", med_tier=k)}
        for k in adult_tiers(kb, region)
    ]


def ask_buttons(pieces: list[str], region: str | None, scheme: str | None) -> list[dict]:
    """Quick replies for what the assistant just asked (the same the form's asks offer)."""
    if pieces == ["region"]:
        return region_buttons()
    if pieces == ["scheme"]:
        return scheme_buttons()
    if pieces == ["tier"] and region:
        return tier_buttons(region, scheme or "medical")
    return []


def without_repeats(run):
    """Decorates an action's ``run``: its messages leave out the bubbles already sent in the
    conversation (policy_kb.answering.repeats.unsent; the answer and its source always stay)."""

    def wrapped(self, dispatcher, tracker, domain):
        start = len(dispatcher.messages)
        result = run(self, dispatcher, tracker, domain)
        earlier = [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]
        for message in dispatcher.messages[start:]:
            if message.get("text"):
                message["text"] = unsent(earlier, message["text"])
                earlier.append(message["text"])
        return result

    return functools.wraps(run)(wrapped)
