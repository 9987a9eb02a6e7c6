"""What the conversation knows: the shared knowledge base, the topic, the place, the person.

Actions are thin adapters: they read the tracker into plain values here and ask ``policy_kb``.
"""

from __future__ import annotations

import dataclasses
import logging

from rasa_sdk import Tracker

from policy_kb import Profile
from policy_kb.answering import documents_answer, introduction
from policy_kb.answering.state import TurnState, build_profile
from policy_kb.data import vocabulary
from policy_kb.data.kb import knowledge_base
from policy_kb.reading.question import Question, read_question
from policy_kb.rules.groups import GROUP_PROFILE

logger = logging.getLogger(__name__)

PERSONAL_SLOTS = ("age", "person_group", "med_tier", "tier_amount", "birth_date", "payment_date")


def latest_entities(tracker: Tracker, name: str) -> list[dict]:
    return [
        e for e in (tracker.latest_message or {}).get("entities", []) if e.get("entity") == name
    ]


def latest_values(tracker: Tracker, name: str) -> list[str]:
    values = []
    for entity in latest_entities(tracker, name):
        value = str(entity.get("value"))
        if value not in values:
            values.append(value)
    return values


def intent_topic(intent: str | None) -> str | None:
    """The topic an intent asks about (topics.yml): built-in, or an FAQ the policy team added."""
    if intent is None:
        return None
    return knowledge_base().topic_intents().get(intent)


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


@dataclasses.dataclass
class Scope:
    """Why a question is outside what the assistant covers, in Chinese, or None."""

    problem: str | None


def out_of_scope(tracker: Tracker) -> Scope:
    """Another year or another place named in the latest message."""
    kb = knowledge_base()
    covered, have = introduction.places(kb), introduction.years(kb)
    years = [int(y) for y in latest_values(tracker, "year") if y.isdigit()]
    wrong_years = [y for y in years if y not in kb.years]
    text = (tracker.latest_message or {}).get("text") or ""
    # "2023年交的600档，2024年还能扣吗" asks about the covered year: last year is context
    if (
        wrong_years
        and len(wrong_years) == len(years)
        and not read_question(kb, text).last_year_choice
        and not documents_answer.names_document(kb, text)  # "山政办发〔2023〕10号" is a number
    ):
        return Scope(
            f"我只有{covered}{have}的缴费政策，没有{wrong_years[0]}年度的资料，无法回答{wrong_years[0]}年度的标准。"
            f"新年度标准请以当地税务、人社、医保部门发布的通告为准。"
        )
    places = latest_values(tracker, "other_place")
    if places and not latest_values(tracker, "region") and not latest_values(tracker, "district"):
        place = places[0]
        return Scope(
            f"抱歉，我只有{introduction.scope(kb)}缴费政策，没有{place}的资料。{introduction.part_of_hint(place)}"
            f"{place}的缴费标准请咨询当地税务、人社或医保部门。"
        )
    return Scope(None)


def asked_year(tracker: Tracker) -> int | None:
    """A policy year the latest message names and the knowledge base holds, else None."""
    years = [int(y) for y in latest_values(tracker, "year") if y.isdigit()]
    known = [y for y in years if y in knowledge_base().years]
    return known[0] if known else None


def answer_year(tracker: Tracker, region: str) -> int | None:
    """The year to answer for a region: the asked one when the region has it, else None
    (the region's latest year)."""
    year = asked_year(tracker)
    return year if year in knowledge_base().region_years(region) else None


def regions_in_play(tracker: Tracker) -> list[str]:
    """Regions named in the latest message, else the remembered one (may be empty)."""
    kb = knowledge_base()
    named = []
    # a district names its region too (黄岛 → 青岛): the KB's aliases say which
    for value in latest_values(tracker, "region") + latest_values(tracker, "district"):
        place = kb.resolve_place(value)
        if place and place.region not in named:
            named.append(place.region)
    if named:
        return named
    if read_question(kb, (tracker.latest_message or {}).get("text") or "").all_regions:
        return list(kb.regions)  # "三个地方的医保电话"
    remembered = tracker.get_slot("region")
    place = kb.resolve_place(remembered) if remembered else None
    return [place.region] if place else []


