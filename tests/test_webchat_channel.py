"""The web chat channel (bot/channels/chat_page.py) over HTTP, against the running assistant.

The first tests need no server: they check the input rules and the history conversion.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.channels.chat_page import history_messages
from bot.channels.http_shared import MAX_MESSAGE_CHARS, InputError, clean_message, valid_sender
from bot.serving.rasa_patches import SESSION_MAX_TURNS

ID_NUMBER = "370203199001011234"
PAYLOAD = '/inform{"region": "威海"}'


# ---------------------------------------------------------------------- without a server
@pytest.mark.parametrize(
    "sender", ["abcdefgh", "0f8c2a4e-9d1b-4c6e-8f3a-2b7d5e1c9a04", "a_b-C9" * 4, "x" * 64]
)
def test_valid_sender_ids(sender):
    assert valid_sender(sender) == sender


@pytest.mark.parametrize(
    "sender",
    [None, 12345678, "", "short", "x" * 65, "has space1", "ümlaut12", "a/b/c/d/e", "中文会话编号八个"],
)
def test_invalid_sender_ids(sender):
    with pytest.raises(InputError):
        valid_sender(sender)


def test_clean_message_masks_strips_and_limits():
    assert clean_message(f"  我的身份证{ID_NUMBER}\r\n交了吗\x00\ud800 ") == "我的身份证（身份证号）\n交了吗"
    assert len(clean_message("啊" * MAX_MESSAGE_CHARS)) == MAX_MESSAGE_CHARS
    for bad, key in [
        (None, "not_text"),
        (5, "not_text"),
        (["x"], "not_text"),
        (" \n\x01", "empty"),
    ]:
        with pytest.raises(InputError) as refused:
            clean_message(bad)
        assert refused.value.key == key
    with pytest.raises(InputError) as refused:
        clean_message("啊" * (MAX_MESSAGE_CHARS + 1))
    assert refused.value.status == 413


def test_history_shows_quick_reply_titles_not_payloads():
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "医保多少钱", "timestamp": 2.0},
        {
            "event": "bot",
            "text": "请问您问的是哪个地区？",
            "data": {"buttons": [{"title": "威海市", "payload": PAYLOAD}]},
            "timestamp": 3.0,
        },
        {"event": "user", "text": PAYLOAD, "timestamp": 4.0},
        {"event": "slot", "name": "region", "value": "威海", "timestamp": 4.1},
        {"event": "bot", "text": "威海…650元", "data": {}, "timestamp": 5.0},
    ]
    assert history_messages(events) == [
        {"role": "user", "text": "医保多少钱", "buttons": [], "timestamp": 2.0},
        {
            "role": "bot",
            "text": "请问您问的是哪个地区？",
            "buttons": [{"title": "威海市", "payload": PAYLOAD}],
            "timestamp": 3.0,
        },
        {"role": "user", "text": "威海市", "buttons": [], "timestamp": 4.0},
        {"role": "bot", "text": "威海…650元", "buttons": [], "timestamp": 5.0},
    ]
    assert len(history_messages(events, limit=2)) == 2


# ---------------------------------------------------------------------- against the server
def base_url(assistant) -> str:
    """The server's base URL (``assistant["base"]``, else derived from the REST webhook URL)."""
    return assistant.get("base") or assistant["url"].split("/webhooks/")[0]


@pytest.fixture(scope="module")
def webchat(assistant):
    return base_url(assistant) + "/webhooks/webchat"


def new_sender() -> str:
    return str(uuid.uuid4())


