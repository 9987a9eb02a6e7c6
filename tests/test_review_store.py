"""The review inbox end to end: residents write through the REST channel, officers review.

Runs on the embedded SQLite tracker store and on PostgreSQL (skipped, with the reason, when
PostgreSQL does not answer at 127.0.0.1:5432). Held-out sentences are picked from the held-out
file at run time and never printed: every output that may contain one is redacted before it
could appear in a failure message.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from policy_kb.text.personal_data import mask_personal_data
from policy_team import cli, unplaced
from policy_team import examples as ex
from tests.conftest import ACTION_PORT, CONSOLE_TEST_ENV, CONSOLE_TEST_LOGIN, RASA_PORT, ROOT
from tests.tools.servers import MODEL, ServersDidNotStart, serving

pytestmark = pytest.mark.server

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ID_NUMBER, MOBILE = "110101199003071234", "13812345678"
ANSWERED = ["威海的医保二档是多少", "青岛养老保险银行批扣是什么时候", "山亭选500档政府补贴多少"]
PERSONAL = [f"我身份证{ID_NUMBER}交上了没", f"帮我看看{MOBILE}这个号交医保了没"]
# residents typing pinyin: no Chinese and no place, so the input guard sends them to the fallback
# whatever the model (nothing else here would stay unplaced for certain); accepted below
MONEY = ["gei wa jiao yibao yao duoshao qian", "haizi yibao yao jiao duoshao qian"]
OTHERS = ["？？？", "我要找人工客服", "北京医保多少钱", "你们几点下班"]


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_store(request, tmp_path):
    """The endpoints' tracker_store YAML, and the SQLAlchemy URL to check it with."""
    if request.param == "sqlite":
        yield None, f"sqlite:///{tmp_path / 'trackers.db'}"
        return
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at 127.0.0.1:5432 ({str(error).strip()})")
    admin.autocommit = True
    name = f"review_test_{uuid.uuid4().hex[:10]}"
    admin.cursor().execute(f"create database {name}")
    try:
        yaml = (
            "  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
            f"  db: {name}\n  username: postgres\n"
        )
        yield yaml, f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f"drop database if exists {name} with (force)")
        admin.close()


