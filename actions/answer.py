"""``action_answer``: one turn, one path. The tracker is read into the conversation's state
once, ``policy_kb.answering.turn.answer_turn`` answers the message on it (read once, merged with
what the conversation knows, composed once), and the new state is written back to one slot.

The staff console (through this action) and ``shebao ask`` (``policy_kb.cli``) call the same
``answer_turn``, so the three answer alike. Every figure comes from the knowledge base.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    answer_year,
    intent_topic,
    knowledge_base,
    latest_intent,
    out_of_scope,
    scheme_in_play,
    turn_state,
)
from actions.question import asked_text, latest_text
from actions.replies import ask_buttons, topic_buttons, without_repeats
from policy_kb.answering import documents_answer, introduction, render
from policy_kb.answering.relevance import asked_words
from policy_kb.answering.state import TurnState
from policy_kb.answering.turn import Turn, answer_turn, read_move, set_aside, topic_facts
from policy_kb.reading.question import read_question
from policy_kb.reading.spoken import read_spoken

# a quick reply's entities, as the words a resident would type ("/inform{"med_tier":"一档"}")
_ENTITY_WORDS = {"amount": "{}元"}


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


def message_text(tracker: Tracker) -> str:
    """The message as the resident said it; a quick reply's payload as the words it stands for
    (its entities: "/inform{"region":"qingdao"}" → the region's name)."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if not text.startswith("/"):
        return text
    kb = knowledge_base()
    said = []
    for entity in message.get("entities") or []:
        value = str(entity.get("value") or "")
        if entity.get("entity") == "region" and value in kb.regions:
            value = kb.region_name(value)
        said.append(_ENTITY_WORDS.get(entity.get("entity"), "{}").format(value))
    return " ".join(said)


def state_from(tracker: Tracker) -> TurnState:
    """The tracker read into the turn's state, once: the state slot, plus a birth date the NLU
    read (the turn's own reader reads payment dates, not whose birth a date is)."""
    state = turn_state(tracker)
    born = tracker.get_slot("birth_date")
    if born:
        state.birth_date = str(born)
    return state


def heard_note(tracker: Tracker) -> str:
    """ "（按青岛市计算）" when a word was read by its sound only (a voice transcript's 清岛):
    the resident sees what the answer assumed."""
    note = read_spoken((tracker.latest_message or {}).get("text") or "").note
    return note + "\n" if note else ""


def year_note(question) -> str:
    """ "青岛明年医保多少钱": say which year the answer gives, and that it is the only one (a
    document's own answer says which year it covers)."""
    kb = knowledge_base()
    if question is None or not question.other_year or documents_answer.asked(kb, question):
        return ""
    have = introduction.years(kb)
    return (
        f"我只有{introduction.places(kb)}{have}的缴费政策，下面是{have}的规定；" "其他年度的标准请以当地税务、人社、医保部门发布的通告为准。\n"
    )


def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    """The one path: the message answered by ``answer_turn`` on the conversation's state."""
    text = message_text(tracker)
    turn = answer_turn(
        knowledge_base(), text, state_from(tracker), topic=intent_topic(latest_intent(tracker))
    )
    return say_turn(dispatcher, turn, heard_note(tracker))


def turn_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list | None:
    """A message that answers what the assistant asked, or corrects or changes the previous
    question ("一档", "她72", "对", "不对 我问的是养老", "换成二档呢"), reached through another
    intent (small talk, a fallback): answered on the one path; None for a new question."""
    kb = knowledge_base()
    state, text = turn_state(tracker), message_text(tracker)
    if state.previous() is None:
        return None
    if read_move(kb, text, read_question(kb, text), state) == "new":
        return None
    return answer(dispatcher, tracker)


def say_turn(dispatcher: CollectingDispatcher, turn: Turn, note: str = "") -> list:
    """Sends a turn's reply (with quick replies for what it asks) and keeps its state.

    The state goes back as one serialised slot (``turn_state``): its parts change together
    (what the assistant waits for refers to the question it asked), and the chat, the console
    and the CLI share that one value. Only the region is copied to a slot of its own: the
    hotline and hand-off replies name the region's channels from it.
    """
    fact_ids = list(dict.fromkeys(f.id for f in turn.facts))
    question = turn.state.previous()
    region = question.regions[0] if len(question.regions) == 1 else None
    buttons = ask_buttons(turn.asks, region, question.scheme)
    if turn.asks == ["topic"]:
        buttons = topic_buttons()
    text = note + year_note(question) + turn.text
    # the sentence that answers what was asked leads (render.asked_lead)
    asked = asked_words(knowledge_base(), question)
    # fact_ids travel as message metadata: the REST and WeChat channels ignore them, the
    # staff console shows those facts with their citations
    dispatcher.utter_message(
        text=render.lead_first(text, asked), fact_ids=fact_ids, buttons=buttons or None
    )
    events = [
        SlotSet("turn_state", turn.state.to_json()),
        SlotSet("fallback_count", 0),
        SlotSet("asked", question.text),
    ]
    if region:
        events.append(SlotSet("region", region))
    if question.topic:
        events.append(SlotSet("topic", question.topic))
    return events


class ActionAnswer(Action):
    """Answers the message on the conversation's state (``answer_turn``)."""

    def name(self) -> str:
        return "action_answer"

    @without_repeats
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        scope = out_of_scope(tracker)
        if scope.problem:
            # the marker travels as message metadata into the tracker store (channels ignore
            # it): the policy team's review counts this reply as an out-of-scope answer
            dispatcher.utter_message(text=scope.problem, out_of_scope=True)
            # kept as asked: "打错了 是威海" after "潍坊医保一档多少" corrects the place
            state = set_aside(knowledge_base(), message_text(tracker), state_from(tracker))
            return [SlotSet("fallback_count", 0), SlotSet("turn_state", state.to_json())]
        return answer(dispatcher, tracker)
