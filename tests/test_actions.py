"""Custom actions run on tracker fixtures (tests/fixtures/trackers/*.json), no server needed."""

import asyncio
import json
import pathlib
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.conversation import ActionCheckRecord, ActionSuggestTopics
from actions.form import ValidateAnswerForm
from policy_kb.answering.state import TurnState

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "trackers"
DOMAIN: dict = {"forms": {"answer_form": {"required_slots": ["region"]}}, "slots": {}}


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def run(action, name: str):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker(name), DOMAIN)
    events = asyncio.run(result) if asyncio.iscoroutine(result) else result
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    return text, events, dispatcher.messages


@pytest.mark.parametrize(
    "fixture, must, must_not",
    [
        # Shanting, 65: half of 380 paid by the government → 190, with year and source
        ("shanting_age65_medical", ["个人缴费：190元", "2024年度", "来源：.*五（一）"], []),
        # household from the sentence: 462 + 462 + 395
        ("qingdao_household", ["1319"], []),
        # another city: scope message, no figure from any region
        ("other_city_jinan", ["济南"], [r"\d{3}元", "462", "450", "380"]),
        # Shanting has no phone number: never another region's
        ("shanting_hotline", ["没有公布咨询电话", "区医保局"], [r"\d{5,}"]),
    ],
)
def test_action_answer(fixture, must, must_not):
    text, _, _ = run(ActionAnswer(), fixture)
    for pattern in must:
        assert re.search(pattern, text), (pattern, text)
    for pattern in must_not:
        assert not re.search(pattern, text), (pattern, text)


def test_check_record_never_repeats_the_id_number_and_leaves_the_form():
    text, events, _ = run(ActionCheckRecord(), "check_record_with_id")
    assert "370402199001011234" not in text and "查不到" in text and "5690238" in text
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


def test_second_fallback_offers_the_human_channels():
    text, events, _ = run(ActionSuggestTopics(), "second_fallback")
    assert "咨询工作人员" in text and "12333" in text
    assert any(e.get("name") == "fallback_count" and e.get("value") == 0 for e in events)


@pytest.mark.parametrize(
    "fixture, asked, buttons",
    [
        # region unknown: the turn asks it, with the regions as quick replies
        ("no_region_pension_tiers", "哪个地区", ["青岛市", "威海市", "枣庄市山亭区"]),
        # a Qingdao adult's medical sum depends on the tier, which is missing
        ("qingdao_adult_no_tier", "您选的是哪一档", ["一档（462元）", "二档（395元）"]),
    ],
)
def test_the_turn_asks_only_what_is_missing_and_remembers_it(fixture, asked, buttons):
    text, events, messages = run(ActionAnswer(), fixture)
    assert asked in text, text
    assert [b["title"] for b in messages[-1]["buttons"]] == buttons
    state = TurnState.from_json(next(e["value"] for e in events if e["name"] == "turn_state"))
    assert state.waiting is not None and state.waiting.pieces


def test_the_form_asks_for_nothing_the_turn_asks_instead():
    form = ValidateAnswerForm()
    t = tracker("no_region_pension_tiers")
    assert asyncio.run(form.required_slots(["region"], CollectingDispatcher(), t, DOMAIN)) == []


@pytest.mark.parametrize(
    "fixture, expected",
    [
        # the calculator's answer names the rate table and the government-share rule it used
        ("shanting_age65_medical", {"2024/山亭/medical.personal"}),
        # the household sum rests on Qingdao's rate table
        ("qingdao_household", {"2024/青岛/medical.personal"}),
        # Shanting's "whom to call" rests on its hotline facts
        ("shanting_hotline", {"2024/山亭/hotline.medical"}),
    ],
)
def test_answer_reports_the_facts_it_rendered(fixture, expected):
    from actions.context import knowledge_base

    text, _, messages = run(ActionAnswer(), fixture)
    fact_ids = messages[-1]["fact_ids"]
    assert expected <= set(fact_ids), fact_ids
    kb = knowledge_base()
    for fact_id in fact_ids:
        fact = kb.fact_by_id(fact_id)
        # every reported fact exists and its source line is what the reply ends with
        assert fact is not None and fact.citations, fact_id


def test_out_of_scope_answer_reports_no_facts():
    _, _, messages = run(ActionAnswer(), "other_city_jinan")
    assert not any(m.get("fact_ids") for m in messages)
