"""``action_answer``: renders the answer to a policy question from ``policy_kb``.

Runs when ``answer_form`` is complete. The answer is personalised by the calculator when the
conversation holds personal details (age, group, tier, dates, household), otherwise it is the
region's facts for the topic. Every figure comes from the knowledge base; every answer names
the policy year and ends with its source line.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    answer_year,
    asked_year,
    has_personal_details,
    implied_scheme,
    knowledge_base,
    out_of_scope,
    profile_from,
    regions_in_play,
    scheme_in_play,
    state_after,
    turn_state,
)
from actions.question import asked_text, latest_text, question_from
from actions.replies import (
    ask_buttons,
    ask_region_text,
    region_buttons,
    topic_buttons,
    without_repeats,
)
from policy_kb import calculate, calculate_household
from policy_kb.answering import introduction, render
from policy_kb.answering.answers import adult_tiers
from policy_kb.answering.compose import compose
from policy_kb.answering.relevance import distinctive_tokens
from policy_kb.answering.state import Waiting
from policy_kb.answering.turn import (
    MEMBERS_QUESTION,
    answer_turn,
    household_waiting,
    read_move,
    topic_facts,
)
from policy_kb.data import vocabulary
from policy_kb.reading.household import member_profiles, parse_household
from policy_kb.reading.question import read_question
from policy_kb.reading.spoken import read_spoken


def facts_answer(tracker: Tracker, topic: str, region: str, used: list | None = None) -> str:
    """The region's facts on a topic, or a plain statement that its documents are silent.

    The facts rendered are appended to ``used`` (the staff console shows them with citations).
    """
    kb = knowledge_base()
    text, facts = topic_facts(
        kb,
        topic,
        region,
        scheme_in_play(tracker),
        year=answer_year(tracker, region),
        said=latest_text(tracker),
        asked=asked_text(tracker),
        district=tracker.get_slot("district"),
    )
    if used is not None:
        used.extend(facts)
    return text


def household_answer(
    tracker: Tracker, region: str, members: list[dict], used: list | None = None
) -> str:
    kb = knowledge_base()
    profiles = member_profiles(members, tracker.get_slot("med_tier"))
    result = calculate_household(
        kb, region, profiles, scheme="medical", year=answer_year(tracker, region)
    )
    if used is not None:
        used.extend(result.facts)
    text = render.household_text(members, result)
    if result.status == "need_more":
        rates = kb.fact(region, "medical.personal").value
        tiers = adult_tiers(kb, region)
        options = "、".join(f"{k}{rates[k]}元" for k in tiers)
        text += f"\n请告诉我大人选的是{'还是'.join(tiers)}（{options}）。"
    return text


def personal_answer(
    tracker: Tracker, topic: str, region: str, used: list | None = None
) -> str | None:
    """The calculator's answer for the person, or None when it cannot say anything yet."""
    scheme = implied_scheme(tracker, topic)
    if scheme is None:
        return None
    result = calculate(knowledge_base(), profile_from(tracker, region, scheme))
    if result.status in ("ok", "invalid", "not_covered"):
        if used is not None:
            used.extend(result.facts)
        return render.result_text(result)
    if result.benefit_start and not knowledge_base().topic(topic).asks_amount:
        if used is not None:
            used.extend(result.facts)
        return render.benefit_text(result)
    return None


def heard_note(tracker: Tracker) -> str:
    """ "（按青岛市计算）" when a word was read by its sound only (a voice transcript's 清岛):
    the resident sees what the answer assumed."""
    note = read_spoken((tracker.latest_message or {}).get("text") or "").note
    return note + "\n" if note else ""


def year_note(question) -> str:
    """ "青岛明年医保多少钱": say which year the answer gives, and that it is the only one."""
    if not question.other_year:
        return ""
    kb = knowledge_base()
    have = introduction.years(kb)
    return (
        f"我只有{introduction.places(kb)}{have}的缴费政策，下面是{have}的规定；" "其他年度的标准请以当地税务、人社、医保部门发布的通告为准。\n"
    )


def turn_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list | None:
    """A message that answers what the assistant asked, or corrects or changes the previous
    question ("一档", "她72", "不对 我问的是养老", "换成二档呢"): answered by ``answer_turn``
    on the conversation's state; None for a new question (the form and the topic answer it)."""
    kb = knowledge_base()
    state, text = turn_state(tracker), latest_text(tracker)
    if state.previous() is None or (state.waiting and state.waiting.form):
        return None  # the form asked: it fills its slot from the answer itself
    if read_move(kb, text, read_question(kb, text), state) == "new":
        return None
    return say_turn(dispatcher, answer_turn(kb, text, state))


