"""Personal numbers are masked on arrival and never reach the tracker store or the logs."""

import json
import sqlite3

import pytest

from bot.channels.personal_data import contains_personal_data, mask_personal_data
from tests.tools.converse import send


@pytest.mark.parametrize(
    "text, expected",
    [
        # 18-digit ID card number, also with a final X
        ("帮我查下370402199001011234交了没有", "帮我查下（身份证号）交了没有"),
        ("身份证37040219900101123X", "身份证（身份证号）"),
        # mobile numbers, plain, hyphenated, full-width
        ("我手机13812345678", "我手机（手机号）"),
        ("138-1234-5678", "（手机号）"),
        ("１３８１２３４５６７８", "（手机号）"),
        # bank card numbers, grouped or not
        ("卡号6222 0212 3456 7890 123", "卡号（银行卡号）"),
        ("卡号6222021234567890123", "卡号（银行卡号）"),
        # policy numbers and office phones are not personal data
        ("电话0532-66035833", "电话0532-66035833"),
        ("威海5190857", "威海5190857"),
        ("12333", "12333"),
        ("我交了500元", "我交了500元"),
    ],
)
def test_mask_personal_data(text, expected):
    assert mask_personal_data(text) == expected
    assert contains_personal_data(text) == ("（" in expected)


PERSONAL = ("370402199001011234", "13812345678", "6222021234567890123")


@pytest.mark.server
def test_tracker_store_and_log_never_hold_personal_numbers(assistant):
    sender = "pii-check"
    replies = []
    for text in (f"帮我查下{PERSONAL[0]}交了没有", f"我手机号{PERSONAL[1]}，查一下缴费记录", f"银行卡{PERSONAL[2]}扣款了吗"):
        messages, _ = send(assistant["url"], sender, text)
        replies.append(" ".join(m.get("text", "") for m in messages))
    assert all(replies) and "查不到" in replies[0]
    for number in PERSONAL:
        assert all(number not in r for r in replies)
    with sqlite3.connect(assistant["trackers"]) as db:
        rows = [row for row in db.execute("select sender_id, data from events")]
    # events are stored as ASCII-escaped JSON: decode them before searching
    stored = "\n".join(f"{sender} {json.loads(data)}" for sender, data in rows)
    raw = "\n".join(data for _, data in rows)
    assert sender in stored and "（身份证号）" in stored
    for number in PERSONAL:
        assert number not in stored and number not in raw
        assert number not in assistant["log"].read_text(errors="replace")