def send(url: str, sender: str, message: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


def console_review(base: str, login: dict | None) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base}/webhooks/console/api/review")
    if login:
        token = base64.b64encode(f"{login['username']}:{login['password']}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def plain_examples(path, intents: set[str], n: int) -> list[tuple[str, str]]:
    """(intent, text) of the first ``n`` examples per intent without annotations."""
    out: dict[str, list[str]] = {}
    for example in ex.read_examples(path):
        if example.intent in intents and ex.plain(example.text) == example.text:
            out.setdefault(example.intent, [])
            if len(out[example.intent]) < n:
                out[example.intent].append(example.text)
    return [(intent, text) for intent, texts in out.items() for text in texts]


class Officer:
    """Runs policy-team review on a copy of the project; what it printed comes back redacted."""

    def __init__(self, capsys, root, endpoints, secrets: list[str]) -> None:
        self.capsys, self.root, self.endpoints, self.secrets = capsys, root, endpoints, secrets

    def review(self, *args: str) -> tuple[int, str]:
        code = cli.main(
            ["--root", str(self.root), "review", "--endpoints", str(self.endpoints), *args]
        )
        captured = self.capsys.readouterr()
        # redacted at once: pytest may show any value an assertion looked at
        return code, self.redact(captured.out + captured.err)

    def redact(self, text: str) -> str:
        for secret in self.secrets:  # as sent, and as the review shows it (masked)
            for form in (secret, mask_personal_data(secret)):
                text = text.replace(form, "<held-out>")
        return text


def copy_project(dest):
    for part in ("nlu_data", "policy_kb/sources", "policy_kb/seeds", "tests/data"):
        shutil.copytree(ROOT / part, dest / part)
    shutil.copy2(ROOT / "config.yml", dest / "config.yml")


def test_review_inbox_on_a_tracker_store_filled_through_rest(tracker_store, tmp_path, capsys):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    store_yaml, url = tracker_store
    root = tmp_path / "project"
    copy_project(root)
    # a training example (a duplicate when accepted) and held-out sentences (refused)
    training = plain_examples(root / "nlu_data" / "out_of_scope.yml", {"out_of_scope"}, 2)
    heldout = plain_examples(root / "tests/data/nlu_holdout.yml", {"request_human"}, 6)
    sent = ANSWERED + PERSONAL + MONEY + OTHERS + [t for _, t in training + heldout]
    try:
        # its own ports: the session's assistant keeps the default test ports
        ports = (RASA_PORT + 3, ACTION_PORT + 3)
        with serving(tmp_path, *ports, CONSOLE_TEST_ENV, 180, store_yaml) as info:
            for number, message in enumerate(sent):
                assert send(info["url"], f"resident-{number}", message)
            assert console_review(info["base"], None)[0] == 401
            status, console = console_review(info["base"], CONSOLE_TEST_LOGIN)
            endpoints = info["endpoints"]
    except ServersDidNotStart as error:
        pytest.fail(str(error))
    officer = Officer(capsys, root, endpoints, [t for _, t in heldout])

    # the figures, counted independently from the tracker store's events
    engine = sa.create_engine(url)
    with engine.connect() as db:
        users = db.execute(
            sa.text("select sender_id, intent_name from events where type_name = 'user'")
        ).fetchall()
        raw = " ".join(r[0] for r in db.execute(sa.text("select data from events")))
        handed = db.execute(
            sa.text("select distinct sender_id from events where action_name = :a"),
            {"a": "action_human_handoff"},
        ).fetchall()
    engine.dispose()
    residents = [u for u in users if u[0] != "__warmup__"]
    fallbacks = sum(u[1] == "nlu_fallback" for u in residents)
    records = sum(u[1] == "check_record" for u in residents)
    # one message per conversation: a handoff is a request for a human or its action
    handoffs = len({s for (s,) in handed} | {s for s, i in residents if i == "request_human"})
    assert len(residents) == len(sent) and ID_NUMBER not in raw and MOBILE not in raw

    code, out = officer.review()
    assert code == 0, out[-3000:]
    assert ID_NUMBER not in out and MOBILE not in out
    money = unplaced.group_id(unplaced.key(MONEY[0]))
    assert f"【分组 {money}】2次" in out, out[-3000:]
    assert "没听懂（回退） 2" in out, out[-3000:]
    assert f"1. {MONEY[0]}（1次）" in out, out[-3000:]
    assert re.search(rf"【分组 {money}】(?:.|\n)*?分类器前三：", out), out[-3000:]

    # accepting: through add-examples, all of the group's wording
    code, out = officer.review("--accept", money, "--intent", "ask_amount")
    assert code == 0 and "已添加2句" in out, out[-3000:]
    path = ex.intent_file(ex.load_examples(root / "nlu_data"), "ask_amount")
    assert [e.text for e in ex.read_examples(path) if e.intent == "ask_amount"][-2:] == MONEY

    groups = {g.id: g for g in current_groups(officer)}
    # a duplicate of a training example is refused, and the group stays open
    intent, example = next((i, t) for i, t in training if pick(groups, t))
    group, number = pick(groups, example)
    before = path.read_text(encoding="utf-8")
    code, out = officer.review("--accept", group, "--intent", intent, "--pick", str(number))
    assert code == 1 and "重复" in out and "没有写入任何内容" in out, out[-3000:]
    # a held-out sentence is refused without being shown
    found = [(i, t) for i, t in heldout if pick(groups, t)]
    assert len(found) > 0, "none of the held-out request_human sentences was left unplaced"
    group, number = pick(groups, found[0][1])
    code, out = officer.review(
        "--accept", group, "--intent", "request_human", "--pick", str(number)
    )
    assert code == 1 and "留出测试集" in out, out[-3000:]
    assert path.read_text(encoding="utf-8") == before

    # rejecting keeps a group out of later reviews; decisions are kept per group id
    spam = unplaced.group_id(unplaced.key("？？？"))
    assert officer.review("--reject", spam, "--note", "无意义")[0] == 0
    code, out = officer.review()
    assert spam not in out and money not in out and "已处理的 2 组不再列出" in out
    code, out = officer.review("--reject", spam)
    assert code == 2 and "已拒绝" in out

    # the summary: the same figures as the events, a table and a PNG
    chart = tmp_path / "weekly.png"
    code, out = officer.review("--summary", "--chart", str(chart))
    assert code == 0 and ID_NUMBER not in out, out[-3000:]
    rate = f"{fallbacks}（回退率 {fallbacks / len(residents):.1%}）"
    for label, value in {
        "会话数": str(len(sent)),
        "居民消息数": str(len(sent)),
        "回退（没听懂）": rate,
        "要求人工": str(handoffs),
        "查询缴费记录": str(records),
    }.items():
        assert re.search(rf"^{label} +{re.escape(value)}$", out, re.M), (label, out[-3000:])
    assert records >= 2 and handoffs >= 1 and fallbacks >= 3  # ID numbers, 人工, pinyin, ？？？
    for region in ("威海", "青岛", "山亭"):
        assert re.search(rf"^{region} +[1-9]\d*$", out, re.M), (region, out[-3000:])
    assert re.search(rf"^{money} +2 +{MONEY[0]} +已采纳$", out, re.M), out[-3000:]
    assert chart.stat().st_size > 10_000

    # the staff console showed the same figures, read-only and masked
    assert status == 200 and console["messages"] == len(sent)
    assert console["fallbacks"] == fallbacks and console["handoffs"] == handoffs
    assert ID_NUMBER not in json.dumps(console, ensure_ascii=False)


def current_groups(officer: Officer) -> list[unplaced.Group]:
    """The groups as the review sees them (read through the library, nothing printed)."""
    from policy_team import review, trackers

    engine = review.engine_for(review.Project(officer.root), None, str(officer.endpoints))
    try:
        turns = trackers.read_turns(engine, *review.date_range(None, None))
    finally:
        engine.dispose()
    return unplaced.unplaced_groups(turns, unplaced.fallback_threshold(officer.root))


def pick(groups: dict, text: str) -> tuple[str, int] | None:
    """(group id, --pick number) of a message, or None when it was placed."""
    for group in groups.values():
        keys = [unplaced.key(m) for m in group.messages()]
        if unplaced.key(text) in keys:
            return group.id, keys.index(unplaced.key(text)) + 1
    return None
