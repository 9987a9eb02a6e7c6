"""A resident's long conversation keeps its context across the sessions bot.serving.rasa_patches start.

bot.serving.rasa_patches start a new session (slots carried over) every SESSION_MAX_TURNS messages so that
a turn's cost does not grow with the conversation. Here one resident asks 50-odd questions with
follow-ups ("那威海呢") through the REST channel, some of them the first message of a new session,
and every answer must still use the context.
"""

import sqlite3
import uuid

import pytest

from bot.serving.rasa_patches import SESSION_MAX_TURNS
from tests.tools.converse import check_turn, send

# A question that names everything, then follow-ups that rely on it (figures: context.yml).
ROUND = [
    {"user": "青岛医保二档多少钱", "must": [r"(?<!\d)395(?!\d)"]},
    {
        "follow_up": True,
        "user": "威海呢",
        "must": [r"(?<!\d)650(?!\d)", "2024年度"],
        "must_not": [r"(?<!\d)395(?!\d)"],
    },
    {"user": "威海医保一档多少", "must": [r"(?<!\d)450(?!\d)"]},
    {
        "follow_up": True,
        "user": "山亭呢",
        "must": [r"(?<!\d)380(?!\d)"],
        "must_not": [r"(?<!\d)450(?!\d)"],
    },
    {"user": "威海医保什么时候交", "must": ["9月1日", "12月31日"]},
    {"follow_up": True, "user": "那怎么交", "must": ["山东税务社保费缴纳"]},
    {"user": "山亭医保交多少", "must": [r"(?<!\d)380(?!\d)"]},
    {"follow_up": True, "user": "截止到哪天", "must": ["12月31日"]},
    {"user": "青岛缴费咨询电话多少", "must": ["12366"]},
    {"follow_up": True, "user": "山亭呢", "must": ["区税务局|区人社局|区医保局"], "must_not": ["0532"]},
    {"user": "威海养老保险咨询电话", "must": ["12333"]},
    {"follow_up": True, "user": "医保呢", "must": ["5190857"]},
    {"user": "山亭医保交多少", "must": [r"(?<!\d)380(?!\d)"]},
    {"follow_up": True, "user": "谢谢", "must": ["不客气"]},
    {"follow_up": True, "user": "那养老呢", "must": [r"(?<!\d)8000元", r"(?<!\d)350元"]},
    {"user": "青岛医保一档多少", "must": [r"(?<!\d)462(?!\d)"]},
    {
        "follow_up": True,
        "user": "那威海呢",
        "must": [r"(?<!\d)450(?!\d)"],
        "must_not": [r"(?<!\d)462(?!\d)"],
    },
]
TURNS = ROUND * 3  # 51 messages


def _follow_ups_opening_a_session() -> list[int]:
    """Turn numbers (1-based) of follow-ups that are the first message of a new session."""
    return [
        n
        for n, turn in enumerate(TURNS, 1)
        if turn.get("follow_up") and n > 1 and (n - 1) % SESSION_MAX_TURNS == 0
    ]


def test_the_conversation_crosses_sessions_with_a_follow_up_first():
    assert len(TURNS) > 40
    assert _follow_ups_opening_a_session(), "no follow-up falls on a session's first message"


@pytest.mark.server
def test_follow_ups_keep_their_context_through_a_long_conversation(assistant):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    problems = []
    for n, turn in enumerate(TURNS, 1):
        messages, _ = send(assistant["url"], sender, turn["user"])
        problems += [f"turn {n} {turn['user']!r}: {p}" for p in check_turn(turn, messages)]
    assert not problems, "\n".join(problems)

    with sqlite3.connect(assistant["trackers"]) as db:
        counts = dict(
            db.execute(
                "SELECT type_name, COUNT(*) FROM events WHERE sender_id = ? GROUP BY type_name",
                (sender,),
            ).fetchall()
        )
    # the sessions did roll (else this test proves nothing), and no message was lost
    assert counts["session_started"] == 1 + (len(TURNS) - 1) // SESSION_MAX_TURNS
    assert counts["user"] == len(TURNS)