def http(url: str, body: bytes | None = None, method: str | None = None):
    """(status, headers, text) of one request; HTTP errors are answers too."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def post(webchat: str, payload, raw: bool = False):
    body = payload if raw else json.dumps(payload).encode("utf-8")
    status, _, text = http(webchat + "/webhook", body, "POST")
    assert "Traceback" not in text and 'File "' not in text
    return status, json.loads(text)


def ask(webchat: str, sender: str, message: str) -> list[dict]:
    status, replies = post(webchat, {"sender": sender, "message": message})
    assert status == 200, replies
    assert isinstance(replies, list) and replies
    return replies


def history(webchat: str, sender: str) -> tuple[int, dict]:
    status, _, text = http(webchat + "/history?" + urllib.parse.urlencode({"sender": sender}))
    return status, json.loads(text)


def joined(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


URL_RE = re.compile(r"""https?://[^\s"'<>)]+""", re.I)
ALLOWED_URLS = {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched


@pytest.mark.server
def test_page_and_assets_are_served_locally_with_no_external_urls(webchat):
    status, headers, html = http(webchat + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "居民社保缴费助手" in html and 'lang="zh-CN"' in html
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert {"static/chat.js", "static/chat.css", "static/avatar-bot.svg"} <= set(assets)
    files = {"index.html": html}
    for asset in assets:
        assert not re.match(r"(?:[a-z]+:)?//", asset), f"{asset} is not a local path"
        status, headers, text = http(f"{webchat}/{asset}")
        assert status == 200, asset
        files[asset] = text
    script = files["static/chat.js"]
    for avatar in re.findall(r'"(static/[a-z-]+\.svg)"', script):
        status, headers, files[avatar] = http(f"{webchat}/{avatar}")
        assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    assert "static/avatar-user.svg" in files
    for name, text in files.items():
        external = [u for u in URL_RE.findall(text) if u not in ALLOWED_URLS]
        assert not external, f"{name} refers to {external}"
        assert not re.search(r"""(?:url\(|@import|src=|href=)\s*["']?//""", text), name
    assert "@font-face" not in files["static/chat.css"]
    # nothing with user or bot text goes through innerHTML
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)


@pytest.mark.server
def test_the_page_header_names_the_knowledge_bases_regions_and_years(webchat, kb):
    _, _, html = http(webchat + "/")
    assert "{{scope}}" not in html
    for name in kb.regions.values():
        assert name in html
    assert all(f"{year}年度" in html for year in kb.years)


def test_page_url_without_slash_redirects_and_unknown_files_are_404(webchat):
    request = urllib.request.Request(webchat)
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=10)
    assert redirect.value.code in (301, 302, 307, 308)
    assert redirect.value.headers["Location"].endswith("/webhooks/webchat/")
    for path in ["static/nope.js", "static/..%2Fchannels%2Fchat_page.py", "static/index.html"]:
        status, _, text = http(f"{webchat}/{path}")
        assert status == 404 and "chat_page.py" not in text and "import" not in text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.server
def test_webhook_answers_and_history_returns_the_conversation(webchat):
    sender = new_sender()
    replies = ask(webchat, sender, "威海的医保二档是多少")
    assert "650" in joined(replies)
    assert all(m["recipient_id"] == sender for m in replies)

    status, data = history(webchat, sender)
    assert status == 200 and data["sender"] == sender
    messages = data["messages"]
    assert messages[0] == {
        "role": "user",
        "text": "威海的医保二档是多少",
        "buttons": [],
        "timestamp": messages[0]["timestamp"],
    }
    assert [m["role"] for m in messages] == ["user"] + ["bot"] * len(replies)
    assert "650" in "\n".join(m["text"] for m in messages[1:])
    stamps = [m["timestamp"] for m in messages]
    assert all(isinstance(t, (int, float)) for t in stamps) and stamps == sorted(stamps)

    status, data = history(webchat, new_sender())  # an unknown conversation is just empty
    assert status == 200 and data["messages"] == []


@pytest.mark.server
def test_quick_reply_payload_is_answered_and_shown_by_its_title_in_history(webchat):
    sender = new_sender()
    replies = ask(webchat, sender, "医保多少钱")
    buttons = {b["title"]: b["payload"] for m in replies for b in m.get("buttons") or []}
    assert "威海市" in buttons, replies
    answer = joined(ask(webchat, sender, buttons["威海市"]))
    assert "450" in answer and "650" in answer
    users = [m["text"] for m in history(webchat, sender)[1]["messages"] if m["role"] == "user"]
    assert users == ["医保多少钱", "威海市"]


