"""The staff console's login, its JSON endpoints and the data behind them."""

from __future__ import annotations

import base64
import json
import types
import urllib.error
import urllib.request

import pytest

from bot.channels import staff_desk
from bot.channels.console import MAX_FAILURES, LoginGuard, StaffConsoleInput


def request(authorization: str | None = None, ip: str = "10.0.0.1", remote_addr: str = ""):
    # remote_addr: Sanic's address from the proxy's X-Real-IP ("" when no proxy is configured)
    headers = {"authorization": authorization} if authorization else {}
    return types.SimpleNamespace(headers=headers, ip=ip, remote_addr=remote_addr)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ---------------------------------------------------------------------- login


@pytest.mark.parametrize(
    "password, header, refusal",
    [
        # the right login passes
        ("a-long-password", basic("staff", "a-long-password"), None),
        # a wrong password is refused with the login prompt
        ("a-long-password", basic("staff", "a-long-passwor"), "login"),
        # the right password under another user name is refused
        ("a-long-password", basic("admin", "a-long-password"), "login"),
        # no header yet: the browser's first request gets the prompt
        ("a-long-password", None, "login"),
        # a bearer token or garbage is not a basic login
        ("a-long-password", "Bearer a-long-password", "login"),
        ("a-long-password", "Basic %%%not-base64", "login"),
        # no password configured: the console is off, whatever is sent
        (None, basic("staff", ""), "disabled"),
        # a password shorter than 8 characters does not switch it on either
        ("short", basic("staff", "short"), "disabled"),
    ],
)
def test_login(password, header, refusal):
    assert LoginGuard("staff", password).check(request(header)) == refusal


def test_repeated_failures_from_one_address_are_throttled():
    guard = LoginGuard("staff", "a-long-password")
    for _ in range(MAX_FAILURES):
        assert guard.check(request(basic("staff", "guess"))) == "login"
    # even the right password waits now, so guessing cannot go on
    assert guard.check(request(basic("staff", "a-long-password"))) == "throttled"
    # another address is not affected
    assert guard.check(request(basic("staff", "a-long-password"), ip="10.0.0.2")) is None


def test_behind_the_balancer_callers_are_told_apart_by_their_own_address():
    guard = LoginGuard("staff", "a-long-password")
    proxied = {"ip": "127.0.0.1"}  # every request comes from nginx
    for _ in range(MAX_FAILURES):
        assert (
            guard.check(request(basic("staff", "x"), remote_addr="10.0.0.7", **proxied)) == "login"
        )
    assert (
        guard.check(request(basic("staff", "x"), remote_addr="10.0.0.7", **proxied)) == "throttled"
    )
    right = basic("staff", "a-long-password")
    assert guard.check(request(right, remote_addr="10.0.0.8", **proxied)) is None


def test_no_default_password(monkeypatch):
    monkeypatch.delenv("STAFF_CONSOLE_PASSWORD", raising=False)
    assert not StaffConsoleInput.from_credentials(None).guard.enabled
    monkeypatch.setenv("STAFF_CONSOLE_PASSWORD", "from-the-environment")
    assert StaffConsoleInput.from_credentials(None).guard.enabled


# ---------------------------------------------------------------------- data, no server


@pytest.mark.parametrize(
    "form, must",
    [
        # Shanting, 65: half of the 380 paid by the government
        ({"region": "山亭", "scheme": "medical", "age": "65"}, "个人缴费：190元"),
        # a Qingdao household: 462 + 462 + 395
        ({"region": "青岛", "household": "两个大人选一档，一个上小学的孩子"}, "1319"),
        # Chinese numerals for the age
        ({"region": "山亭", "scheme": "医保", "age": "六十五"}, "190"),
        # a Weihai pension tier
        ({"region": "威海", "scheme": "pension", "tier": "500", "age": "40"}, "500元"),
        # a newborn's cover in Weihai: the calculator's date rule
        (
            {
                "region": "威海",
                "scheme": "medical",
                "group": "新生儿",
                "birth_date": "2024-03-10",
                "payment_date": "2024-08-20",
            },
            "待遇起始",
        ),
    ],
)
def test_calculator_form(form, must):
    result = staff_desk.calculate_case(form)
    assert must in result["text"], result
    assert result["facts"] and all(f["citations"] for f in result["facts"])