def scheme_in_play(tracker: Tracker) -> str | None:
    values = latest_values(tracker, "scheme") or (
        [tracker.get_slot("scheme")] if tracker.get_slot("scheme") else []
    )
    found = {vocabulary.scheme_id(v) for v in values if vocabulary.scheme_id(v)}
    return found.pop() if len(found) == 1 else None


def chosen_med_tier(tracker: Tracker) -> str | None:
    """The person's medical tier; none when the latest message names both ("一档和二档哪个贵")."""
    if len(latest_values(tracker, "med_tier")) > 1:
        return None
    return tracker.get_slot("med_tier")


def has_personal_details(tracker: Tracker, scheme: str | None = None) -> bool:
    """Whether the conversation holds anything the calculator can use for this scheme.

    A medical tier says nothing about a pension question ("最高一档" is not 一档), nor a
    pension amount about a medical one.
    """
    ignored = {"pension": ("med_tier",), "medical": ("tier_amount",)}.get(scheme or "", ())
    values = {s: tracker.get_slot(s) for s in PERSONAL_SLOTS if s not in ignored}
    if "med_tier" in values:
        values["med_tier"] = chosen_med_tier(tracker)
    return any(values.values())


def profile_from(tracker: Tracker, region: str, scheme: str | None) -> Profile:
    """The calculator profile the conversation has collected so far (``build_profile``)."""
    kb = knowledge_base()
    tier: object = None
    if scheme == "pension" and tracker.get_slot("tier_amount"):
        tier = tracker.get_slot("tier_amount")
    elif scheme == "medical" and chosen_med_tier(tracker):
        tier = chosen_med_tier(tracker)
    age = tracker.get_slot("age")
    return build_profile(
        kb,
        region,
        scheme,
        year=answer_year(tracker, region) or kb.year_for(region),
        age=age if age and str(age).isdigit() else None,
        group=tracker.get_slot("person_group"),
        tier=tier,
        birth_date=tracker.get_slot("birth_date"),
        payment_date=tracker.get_slot("payment_date"),
    )


def turn_state(tracker: Tracker) -> TurnState:
    """The conversation's state, read from its one slot (see the domain's ``turn_state``)."""
    return TurnState.from_json(tracker.get_slot("turn_state"))


def state_after(tracker: Tracker, question: Question, waiting=None) -> str:
    """The state after a turn the form or the answer action handled: the question it asked,
    what the assistant now waits for, and the person's details from the form's slots."""
    state = turn_state(tracker)
    if waiting is None or not state.waiting or waiting.pieces != state.waiting.pieces:
        state.asked_for = []
    state.remember(question)
    state.waiting = waiting
    if waiting:
        state.asked_for = list(dict.fromkeys(state.asked_for + waiting.pieces))
    age = tracker.get_slot("age")
    state.age = int(age) if age and str(age).isdigit() else state.age
    state.group = tracker.get_slot("person_group") or state.group
    state.birth_date = tracker.get_slot("birth_date") or state.birth_date
    state.payment_date = tracker.get_slot("payment_date") or state.payment_date
    return state.to_json()


def implied_scheme(tracker: Tracker, topic: str | None) -> str | None:
    """The scheme a question is about, said or implied (a 500元 tier is pension)."""
    said = scheme_in_play(tracker)
    if said:
        return said
    implied = knowledge_base().topic(topic).implies if topic else None
    if implied:
        return implied
    group = GROUP_PROFILE.get(tracker.get_slot("person_group"), {})
    if chosen_med_tier(tracker) or "student" in group or "newborn" in group:
        return "medical"  # students and newborns: only the medical scheme is theirs
    amount = tracker.get_slot("tier_amount")
    lowest = knowledge_base().lowest_pension_tier()
    if amount and str(amount).isdigit() and lowest and int(amount) >= lowest:
        return "pension"
    return None