def say_turn(dispatcher: CollectingDispatcher, turn) -> list:
    """Sends a turn's reply (with quick replies for what it asks) and keeps its state."""
    fact_ids = list(dict.fromkeys(f.id for f in turn.facts))
    question = turn.state.previous()
    region = question.regions[0] if len(question.regions) == 1 else None
    buttons = ask_buttons(turn.asks, region, question.scheme)
    dispatcher.utter_message(
        text=render.lead_first(turn.text), fact_ids=fact_ids, buttons=buttons or None
    )
    events = [SlotSet("turn_state", turn.state.to_json()), SlotSet("fallback_count", 0)]
    if question.regions and len(question.regions) == 1:
        events.append(SlotSet("region", question.regions[0]))
    if question.topic:
        events.append(SlotSet("topic", question.topic))
    # the form's own slots follow what the turn changed, for the questions it handles next
    person = question.members[0] if len(question.members) == 1 else {}
    tiers, amounts = question.med_tiers or [person.get("tier")], question.amounts
    if len(set(tiers)) == 1 and tiers[0]:
        events.append(SlotSet("med_tier", tiers[0]))
    if len(amounts) == 1:
        events.append(SlotSet("tier_amount", str(amounts[0])))
    if question.scheme:
        events.append(SlotSet("scheme", kb_scheme_short(question.scheme)))
    age = person.get("age", turn.state.age)
    if age is not None:
        events.append(SlotSet("age", str(age)))
    return events


def kb_scheme_short(scheme: str) -> str:
    """The scheme slot's value (the NLU entity's short name, 医保 / 养老)."""
    return vocabulary.scheme(scheme).short


class ActionAnswer(Action):
    """Answers the current topic for every region in play."""

    def name(self) -> str:
        return "action_answer"

    @without_repeats
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SlotSet("fallback_count", 0)]
        scope = out_of_scope(tracker)
        if scope.problem:
            # the marker travels as message metadata into the tracker store (channels ignore
            # it): the policy team's review counts this reply as an out-of-scope answer
            dispatcher.utter_message(text=scope.problem, out_of_scope=True)
            return events
        replied = turn_reply(dispatcher, tracker)
        if replied is not None:
            return replied
        question = question_from(tracker)
        composed = compose(knowledge_base(), question)
        if composed is not None:
            text = heard_note(tracker) + year_note(question) + composed.text
            waiting = household_waiting(question) if composed.missing else None
            return events + self.say(dispatcher, tracker, text, composed.facts, waiting)
        topic = tracker.get_slot("topic")
        regions = regions_in_play(tracker)
        if not regions:
            dispatcher.utter_message(text=ask_region_text(), buttons=region_buttons())
            return events
        if not topic:
            names = "、".join(knowledge_base().region_name(r) for r in regions)
            dispatcher.utter_message(text=f"好的，{names}。您想了解什么？", buttons=topic_buttons())
            question = question_from(tracker)
            state = state_after(tracker, question, Waiting(["topic"]))
            return events + [SlotSet("region", regions[-1]), SlotSet("turn_state", state)]
        texts, used = [], []
        members = tracker.get_slot("household")
        if topic == "household" and not members:
            members = parse_household(latest_text(tracker))
            events.append(SlotSet("household", members))
        asked = asked_year(tracker)
        for region in regions:
            if asked and answer_year(tracker, region) is None:
                kb = knowledge_base()
                texts.append(
                    f"{kb.region_name(region)}还没有{asked}年度的资料，" f"下面是{kb.year_for(region)}年度的规定。"
                )
            if topic == "household":
                if not members:
                    texts.append(MEMBERS_QUESTION)
                    break
                texts.append(household_answer(tracker, region, members, used))
                continue
            answer = None
            spec = knowledge_base().topic(topic)
            if spec.personal and has_personal_details(tracker, implied_scheme(tracker, topic)):
                answer = personal_answer(tracker, topic, region, used)
            if spec.asks_amount:
                texts.append(answer or facts_answer(tracker, topic, region, used))
            else:
                # a rule question: what it means for this person first when their dates
                # decide it (when cover starts), else the rule itself, which answers it
                rule = facts_answer(tracker, topic, region, used)
                dated = any(tracker.get_slot(s) for s in ("birth_date", "payment_date"))
                first, then = (answer, rule) if dated else (rule, answer)
                texts.append("\n\n".join(t for t in (first, then) if t))
        text = heard_note(tracker) + year_note(question) + "\n\n".join(texts)
        # a household's answer may ask about its members: any member's piece answers it
        waiting = None
        if topic == "household":  # asked about the members, or about any member's piece
            waiting = household_waiting(question) if members else Waiting(["members"])
        return events + self.say(dispatcher, tracker, text, used, waiting)

    @staticmethod
    def say(
        dispatcher: CollectingDispatcher, tracker: Tracker, text: str, used: list, waiting=None
    ) -> list:
        """Sends the answer; remembers the question ("那威海呢" asks it again), the region, and
        the conversation's state with what the answer asked, if anything."""
        # fact_ids travel as message metadata: the REST and WeChat channels ignore them, the
        # staff console shows those facts with their citations
        fact_ids = list(dict.fromkeys(f.id for f in used))
        asked = distinctive_tokens(knowledge_base(), asked_text(tracker))
        dispatcher.utter_message(text=render.lead_first(text, tuple(asked)), fact_ids=fact_ids)
        events = [SlotSet("asked", asked_text(tracker))]
        question = question_from(tracker)
        question.topic = question.topic or tracker.get_slot("topic")
        if not question.members and tracker.get_slot("topic") == "household":
            question.members = read_question(knowledge_base(), latest_text(tracker)).members
        events.append(SlotSet("turn_state", state_after(tracker, question, waiting)))
        regions = question.regions
        if regions:
            events.append(SlotSet("region", regions[-1]))
        return events
