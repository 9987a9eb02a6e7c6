"""``answer_form``: asks only for what the current question still needs.

Always the region; the scheme when a personal sum depends on it; the tier when the calculator
says the person's tier is what is missing. A resident can correct an answer at any turn ("不对，
我70岁": the slot is simply overwritten) or ask something else: a new question replaces the
topic and the form goes on with it.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    has_personal_details,
    implied_scheme,
    intent_topic,
    knowledge_base,
    latest_entities,
    latest_intent,
    latest_values,
    out_of_scope,
    profile_from,
    regions_in_play,
    state_after,
    turn_state,
)
from actions.question import latest_text, question_from
from actions.replies import ask_region_text, region_buttons, scheme_buttons
from policy_kb import calculate
from policy_kb.answering import declines
from policy_kb.answering.answers import adult_tiers
from policy_kb.answering.compose import compose
from policy_kb.answering.state import Waiting
from policy_kb.answering.turn import read_move, said_ages
from policy_kb.data import vocabulary
from policy_kb.reading.household import parse_household, read_members
from policy_kb.reading.question import answer_topic, is_follow_up, read_question

NO_TIER_GROUPS = ("大学生", "少年儿童", "新生儿")
NEGATION = re.compile(r"(不是|不属于|也不是|并非|非)$")
# a person's school stage, as the person group the calculator knows
STAGE_GROUPS = {"college": "大学生", "school": "中小学生", "newborn": "新生儿"}


def tier_makes_no_difference(tracker: Tracker) -> bool:
    """Whether the remembered group pays a fixed rate, so a tier now means another person."""
    group, age = tracker.get_slot("person_group"), tracker.get_slot("age")
    if group in NO_TIER_GROUPS:
        return True
    return group == "中小学生" and not (str(age).isdigit() and int(age) >= 18)


def negated_group(tracker: Tracker, text: str) -> bool:
    """Whether every group the message names is named as what the person is not."""
    groups = latest_entities(tracker, "person_group")
    if not groups:
        return read_question(knowledge_base(), text).not_hardship and bool(
            tracker.get_slot("person_group")
        )
    return all(
        NEGATION.search(text[max(0, g.get("start", 0) - 4) : g.get("start", 0)]) for g in groups
    )


def answers_previous(tracker: Tracker) -> bool:
    """Whether the message answers what the assistant asked or changes the previous question
    (``policy_kb.answering.turn`` answers it then, with everything the conversation knows)."""
    kb, text = knowledge_base(), latest_text(tracker)
    state = turn_state(tracker)
    if state.previous() is None or (state.waiting and state.waiting.form):
        return False  # the form asked: it fills its slot from the answer itself
    return read_move(kb, text, read_question(kb, text), state) != "new"


def waiting_for(tracker: Tracker, piece: str) -> list:
    """The state recording the question an ask action puts (the form's region, scheme, tier)."""
    waiting = Waiting([piece], form=True)
    return [SlotSet("turn_state", state_after(tracker, question_from(tracker), waiting))]


class ValidateAnswerForm(FormValidationAction):
    """Dynamic required slots and validation for ``answer_form``."""

    def name(self) -> str:
        return "validate_answer_form"

    async def run(self, dispatcher, tracker, domain):
        events = []
        topic = intent_topic(latest_intent(tracker))
        if topic:
            topic = answer_topic(read_question(knowledge_base(), latest_text(tracker)), topic)
        if topic and topic != tracker.get_slot("topic"):
            events.append(SlotSet("topic", topic))
        if topic == "household" or (topic is None and tracker.get_slot("topic") == "household"):
            members = parse_household(latest_text(tracker))
            if members:
                events.append(SlotSet("household", members))
        elif topic:
            events.append(SlotSet("household", None))
        # What the latest message says wins over an earlier turn: "那大学生呢" after "一档" is
        # a student's question, "那一档呢" after "大学生" an adult's. A tier that still matters
        # for the group is kept ("18岁的高中生" + "一档": adults' tiers apply from 18).
        said_tier = latest_values(tracker, "med_tier")
        said_group = latest_values(tracker, "person_group")
        if said_group and not said_tier and tracker.get_slot("med_tier"):
            events.append(SlotSet("med_tier", None))
        if said_tier and not said_group and tier_makes_no_difference(tracker):
            events.append(SlotSet("person_group", None))
        districts = latest_values(tracker, "district")
        if districts:
            events.append(SlotSet("district", districts[0]))
        elif latest_values(tracker, "region"):
            events.append(SlotSet("district", None))  # a region named anew: the whole city
        if not topic and not tracker.get_slot("topic") and latest_values(tracker, "amount"):
            events.append(SlotSet("topic", "tiers"))  # "我选X档" on its own asks about that tier
        events += self.question_events(tracker, topic)
        tracker.add_slots(events)
        return events + await super().run(dispatcher, tracker, domain)

    @staticmethod
    def question_events(tracker: Tracker, topic: str | None) -> list:
        """The question remembered for follow-ups, and an age said of a relative ("俺娘62了")."""
        events = []
        text = latest_text(tracker)
        if topic and text and not is_follow_up(knowledge_base(), text):
            events.append(SlotSet("asked", text))
        if negated_group(tracker, text):
            events.append(SlotSet("person_group", None))  # "我不是低保", "我不是学生"
        people = read_members(text)
        said_ages(text, people)  # "我今年65", "他65"
        if len(people) == 1 and "age" in people[0] and not latest_values(tracker, "age"):
            events.append(SlotSet("age", str(people[0]["age"])))
        stage = people[0].get("stage") if len(people) == 1 else None
        if stage and not latest_values(tracker, "person_group"):
            events.append(SlotSet("person_group", STAGE_GROUPS[stage]))  # "俺闺女上大学"
        return events

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        topic = tracker.get_slot("topic")
        if out_of_scope(tracker).problem or answers_previous(tracker):
            return []  # an answer or a change of the previous question: action_answer says it
        question = question_from(tracker)
        if question.all_regions or (question.regions and compose(knowledge_base(), question)):
            return []  # a comparison, a household, a yes/no: the composer needs nothing more
        if declines.asked(question):
            return []  # an unsafe payment or a look-alike: answered for every region, unasked
        if not topic:
            return []
        if not regions_in_play(tracker):
            return ["region"]
        required = ["region"]
        spec = knowledge_base().topic(topic)
        if not spec.personal or topic == "household":
            return required
        scheme = implied_scheme(tracker, topic)
        if not has_personal_details(tracker, scheme):
            return required
        if scheme is None:
            return required + ["scheme"]
        if not spec.asks_amount or question.wants("must_pay"):
            # rules and dates do not depend on the tier, and "还用交吗" is answered with every
            # tier: don't ask it
            return required
        result = calculate(
            knowledge_base(), profile_from(tracker, regions_in_play(tracker)[0], scheme)
        )
        if "tier" in result.missing:
            required.append("med_tier" if scheme == "medical" else "tier_amount")
        return required

    def extract_region(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """黄岛, 莱西…: a district names its region too (the KB's aliases say which)."""
        districts = latest_values(tracker, "district")
        if districts and not latest_values(tracker, "region"):
            place = knowledge_base().resolve_place(districts[0])
            return {"region": place.region} if place else {}
        return {}

    def validate_region(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        # The district is kept in run(): this also runs on every activation of the form.
        place = knowledge_base().resolve_place(str(value)) if value else None
        return {"region": place.region if place else None}

    def validate_tier_amount(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        kb = knowledge_base()
        region = regions_in_play(tracker)[0]
        tiers = kb.fact(region, "pension.tiers").value["tiers"]
        if str(value).isdigit() and int(value) in tiers:
            return {"tier_amount": str(value)}
        dispatcher.utter_message(
            text=f"{kb.region_name(region)}{vocabulary.scheme('pension').name}没有{value}元档次。"
        )
        return {"tier_amount": None}

    def validate_med_tier(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if len(latest_values(tracker, "med_tier")) > 1:
            return {"med_tier": None}  # "一档和二档哪个贵" compares, it does not choose
        return {"med_tier": value if value in adult_tiers(knowledge_base()) else None}


class ActionAskRegion(Action):
    def name(self) -> str:
        return "action_ask_region"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        dispatcher.utter_message(text=ask_region_text(), buttons=region_buttons())
        return waiting_for(tracker, "region")


class ActionAskScheme(Action):
    def name(self) -> str:
        return "action_ask_scheme"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        names = "还是".join(s.name for s in vocabulary.schemes().values())
        dispatcher.utter_message(text=f"您问的是{names}？", buttons=scheme_buttons())
        return waiting_for(tracker, "scheme")


class ActionAskMedTier(Action):
    """Offers the region's adult medical tiers with their amounts (from the knowledge base)."""

    def name(self) -> str:
        return "action_ask_med_tier"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        kb = knowledge_base()
        region = regions_in_play(tracker)[0]
        rates = kb.fact(region, "medical.personal").value
        buttons = [
            {"title": f"{k}（{rates[k]}元）", "payload": f'/inform{{"med_tier":"{k}"}}'}
            for k in adult_tiers(kb, region)
        ]
        dispatcher.utter_message(
            text=f"{kb.region_name(region)}{kb.year_for(region)}年度成年{vocabulary.scheme('medical').name}分两档，您选的是哪一档？",
            buttons=buttons,
        )
        return waiting_for(tracker, "tier")


class ActionAskTierAmount(Action):
    """Offers the region's pension tiers (from the knowledge base)."""

    def name(self) -> str:
        return "action_ask_tier_amount"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        kb = knowledge_base()
        region = regions_in_play(tracker)[0]
        tiers = kb.fact(region, "pension.tiers").value["tiers"]
        dispatcher.utter_message(
            text=f"{kb.region_name(region)}{kb.year_for(region)}年度{vocabulary.scheme('pension').name}可选档次："
            + "、".join(f"{t}元" for t in tiers)
            + "。您选哪一档？",
            buttons=[{"title": f"{t}元", "payload": f'/inform{{"amount":"{t}"}}'} for t in tiers],
        )
        return waiting_for(tracker, "amount")