@pytest.mark.server
def test_history_spans_the_sessions_a_long_conversation_is_split_into(webchat):
    # bot.serving.rasa_patches start a new session every SESSION_MAX_TURNS messages; a reload still shows all
    sender = new_sender()
    questions = ["威海医保一档多少", "山亭呢", "青岛呢", "截止到哪天"] * 3
    assert len(questions) > SESSION_MAX_TURNS
    for question in questions:
        ask(webchat, sender, question)
    users = [m["text"] for m in history(webchat, sender)[1]["messages"] if m["role"] == "user"]
    assert users == questions


@pytest.mark.server
@pytest.mark.parametrize("sender", ["bad id!", "short", "x" * 65, 12345678, None, "../../etc"])
def test_bad_sender_ids_are_refused(webchat, sender):
    status, data = post(webchat, {"sender": sender, "message": "威海医保电话"})
    assert status == 400 and "会话编号" in data["error"]


@pytest.mark.server
def test_history_needs_a_valid_sender(webchat):
    for query in ["", "?sender=", "?sender=a%20b", "?sender=" + "y" * 65]:
        status, _, text = http(webchat + "/history" + query)
        assert status == 400 and "会话编号" in json.loads(text)["error"]


@pytest.mark.server
@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"garbage", 400, "JSON"),
        (b"", 400, "JSON"),
        (b"\xff\xfe\x00", 400, "JSON"),
        (b"[1, 2]", 400, "JSON"),
        (b'"just a string"', 400, "JSON"),
        (b'{"sender": "%s", "message": 12}', 400, "文字"),
        (b'{"sender": "%s", "message": ["a"]}', 400, "文字"),
        (b'{"sender": "%s", "message": {"text": "a"}}', 400, "文字"),
        (b'{"sender": "%s"}', 400, "文字"),
        (b'{"sender": "%s", "message": "  \\n\\u0000 "}', 400, "问题"),
    ],
)
def test_garbage_input_gets_a_friendly_error(webchat, body, status, words):
    if b"%s" in body:
        body = body.replace(b"%s", new_sender().encode())
    answer_status, data = post(webchat, body, raw=True)
    assert answer_status == status and words in data["error"]


@pytest.mark.server
def test_oversized_message_is_refused_with_a_friendly_message(webchat):
    sender = new_sender()
    status, data = post(webchat, {"sender": sender, "message": "威海医保" * 1500})
    assert status == 413 and "5000" in data["error"]
    huge = b'{"sender": "%s", "message": "' % sender.encode() + b"a" * 300_000 + b'"}'
    status, data = post(webchat, huge, raw=True)
    assert status == 413 and "5000" in data["error"]
    assert history(webchat, sender)[1]["messages"] == []  # Rasa saw neither


@pytest.mark.server
def test_odd_but_valid_text_is_answered(webchat):
    sender = new_sender()
    for text in ["威海医保\x00电话\ud800", "<script>alert(1)</script>", "🙂" * 10, "啊" * 5000]:
        replies = ask(webchat, sender, text)
        assert all(isinstance(m.get("text", ""), str) for m in replies)


@pytest.mark.server
def test_id_number_is_masked_before_rasa_sees_it(webchat, assistant):
    sender = new_sender()
    spaced = "370203 19900101 1234"
    replies = ask(webchat, sender, f"我的身份证号{ID_NUMBER}，帮我查查威海医保交了没有")
    ask(webchat, sender, f"还有{spaced}这个")
    assert ID_NUMBER not in json.dumps(replies, ensure_ascii=False)
    _, data = history(webchat, sender)
    stored = json.dumps(data, ensure_ascii=False)
    assert ID_NUMBER not in stored and spaced not in stored
    assert "（身份证号）" in data["messages"][0]["text"]
    with sqlite3.connect(assistant["trackers"]) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ?", ("webchat-" + sender,)
        ).fetchall()
    assert rows and not any(ID_NUMBER in r[0] or "19900101" in r[0] for r in rows)


@pytest.mark.server
def test_web_history_cannot_read_another_channels_conversation(webchat, assistant):
    sender = new_sender()
    request = urllib.request.Request(
        assistant["url"],
        data=json.dumps({"sender": sender, "message": "威海医保电话"}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert json.loads(response.read())  # the REST conversation exists
    status, data = history(webchat, sender)
    assert status == 200 and data["messages"] == []
