"""Questions the documents do not answer, and unsafe payments (issue 18 items 4 and 5).

The conversation cases of tests/conversations/declines.yml are also checked here, in process,
against the composer (the server replays them through the NLU in test_conversations.py); and
questions that only look like them, which the documents do answer, are not declined.
"""

import pathlib
import re

import pytest

from policy_kb.answering import declines
from policy_kb.answering.compose import compose
from policy_kb.reading.question import read_question
from tests.tools.converse import load_cases

CASES = load_cases(pathlib.Path(__file__).parent / "conversations" / "declines.yml")
LOOK_ALIKE = [c for c in CASES if c["id"].startswith("decline-")]
SAFETY = [c for c in CASES if c["id"].startswith("safety-")]


def test_there_are_at_least_60_look_alike_and_20_safety_cases():
    assert len(LOOK_ALIKE) >= 60 and len(SAFETY) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_composer_declines_without_a_figure_or_a_yes(kb, case):
    turn = case["turns"][0]
    answer = compose(kb, read_question(kb, turn["user"]))
    assert answer is not None, turn["user"]
    for pattern in turn["must"]:
        assert re.search(pattern, answer.text), (pattern, answer.text)
    for pattern in turn["must_not"]:
        assert not re.search(pattern, answer.text), (pattern, answer.text)


ANSWERED_BY_THE_DOCUMENTS = [
    "青岛医保最高档多少钱",  # the highest tier: a figure the documents hold
    "威海 8月5号住院能报吗",  # when cover starts
    "青岛医保什么时候能报销",
    "职工医保个人账户能给家人交居民医保吗",  # 青岛's family account
    "俺在青岛上班 有职工医保 能用个人账户里的钱给俺爹娘交居民医保不",  # the same, in dialect
    "交了职工医保还能交居民医保吗",
    "山亭能用微信交吗",
    "威海养老最高档是多少",
    "山亭交了还能退吗",
    "青岛医保二档比一档便宜多少",
    "山亭养老选500档政府补贴多少",
    "威海断缴了能补缴吗",
    "山亭养老最低交多少",
    "我65岁，在山亭，医保自己交多少",
    # a wish given as the reason ("老了多领点") is not a question about pension benefits
    "青岛居民养老一年能交15000不 想多交点 老了多领点",
]


@pytest.mark.parametrize("text", ANSWERED_BY_THE_DOCUMENTS)
def test_a_question_the_documents_answer_is_not_declined(text):
    assert not declines.unanswered_in(text) and not declines.unsafe_in(text)


def test_a_declined_question_names_what_the_documents_hold_nearby_as_a_different_thing(kb):
    answer = compose(kb, read_question(kb, "威海医保一年最高能报多少"))
    assert "不是您问的" in answer.text and "等待期" in answer.text
    assert not re.search(r"(?<!\d)(450|650)(?!\d)", answer.text)


def test_an_unsafe_payment_in_a_named_region_lists_that_regions_channels_and_route(kb):
    answer = compose(kb, read_question(kb, "山亭 代办员让我把钱转到他个人银行卡上"))
    assert answer.text.startswith("不要")
    assert "文件写明的缴费渠道" in answer.text and "区审计局" in answer.text
    assert "青岛" not in answer.text and "威海" not in answer.text
    assert any(f.topic == "supervision" for f in answer.facts)


def test_an_unsafe_payment_with_no_region_gives_every_regions_route_and_asks_where(kb):
    answer = compose(kb, read_question(kb, "有人打电话要我手机验证码，说帮我交医保"))
    for office in ("12366", "5690238", "区审计局"):
        assert office in answer.text
    assert "哪个地方" in answer.text


def test_the_decline_rules_are_data_with_every_pattern_a_valid_regular_expression():
    spec = declines.rules()
    entries = spec["unanswered"] + spec["safety"]["kinds"]
    for entry in entries:
        for pattern in entry["patterns"]:
            re.compile(pattern)
    assert {e["id"] for e in spec["safety"]["kinds"]} >= {
        "private_account",
        "cash_without_receipt",
        "over_standard",
        "credentials",
        "promise",
    }
