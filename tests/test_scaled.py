"""The scaled mode against the real servers: two Rasa replicas behind nginx, conversations in
PostgreSQL, locks and WeChat state in Redis (``make run-scaled``, bot/serving/scaled.py).

Turns are sent to one replica or the other directly (their own ports) where the test is about
replicas sharing a conversation, and through the balancer where it is about the balancer.
Skipped, with the reason, when PostgreSQL, Redis or nginx is missing (tests/conftest.py).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.serving import shared_stores
from tests.conftest import CONSOLE_TEST_ENV, CONSOLE_TEST_LOGIN, SCALED_PORT, WECHAT_TEST_ENV
from tests.test_wechat_channel import build, credentials, message_xml, open_reply
from tests.tools.converse import send
from tests.tools.scaled import scaled_serving
from tests.tools.servers import ServersDidNotStart
from tests.tools.stores import drop_keys, unique_name

pytestmark = pytest.mark.scaled


@pytest.fixture(scope="module")
def scaled(scaled_database, tmp_path_factory):
    prefix = unique_name("scaledtest")
    env = {
        **WECHAT_TEST_ENV,
        **CONSOLE_TEST_ENV,
        "PGDATABASE": scaled_database,
        "REDIS_KEY_PREFIX": prefix,
    }
    run_dir = tmp_path_factory.mktemp("scaled")
    try:
        with scaled_serving(run_dir, SCALED_PORT, SCALED_PORT + 50, 2, 1, env) as info:
            yield {**info, "database": scaled_database}
    except ServersDidNotStart as error:
        pytest.fail(str(error))
    finally:
        drop_keys(prefix)


def events(database: str, sender: str) -> list[tuple[str, dict]]:
    """(type, event) of the sender's events in PostgreSQL, in the order they were stored."""
    env = {**shared_stores.environment(), "PGDATABASE": database}
    conn = shared_stores.pg_connect(env, database)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
            )
            return [(kind, json.loads(data)) for kind, data in cursor.fetchall()]
    finally:
        conn.close()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def upstreams(access_log, since: int) -> list[str]:
    lines = access_log.read_bytes()[since:].decode().splitlines()
    return [line.rsplit("upstream=", 1)[1].split()[0] for line in lines if "rest/webhook" in line]


def test_turns_alternating_between_replicas_keep_their_context(scaled):
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    one, two = scaled["replica_urls"]
    first, _ = send(one, sender, "威海医保一档多少")
    assert "威海" in texts(first) and "450" in texts(first)
    second, _ = send(two, sender, "那青岛呢")  # the region changes, the question stays
    assert "青岛" in texts(second) and "462" in texts(second)
    third, _ = send(one, sender, "那大学生呢")  # the group changes, region and scheme stay
    assert "青岛" in texts(third) and "150" in texts(third)
    users = [e["text"] for kind, e in events(scaled["database"], sender) if kind == "user"]
    assert users == ["威海医保一档多少", "那青岛呢", "那大学生呢"]


def test_the_balancer_spreads_a_conversation_over_both_replicas(scaled):
    sender = f"lb-{uuid.uuid4().hex[:8]}"
    since = scaled["access_log"].stat().st_size
    answers = [send(scaled["url"], sender, m)[0] for m in ("山亭养老有哪些档次", "那威海呢", "那青岛呢")]
    assert all(answers) and "青岛" in texts(answers[-1])
    used = upstreams(scaled["access_log"], since)
    assert sorted(set(used)) == [f"127.0.0.1:{p}" for p in scaled["replica_ports"]], used


FIVE = ["威海医保一档多少", "青岛养老保险怎么交", "山亭医保电话", "威海医保二档多少", "青岛医保什么时候交"]


def test_five_messages_of_one_sender_at_once_are_answered_in_one_order(scaled):
    sender = f"five-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(len(FIVE)) as pool:
        replies = list(pool.map(lambda m: send(scaled["url"], sender, m)[0], FIVE))
    assert all(replies), "every message gets an answer"
    stored = events(scaled["database"], sender)
    turns = _turns(stored)
    assert sorted(text for text, _ in turns) == sorted(FIVE), "each message stored exactly once"
    # one turn after the other: each ends with action_listen before the next user message,
    # and what the resident got for a message is exactly what the tracker holds after it
    # (Rasa's REST channel sends one bot event's paragraphs as separate messages)
    got = {
        message: "\n\n".join(m["text"] for m in reply if m.get("text"))
        for message, reply in zip(FIVE, replies)
    }
    for text, bot_texts in turns:
        assert "\n\n".join(t for t in bot_texts if t) == got[text], text
    assert [kind for kind, _ in stored].count("session_started") == 1
    kinds = [kind for kind, _ in stored]
    for index, kind in enumerate(kinds):
        if kind == "user" and index > 0:
            previous = [e for k, e in stored[:index] if k == "action"][-1]
            assert previous["name"] == "action_listen"


