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
)
from actions.question import asked_text, latest_text, question_from
from actions.replies import ask_region_text, region_buttons, topic_buttons
from policy_kb import calculate, calculate_household
from policy_kb.answering import introduction, render
from policy_kb.answering.answers import adult_tiers, facts_naming
from policy_kb.answering.compose import compose
from policy_kb.answering.relevance import relevant
from policy_kb.reading.household import member_profiles, parse_household
from policy_kb.reading.question import words
from policy_kb.reading.spoken import read_spoken


def facts_answer(tracker: Tracker, topic: str, region: str, used: list | None = None) -> str:
    """The region's facts on a topic, or a plain statement that its documents are silent.

    The facts rendered are appended to ``used`` (the staff console shows them with citations).
    """
    kb = knowledge_base()
    scheme = scheme_in_play(tracker)
    year = answer_year(tracker, region)
    if topic == "hotline":
        district = tracker.get_slot("district")
        place = kb.resolve_place(district) if district else None
        in_region = district if place and place.region == region else None
        facts = kb.hotlines(region, scheme, in_region, year)
    else:
        spec = kb.topic(topic)
        facts = [
            f for t in spec.fact_topics for f in kb.facts(region, year, topic=t, scheme=scheme)
        ]
        if not facts:
            # no rules of its own (山亭's students): the facts topics.yml names still answer it
            facts = [f for f in (kb.fact(region, k, year) for k in spec.fallback_keys) if f]
        if not facts or all(f.status == "not_stated" for f in facts):
            facts += [
                f for t in spec.fallback for f in kb.facts(region, year, topic=t, scheme=scheme)
            ]
        if topic == "hardship" and all(f.status == "not_stated" for f in facts):
            # another fact of the region may still cover the group (威海's 300 tier)
            said = [w for w in words()["hardship_words"] if w in latest_text(tracker)]
            facts += facts_naming(kb, region, said or words()["hardship_words"], scheme, year)
    if not facts:
        if used is not None:
            used.extend(kb.hotlines(region))
        return render.not_stated_text(kb, region, kb.topic(topic).title)
    if not kb.topic(topic).whole:
        facts = relevant(kb, facts, asked_text(tracker))  # "怎么用支付宝交": that channel
    if used is not None:
        used.extend(facts)
    return render.facts_text(facts, kb)


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


class ActionAnswer(Action):
    """Answers the current topic for every region in play."""

    def name(self) -> str:
        return "action_answer"

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
        question = question_from(tracker)
        composed = compose(knowledge_base(), question)
        if composed is not None:
            text = heard_note(tracker) + year_note(question) + composed.text
            return events + self.say(dispatcher, tracker, text, composed.facts)
        topic = tracker.get_slot("topic")
        regions = regions_in_play(tracker)
        if not regions:
            dispatcher.utter_message(text=ask_region_text(), buttons=region_buttons())
            return events
        if not topic:
            names = "、".join(knowledge_base().region_name(r) for r in regions)
            dispatcher.utter_message(text=f"好的，{names}。您想了解什么？", buttons=topic_buttons())
            return events + [SlotSet("region", regions[-1])]
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
                    texts.append("请说说家里每个人的情况，例如：“两个大人选一档，一个上小学的孩子”。")
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
        return events + self.say(dispatcher, tracker, text, used)

    @staticmethod
    def say(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, used: list) -> list:
        """Sends the answer; remembers the question ("那威海呢" asks it again) and the region."""
        # fact_ids travel as message metadata: the REST and WeChat channels ignore them, the
        # staff console shows those facts with their citations
        fact_ids = list(dict.fromkeys(f.id for f in used))
        dispatcher.utter_message(text=render.lead_first(text), fact_ids=fact_ids)
        events = [SlotSet("asked", asked_text(tracker))]
        regions = question_from(tracker).regions
        if regions:
            events.append(SlotSet("region", regions[-1]))
        return events
