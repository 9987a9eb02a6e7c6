"""WeChat state shared between replicas: answered MsgIds and numbered options.

Two dispatchers stand for two replicas. With Redis (the scaled mode) each has its own Redis
client, as two processes would; with the in-process memory they share one object, which is
what one process is. The Redis tests use the configured Redis (REDIS_* variables) under a
unique key prefix and are skipped with the reason when it does not answer.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels.wechat_dispatch import Dispatcher, Turn
from bot.channels.wechat_state import LocalState, RedisState, state_from_env
from bot.channels.wechat_text import Option
from bot.serving.shared_stores import RedisSettings
from tests.tools.stores import drop_keys, redis_unavailable, unique_name

BUTTONS = [{"title": "青岛市", "payload": "/inform_qd"}, {"title": "威海市", "payload": "/inform_wh"}]


class Assistant:
    """Counts its runs; answers after a delay, with buttons when given."""

    def __init__(self, reply="答复", delay=0.0, buttons=None):
        self.reply, self.delay, self.buttons, self.texts = reply, delay, buttons, []

    async def __call__(self, message):
        self.texts.append(message.text)
        await asyncio.sleep(self.delay)
        out = message.output_channel
        if self.buttons:
            await out.send_text_with_buttons(message.sender_id, self.reply, self.buttons)
        else:
            await out.send_text_message(message.sender_id, self.reply)


class NoSender:
    async def send_text(self, openid, text):
        raise AssertionError("no customer-service message expected")


@pytest.fixture
def redis_settings():
    reason = redis_unavailable()
    if reason:
        pytest.skip(f"scaled mode's Redis not here: {reason}")
    settings = RedisSettings.from_env()
    prefix = unique_name("wechattest")
    yield RedisSettings(settings.host, settings.port, settings.db, settings.password, prefix)
    drop_keys(prefix)


def _pair(kind, redis_settings=None, **ttl):
    """Two states as two replicas see them."""
    if kind == "local":
        shared = LocalState(**ttl)
        return shared, shared
    return RedisState(redis_settings, **ttl), RedisState(redis_settings, **ttl)


def _turn(key, text="医保多少钱", sender="o-resident"):
    return Turn(key=key, sender=sender, text=text)


@pytest.fixture(params=["local", "redis"])
def kind(request):
    if request.param == "redis":
        request.getfixturevalue("redis_settings")
    return request.param


def test_a_retry_reaching_the_other_replica_is_answered_once(kind, request):
    settings = request.getfixturevalue("redis_settings") if kind == "redis" else None
    first_state, second_state = _pair(kind, settings)

    async def scenario():
        one, two = Assistant("第一次", delay=0.3), Assistant("第二次", delay=0.3)
        a = Dispatcher(one, NoSender(), reply_timeout=2.0, state=first_state)
        b = Dispatcher(two, NoSender(), reply_timeout=2.0, state=second_state)
        original = asyncio.ensure_future(a.reply(_turn("msg:o-resident:1001")))
        await asyncio.sleep(0.05)  # WeChat's retry comes while the first is being answered
        retry = await b.reply(_turn("msg:o-resident:1001"))
        late_retry = await b.reply(_turn("msg:o-resident:1001"))  # after the answer
        return await original, retry, late_retry, a.runs + b.runs, one.texts + two.texts

    original, retry, late_retry, runs, texts = asyncio.run(scenario())
    assert original == retry == late_retry == "第一次"
    assert runs == 1 and texts == ["医保多少钱"]


def test_option_number_means_the_same_wherever_it_lands(kind, request):
    settings = request.getfixturevalue("redis_settings") if kind == "redis" else None
    first_state, second_state = _pair(kind, settings)

    async def scenario():
        shows = Assistant("哪个地区？", buttons=BUTTONS)
        answers = Assistant("好的")
        a = Dispatcher(shows, NoSender(), state=first_state)
        b = Dispatcher(answers, NoSender(), state=second_state)
        shown = await a.reply(_turn("msg:o-resident:2001"))
        await b.reply(_turn("msg:o-resident:2002", text="2"))
        return shown, answers.texts, await b.options_for("o-resident")

    shown, texts, after = asyncio.run(scenario())
    assert "回复 1：青岛市" in shown and "回复 2：威海市" in shown
    assert texts == ["/inform_wh"]
    assert after == []  # the answer to "2" showed no options: the old ones are gone


def test_redis_entries_expire(redis_settings):
    async def scenario():
        state = RedisState(redis_settings, ttl=1, options_ttl=1)
        assert await state.claim("k") and not await state.claim("k")
        await state.decide("k", "答复")
        await state.remember("o-x", [Option("青岛市", "/inform_qd")])
        assert await state.decided("k") == (True, "答复")
        assert await state.options("o-x") == [Option("青岛市", "/inform_qd")]
        await asyncio.sleep(1.3)
        return await state.claim("k"), await state.decided("k"), await state.options("o-x")

    assert asyncio.run(scenario()) == (True, (False, None), [])


def test_redis_down_the_channel_still_answers():
    closed = RedisSettings("127.0.0.1", 1, 0, "", "wechatdown")  # nothing listens on port 1

    async def scenario():
        assistant = Assistant("照常答复", buttons=BUTTONS)
        dispatcher = Dispatcher(assistant, NoSender(), state=RedisState(closed))
        started = time.monotonic()
        reply = await dispatcher.reply(_turn("msg:o-down:1"))
        return reply, time.monotonic() - started, await dispatcher.options_for("o-down")

    reply, seconds, options = asyncio.run(scenario())
    assert "照常答复" in reply and seconds < 3.0
    assert options == []  # nothing could be remembered


def test_the_scaled_mode_selects_redis(monkeypatch):
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    assert isinstance(state_from_env(), LocalState)
    monkeypatch.setenv("TRACKER_STORE", "postgres")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "chosen")
    state = state_from_env()
    assert isinstance(state, RedisState) and state.prefix == "chosen:wechat"
