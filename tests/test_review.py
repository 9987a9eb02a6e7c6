"""policy-team review on tracker stores written here event by event (Rasa's SQL schema).

The done-when test with real servers (SQLite and PostgreSQL) is tests/test_review_store.py;
these check each piece on conversations whose every event is known.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import shutil

import pytest
import sqlalchemy as sa

from bot.channels import review_panel
from policy_team import cli, decisions, summary, trackers, unplaced
from policy_team import examples as ex
from policy_team.project import Project
from policy_team.review import residents
from tests.conftest import ROOT

ID_NUMBER = "370211198807124512"
NOW = dt.datetime.now(trackers.CHINA).replace(hour=10, minute=0, second=0, microsecond=0)


class Store:
    """A SQLite tracker store with Rasa's ``events`` table, filled one turn at a time."""

    def __init__(self, path) -> None:
        self.url = f"sqlite:///{path}"
        self.engine = sa.create_engine(self.url)
        meta = sa.MetaData()
        self.events = sa.Table(
            "events",
            meta,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False, index=True),
            sa.Column("type_name", sa.String(255), nullable=False),
            sa.Column("timestamp", sa.Float),
            sa.Column("intent_name", sa.String(255)),
            sa.Column("action_name", sa.String(255)),
            sa.Column("data", sa.Text),
        )
        meta.create_all(self.engine)
        self.clock = NOW

    def add(self, sender, kind, when, intent=None, action=None, **data) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                self.events.insert().values(
                    sender_id=sender,
                    type_name=kind,
                    timestamp=when.timestamp(),
                    intent_name=intent,
                    action_name=action,
                    data=json.dumps({"event": kind, **data}, ensure_ascii=False),
                )
            )

    def turn(self, sender, text, intent, ranking, actions, when=None, utter="好的", **bot) -> None:
        self.clock += dt.timedelta(seconds=1)  # one turn a second, in the order written
        when = when or self.clock
        parse = {
            "intent": {"name": intent, "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": bot.pop("entities", []),
        }
        self.add(sender, "user", when, intent=intent, text=text, parse_data=parse)
        for name in actions:
            self.add(sender, "action", when, action=name, name=name)
        for name, value in bot.pop("slots", []):
            self.add(sender, "slot", when, action=name, name=name, value=value)
        self.add(sender, "bot", when, text=utter, metadata=bot)
        self.add(sender, "action", when, action="action_listen", name="action_listen")


FALLBACK = [("nlu_fallback", 0.45), ("ask_amount", 0.25), ("ask_household", 0.2)]
PLACED = [("ask_amount", 0.99), ("ask_subsidy", 0.01)]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "trackers.db")
    # a region named earlier in the conversation carries over to the unplaced message
    s.turn("r1", "威海医保一档多少钱", "ask_amount", PLACED, ["action_answer"], slots=[("region", "威海")])
    s.turn("r1", "给娃交医保要多少米", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    s.turn("r2", "给孩子交医保要多少米", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    # stored before the channels masked (or by another channel): masked on reading
    s.turn("r3", f"我身份证{ID_NUMBER}，你们几点下班", "out_of_scope", [("out_of_scope", 1.0)],
           ["action_out_of_scope"], utter=f"收到{ID_NUMBER}")  # fmt: skip
    s.turn("r4", "我要找人工客服", "request_human", [("request_human", 1.0)], ["action_human_handoff"])
    s.turn("r5", "北京医保多少钱", "ask_amount", PLACED, ["action_answer"], out_of_scope=True)
    s.turn("r6", "山亭新生儿医保怎么办", "ask_newborn", [("ask_newborn", 0.99)], ["action_answer"],
           fact_ids=["2024/山亭/medical.newborn"])  # fmt: skip
    s.turn("r7", "？？？", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    s.turn(
        "r7",
        "？？",
        "nlu_fallback",
        FALLBACK,
        ["action_suggest_topics"],
        slots=[("fallback_count", 0)],
        handoff=True,
    )  # fmt: skip  (second miss: the human channels, its reply marked)
    s.turn("r8", "青岛养老交多少", "ask_amount", [("ask_amount", 0.40)], ["action_answer"])
    old = NOW - dt.timedelta(days=30)
    s.turn("r9", "上个月的问题阿巴阿巴", "nlu_fallback", FALLBACK, ["action_suggest_topics"], when=old)
    s.turn("__warmup__", "威海医保电话", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    return s


def staff_turns(s: Store) -> None:
    """Questions a hotline operator typed in the staff console (marked by their channel)."""
    s.turn("console-desk1", "威海 医保 电话", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    s.add("console-desk1", "user", s.clock, intent="ask_hotline", text="山亭 养老 档次",
          input_channel="console", parse_data={"intent": {"name": "ask_hotline"}})  # fmt: skip
    s.add("desk2", "user", s.clock, intent="nlu_fallback", text="坐席 关键词 阿巴",
          input_channel="console", parse_data={"intent": {"name": "nlu_fallback"}})  # fmt: skip


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    for part in ("nlu_data", "policy_kb/sources", "policy_kb/seeds"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy2(ROOT / "config.yml", root / "config.yml")
    (root / "tests" / "data").mkdir(parents=True)
    # a stand-in held-out set: the real one is never read here
    (root / "tests/data/nlu_holdout.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_amount\n  examples: |\n    - 俺们山亭医保一年掏多少\n',
        encoding="utf-8",
    )
    return Project(root)


def review(capsys, project, store, *args) -> tuple[int, str]:
    code = cli.main(
        ["--root", str(project.root), "review", "--tracker-db", store.url,
         "--decisions", str(project.root / "data/review.db"), *args]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_turns_are_read_masked_with_regions_and_the_range(store):
    turns = trackers.read_turns(store.engine, NOW.date() - dt.timedelta(days=6), NOW.date())
    texts = [t.text for t in turns]
    assert "上个月的问题阿巴阿巴" not in texts and "威海医保电话" not in texts  # range, warm-up
    assert len(turns) == 10 and len({t.sender_id for t in turns}) == 8
    masked = next(t for t in turns if t.sender_id == "r3")
    assert ID_NUMBER not in masked.text + "".join(masked.utterances)
    assert "（身份证号）" in masked.text
    assert next(t for t in turns if t.text == "给娃交医保要多少米").region == "威海"
    assert turns[1].ranking[0] == ("ask_amount", 0.25)  # nlu_fallback left out of the ranking


def test_each_reason_is_read_from_what_the_assistant_did(store):
    turns = trackers.read_turns(store.engine, NOW.date(), NOW.date())
    why = {t.text: unplaced.reasons(t, 0.45, {"2024/山亭/medical.newborn"}) for t in turns}
    assert why["威海医保一档多少钱"] == []
    assert why["给娃交医保要多少米"] == ["fallback", "rephrase"]
    assert why["我要找人工客服"] == ["handoff"]
    assert why["北京医保多少钱"] == ["out_of_scope"]
    assert why["山亭新生儿医保怎么办"] == ["not_stated"]
    assert why["？？"] == ["fallback", "rephrase", "handoff"]
    assert why["青岛养老交多少"] == ["low_confidence"]
    assert unplaced.reasons(turns[-1], 0.3) == []  # a lower threshold (--threshold) places it
    assert unplaced.fallback_threshold(ROOT) == 0.45  # config.yml's FallbackClassifier


def test_a_question_the_fallback_rescues_is_no_handoff(tmp_path):
    """action_suggest_topics resets fallback_count when it answers a question it rescued (or
    asks for its place): only its reply marked ``handoff`` sent the resident to a human."""
    s = Store(tmp_path / "rescued.db")
    s.turn("p1", "gei wa jiao yibao", "nlu_fallback", FALLBACK, ["action_suggest_topics"],
           slots=[("turn_state", "{}"), ("fallback_count", 0)])  # fmt: skip
    (turn,) = trackers.read_turns(s.engine, NOW.date(), NOW.date())
    assert not unplaced.handed_off(turn) and "handoff" not in unplaced.reasons(turn, 0.45)


def test_similar_wording_groups_and_group_ids_stay_stable(store):
    turns = trackers.read_turns(store.engine, NOW.date(), NOW.date())
    groups = unplaced.unplaced_groups(turns, 0.45, {"2024/山亭/medical.newborn"})
    money = next(g for g in groups if "给娃交医保要多少米" in g.messages())
    assert money.messages() == ["给娃交医保要多少米", "给孩子交医保要多少米"]
    assert money.count == 2 and money.top_intents()[0] == ("ask_amount", 0.25)
    assert dict(money.regions()) == {"威海": 1, "未说明": 1}
    assert len(groups) == 7  # ？？ joins ？？？; every other message is its own group
    # a later, similar message joins the same group: the id an officer saw stays valid
    store.turn("r10", "给娃交医保到底要多少米", "nlu_fallback", FALLBACK, ["action_suggest_topics"],
               when=NOW + dt.timedelta(minutes=5))  # fmt: skip
    later = unplaced.unplaced_groups(
        trackers.read_turns(store.engine, NOW.date(), NOW.date()), 0.45
    )
    assert next(g for g in later if g.id == money.id).count == 3
    # a decided group is seeded by its anchor even when its first message is out of range
    seeded = unplaced.group([t for t in turns if t.sender_id == "r2"], {money.id: money.anchor})
    assert [g.id for g in seeded] == [money.id]


def test_a_group_is_decided_once(tmp_path):
    store = decisions.Decisions(tmp_path / "review.db")
    with store.deciding("G1") as d:
        d.record("G1", "anchor", "rejected", "甲", note="广告")
    with pytest.raises(decisions.AlreadyDecided, match="已由 甲 于 .* 处理：已拒绝"):
        with decisions.Decisions(tmp_path / "review.db").deciding("G1"):
            pass
    with pytest.raises(RuntimeError):
        with store.deciding("G2"):
            raise RuntimeError("add-examples failed")  # nothing is stored
    assert set(store.all()) == {"G1"}
    assert set(decisions.open_read_only(tmp_path / "review.db")) == {"G1"}
    assert decisions.open_read_only(tmp_path / "missing.db") == {}


def test_two_officers_deciding_the_same_group_at_once_are_serialised(tmp_path):
    import threading
    import time

    outcomes = []

    def officer(name: str) -> None:
        store = decisions.Decisions(tmp_path / "review.db")
        try:
            with store.deciding("G7") as d:
                time.sleep(0.5)  # add-examples at work, the write lock held
                d.record("G7", "anchor", "accepted", name, intent="ask_amount", examples=2)
            outcomes.append((name, "decided"))
        except decisions.AlreadyDecided as refused:
            outcomes.append((name, str(refused)))
        finally:
            store.close()

    threads = [threading.Thread(target=officer, args=(n,)) for n in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winner = next(name for name, what in outcomes if what == "decided")
    (loser,) = [what for name, what in outcomes if name != winner]
    assert f"已由 {winner} 于" in loser and "已采纳（意图 ask_amount）" in loser


def test_review_lists_accepts_rejects_and_summarises(capsys, project, store, tmp_path):
    code, out = review(capsys, project, store)
    assert code == 0, out
    assert ID_NUMBER not in out and "（身份证号），你们几点下班" in out
    money = unplaced.group_id(unplaced.key("给娃交医保要多少米"))
    assert f"【分组 {money}】2次 · 地区：威海 1、未说明 1" in out
    assert "原因：没听懂（回退） 2、请居民换个说法 2" in out and "ask_amount 25%" in out
    amounts = ex.intent_file(ex.load_examples(project.nlu_dir), "ask_amount")
    before = amounts.read_text(encoding="utf-8")
    # accepting goes through add-examples: the held-out stand-in is refused, nothing written
    store.turn("r11", "俺们山亭医保一年掏多少", "nlu_fallback", FALLBACK, ["action_suggest_topics"])
    heldout = unplaced.group_id(unplaced.key("俺们山亭医保一年掏多少"))
    code, out = review(capsys, project, store, "--accept", heldout, "--intent", "ask_amount")
    assert code == 1 and "留出测试集" in out and amounts.read_text(encoding="utf-8") == before
    code, out = review(capsys, project, store, "--accept", money, "--intent", "ask_amount")
    assert code == 0 and "已添加2句" in out, out
    added = [e.text for e in ex.read_examples(amounts) if e.intent == "ask_amount"]
    assert added[-2:] == ["给娃交医保要多少米", "给孩子交医保要多少米"]
    code, out = review(capsys, project, store, "--accept", money, "--intent", "ask_amount")
    assert code == 2 and "已采纳（意图 ask_amount）" in out
    spam = unplaced.group_id(unplaced.key("？？？"))
    code, out = review(capsys, project, store, "--reject", spam, "--note", "无意义", "--officer", "乙")
    assert code == 0 and "已拒绝" in out
    code, out = review(capsys, project, store)
    assert money not in out and spam not in out and "已处理的 2 组不再列出" in out
    code, out = review(capsys, project, store, "--all")
    assert f"{money}】" in out and "已采纳" in out and "已拒绝" in out
    chart = tmp_path / "周报.png"
    code, out = review(capsys, project, store, "--summary", "--chart", str(chart))
    assert code == 0 and ID_NUMBER not in out
    figures = {"会话数": "9", "居民消息数": "11", "回退（没听懂）": "5（回退率 45.5%）",
               "要求人工": "2", "未能解答的消息": "10", "缴费标准和档次": "3", "威海": "2"}  # fmt: skip
    for label, value in figures.items():
        assert re.search(rf"^{re.escape(label)} +{re.escape(value)}$", out, re.M), (label, out)
    assert re.search(rf"^{money} +2 +给娃交医保要多少米 +已采纳$", out, re.M), out
    assert chart.stat().st_size > 10_000


def test_summary_chart_without_a_cjk_font_still_draws(monkeypatch, tmp_path, store):
    monkeypatch.setattr(summary, "cjk_font", lambda: None)
    turns = trackers.read_turns(store.engine, NOW.date(), NOW.date())
    result = summary.summarise(turns, [], {}, NOW.date(), NOW.date())
    warning = summary.chart(result, tmp_path / "c.png")
    assert "fonts-noto-cjk" in warning and (tmp_path / "c.png").stat().st_size > 5_000


@pytest.mark.skipif(
    not list(pathlib.Path("/usr/share/fonts").rglob("NotoSansCJK*")),
    reason="fonts-noto-cjk is not installed (make browser installs it)",
)
def test_the_chart_finds_the_installed_cjk_font():
    assert "CJK" in summary.cjk_font()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2024-13-01"], "日期格式不对"),
        (["--from", "2024-09-08", "--to", "2024-09-01"], "晚于结束日期"),
        (["--accept", "G000000", "--intent", "ask_amount"], "没有分组 G000000"),
        (["--accept", "GROUP"], "--intent"),
        (["--group", "G000000"], "没有分组"),
    ],
)
def test_bad_input_gets_a_chinese_answer(capsys, project, store, args, message):
    code, out = review(capsys, project, store, *args)
    assert code == 2 and message in out and "Traceback" not in out


def test_bad_picks_and_missing_stores_get_a_chinese_answer(capsys, project, store, tmp_path):
    money = unplaced.group_id(unplaced.key("给娃交医保要多少米"))
    code, out = review(capsys, project, store, "--accept", money, "--intent", "ask_amount",
                       "--pick", "3")  # fmt: skip
    assert code == 2 and "只有 2 种说法" in out
    code = cli.main(["--root", str(project.root), "review", "--tracker-db",
                     f"sqlite:///{tmp_path / 'none.db'}"])  # fmt: skip
    assert code == 2 and "还没有对话记录" in capsys.readouterr().err
    code = cli.main(["--root", str(project.root), "review", "--tracker-db",
                     "postgresql://postgres@127.0.0.1:1/nothing"])  # fmt: skip
    assert code == 2 and "读不了对话数据库" in capsys.readouterr().err


def test_the_tracker_store_url_follows_rasa_endpoint_keys(tmp_path):
    sqlite = {"type": "SQL", "dialect": "sqlite", "db": "data/trackers/trackers.db"}
    assert trackers.url_from_endpoints(sqlite, tmp_path) == (
        f"sqlite:///{tmp_path / 'data/trackers/trackers.db'}"
    )
    pg = {"type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": 5432,
          "db": "rasa", "username": "postgres"}  # fmt: skip
    assert (
        str(trackers.url_from_endpoints(pg, tmp_path))
        == "postgresql://postgres@127.0.0.1:5432/rasa"
    )
    pg["url"] = "db.example:6543"
    assert trackers.url_from_endpoints(pg, tmp_path).port == 6543
    with pytest.raises(ValueError, match="不是SQL"):
        trackers.url_from_endpoints({"type": "redis"}, tmp_path)
    assert "secret" not in trackers.describe("postgresql://u:secret@h/db")


def test_the_console_summary_reads_the_agents_own_tracker_store(store):
    from types import SimpleNamespace as NS

    from bot.channels import review_panel

    # Rasa wraps the SQL store (FailSafeTrackerStore, AwaitableTrackerStore): unwrapped here
    wrapped = NS(_tracker_store=NS(_tracker_store=NS(engine=store.engine)))
    app = NS(ctx=NS(agent=NS(tracker_store=wrapped)))
    assert review_panel.tracker_engine(app) is store.engine
    body, status = review_panel.review_summary(store.engine, None, None)
    assert status == 200 and body["messages"] == 10 and body["conversations"] == 8
    assert body["handoffs"] == 2 and ID_NUMBER not in json.dumps(body, ensure_ascii=False)
    assert body["groups"][0]["examples"] == ["给娃交医保要多少米", "给孩子交医保要多少米"]
    memory = NS(ctx=NS(agent=NS(tracker_store=NS(store={}))))  # InMemoryTrackerStore
    assert review_panel.review_summary(review_panel.tracker_engine(memory), None, None)[1] == 503
    assert review_panel.review_summary(store.engine, "2024-09-09", "2024-09-01")[1] == 400


def test_the_consoles_questions_are_kept_but_left_out_of_the_review(capsys, project, store):
    staff_turns(store)
    every = trackers.read_turns(store.engine, NOW.date(), NOW.date())
    assert {"威海 医保 电话", "坐席 关键词 阿巴"} <= {t.text for t in every}  # not deleted
    assert next(t for t in every if t.text == "坐席 关键词 阿巴").channel == "console"
    kept = residents(every)
    assert len(kept) == len(every) - 3
    assert not any(t.sender_id.startswith("console-") or t.channel == "console" for t in kept)
    # the summary in the console and the officers' review count residents only
    body, _ = review_panel.review_summary(store.engine, None, None)
    assert body["messages"] == 10 and body["conversations"] == 8
    code, out = review(capsys, project, store, "--summary")
    assert code == 0 and "阿巴" not in out and "威海 医保 电话" not in out


def test_the_tracker_store_is_found_as_the_assistant_finds_it(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    monkeypatch.delenv("ENDPOINTS", raising=False)
    # bot/endpoints.yml, as make run uses it: the SQLite file under the project
    assert trackers.resolve_url(ROOT) == f"sqlite:///{ROOT / 'data/trackers/trackers.db'}"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: postgresql\n  db: rasa\n")
    monkeypatch.setenv("ENDPOINTS", str(endpoints))  # as serve.sh reads it
    assert str(trackers.resolve_url(ROOT)) == "postgresql:///rasa"
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://postgres@127.0.0.1:5432/x")
    assert trackers.resolve_url(ROOT) == "postgresql://postgres@127.0.0.1:5432/x"
    assert trackers.resolve_url(ROOT, "sqlite:///flag.db") == "sqlite:///flag.db"
    endpoints.write_text("action_endpoint:\n  url: http://x\n")
    monkeypatch.delenv("TRACKER_DB_URL")
    with pytest.raises(ValueError, match="没有 tracker_store"):
        trackers.resolve_url(ROOT)