@pytest.mark.parametrize(
    "form, error",
    [
        ({"region": "北京", "scheme": "medical"}, "请选择地区"),  # not a covered region
        ({"region": "威海", "scheme": "employee"}, "请选择险种"),  # not a resident scheme
        ({"region": "威海", "scheme": "medical", "age": "两百"}, "年龄"),  # out of range
        ({"region": "威海", "scheme": "medical", "birth_date": "2024-13-40"}, "日期"),
        ({"region": "青岛", "household": "我家有猫"}, "家庭成员"),  # no member readable
    ],
)
def test_calculator_form_bad_input(form, error):
    assert error in staff_desk.calculate_case(form)["error"]


def test_keywords_without_an_answer_fact_fall_back_to_a_lookup():
    # the assistant asked back (no fact rendered): the console still shows the facts
    result = staff_desk.answer("威海 医保 电话", [{"text": "请问…"}], [], None)
    assert result["facts_basis"] == "lookup"
    assert any("5190857" in f["answer"] for f in result["facts"])
    assert result["region"] == "威海" and result["tables"]


def test_a_chosen_region_is_named_unless_the_question_names_one():
    assert staff_desk.with_region("医保交多少", "威海") == "威海市 医保交多少"
    assert staff_desk.with_region("青岛医保交多少", "威海") == "青岛医保交多少"
    assert staff_desk.with_region("医保交多少", None) == "医保交多少"


# ---------------------------------------------------------------------- through the server


def post(url: str, body, login=None) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    if login:
        req.add_header("Authorization", basic(login["username"], login["password"]))
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text.startswith("{") else {"html": text}


@pytest.mark.server
def test_ask_returns_the_answer_and_the_facts_it_rests_on(assistant):
    url = assistant["base"] + "/webhooks/console/api/ask"
    login = assistant["console"]
    status, data = post(url, {"session": "call-0001", "question": "二档多少钱", "region": "威海"}, login)
    assert status == 200
    assert "650" in data["answer_text"] and "2024年度" in data["answer_text"]
    ids = [f["id"] for f in data["facts"]]
    assert data["facts_basis"] == "answer" and "2024/威海/medical.personal" in ids
    quotes = " ".join(c["quote"] for f in data["facts"] for c in f["citations"])
    assert "650" in quotes  # the number is in the quoted sentence itself
    assert [t["title"] for t in data["tables"]][0] == "金额一览（元/年）"


@pytest.mark.server
@pytest.mark.parametrize(
    "body, login, status",
    [
        # no login: refused before anything is read
        ({"session": "call-0002", "question": "医保"}, None, 401),
        # not JSON
        (b"question=1", "ok", 400),
        # a session id with characters the channel does not accept
        ({"session": "../../x", "question": "医保"}, "ok", 400),
        # an empty question
        ({"session": "call-0003", "question": "   "}, "ok", 400),
    ],
)
def test_ask_refuses_bad_requests(assistant, body, login, status):
    url = assistant["base"] + "/webhooks/console/api/ask"
    got, data = post(url, body, assistant["console"] if login else None)
    assert got == status
    assert "error" in data or "需要登录" in data.get("html", "")


@pytest.mark.server
def test_an_id_number_typed_into_the_console_is_not_stored(assistant):
    import sqlite3

    url = assistant["base"] + "/webhooks/console/api/ask"
    number = "370402199001011234"
    post(url, {"session": "call-0004", "question": f"查一下{number}交了没有"}, assistant["console"])
    with sqlite3.connect(assistant["trackers"]) as db:
        rows = db.execute("select data from events where sender_id = 'console-call-0004'")
        stored = " ".join(r[0] for r in rows)
    assert stored and number not in stored
