"""The question of this turn, read once: the message's own words plus what the conversation
already knows (the region, the scheme, the topic, the previous question for "那威海呢").

``policy_kb.reading.question`` reads the words; this module only adds the tracker's context, so the
chat, the staff console and the CLI read a question the same way.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.context import intent_topic, knowledge_base, latest_intent, regions_in_play
from policy_kb.answering.turn import said_ages
from policy_kb.reading.question import (
    Question,
    answer_topic,
    ask_again,
    is_follow_up,
    read_question,
)
from policy_kb.reading.spoken import read_spoken


def latest_text(tracker: Tracker) -> str:
    """The latest message as typed text: a voice transcript's fillers, numbers in words and
    misheard names read (policy_kb.reading.spoken; the parse keeps the resident's own words)."""
    return read_spoken((tracker.latest_message or {}).get("text") or "").text


def asked_text(tracker: Tracker) -> str:
    """The message as a question: a bare follow-up is the previous question asked again."""
    kb = knowledge_base()
    # as sent: read_question reads the spoken form itself, and the pauses it would join still
    # tell where one question ends and the next begins
    text = (tracker.latest_message or {}).get("text") or ""
    previous = tracker.get_slot("asked")
    if previous and text and is_follow_up(kb, text):
        return ask_again(kb, previous, text)
    return text


def question_from(tracker: Tracker) -> Question:
    """The turn's question with the conversation's region, scheme and topic filled in."""
    kb = knowledge_base()
    text = asked_text(tracker)
    question = read_question(kb, text)
    said_ages(text, question.members)  # "我和老伴都65", "俺爹 他65"
    if not question.regions and not question.all_regions:
        question.regions = regions_in_play(tracker)
    if not question.schemes and tracker.get_slot("scheme"):
        scheme = kb.detect_scheme(str(tracker.get_slot("scheme")))
        question.schemes = [scheme] if scheme else []
    topic = answer_topic(question, intent_topic(latest_intent(tracker)))
    if topic == "household":
        question.topic = "tiers"  # a household's question is what it pays
    elif topic:
        question.topic = topic
    elif text == latest_text(tracker) and not question.topic:
        question.topic = tracker.get_slot("topic") if not is_follow_up(kb, text) else None
    return question