def _turns(stored) -> list[tuple[str, list[str]]]:
    turns: list[tuple[str, list[str]]] = []
    for kind, event in stored:
        if kind == "user":
            turns.append((event["text"], []))
        elif kind == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    return turns


def _wechat(url_base: str, sender: str, content: str, msg_id: str | None = None):
    creds = credentials(WECHAT_TEST_ENV)
    xml = message_xml(sender, msg_id=msg_id, Content=content)
    query, body = build(creds, xml)
    url = f"{url_base}/webhooks/wechat/webhook?{urllib.parse.urlencode(query)}"
    return url, body, creds


def _post(url: str, body: bytes) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as reply:
        assert reply.status == 200
        return reply.read().decode("utf-8")


def test_a_wechat_retry_sent_to_each_replica_is_answered_once(scaled):
    sender = f"o-retry-{uuid.uuid4().hex[:8]}"
    msg_id = str(uuid.uuid4().int % 10**18)
    bases = [u.split("/webhooks/")[0] for u in scaled["replica_urls"]]
    requests = [_wechat(base, sender, "威海医保一档多少", msg_id) for base in bases]
    with ThreadPoolExecutor(2) as pool:  # the original and WeChat's retry, one on each replica
        bodies = list(pool.map(lambda r: _post(r[0], r[1]), requests))
    creds = requests[0][2]
    contents = [open_reply(creds, body)["Content"] for body in bodies]
    assert contents[0] == contents[1] and "450" in contents[0]
    users = [e for kind, e in events(scaled["database"], sender) if kind == "user"]
    assert len(users) == 1, "the assistant ran once"


def test_a_wechat_option_number_means_the_same_on_the_other_replica(scaled):
    sender = f"o-opt-{uuid.uuid4().hex[:8]}"
    one, two = (u.split("/webhooks/")[0] for u in scaled["replica_urls"])
    url, body, creds = _wechat(one, sender, "医保多少钱")
    question = open_reply(creds, _post(url, body))["Content"]
    assert "回复 1：青岛" in question, question
    url, body, creds = _wechat(two, sender, "1")
    answer = open_reply(creds, _post(url, body))["Content"]
    assert "青岛" in answer and "2024" in answer
    users = [e["text"] for kind, e in events(scaled["database"], sender) if kind == "user"]
    assert users[-1].startswith("/inform"), users  # the payload, not "1"


def test_web_chat_and_staff_console_work_through_the_balancer(scaled):
    base = scaled["base"]
    with urllib.request.urlopen(f"{base}/webhooks/webchat/", timeout=10) as page:
        assert page.status == 200 and "<html" in page.read().decode().lower()
    sender = f"web{uuid.uuid4().hex[:12]}"
    body = json.dumps({"sender": sender, "message": "威海的医保二档是多少"}).encode()
    request = urllib.request.Request(
        f"{base}/webhooks/webchat/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert "650" in texts(json.loads(reply.read()))
    import base64

    login = f"{CONSOLE_TEST_LOGIN['username']}:{CONSOLE_TEST_LOGIN['password']}"
    question = {"session": "call-scaled", "question": "二档多少钱", "region": "威海"}
    request = urllib.request.Request(
        f"{base}/webhooks/console/api/ask",
        json.dumps(question).encode(),
        {
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(login.encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert "650" in json.loads(reply.read())["answer_text"]


def test_the_tracker_store_schema_was_created_on_first_start(scaled):
    env = shared_stores.environment()
    conn = shared_stores.pg_connect(env, scaled["database"])
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
            )
            columns = {row[0] for row in cursor.fetchall()}
    finally:
        conn.close()
    assert {"sender_id", "type_name", "timestamp", "data"} <= columns
