"""From a parsed WeChat message to the passive reply: deduplication, deadline, options.

WeChat waits 5 seconds for a passive reply and otherwise retries the same message (same
MsgId) up to three times. The :class:`Dispatcher` runs the assistant once per message: a
retry, even one arriving while the first is still being processed, waits for the same job.
When the assistant has not answered within ``reply_timeout`` the passive reply is "success"
(empty) and the answer follows through the customer-service message API (客服消息).

Which messages were seen, their decided replies and the numbered options live in a
:class:`~bot.channels.wechat_state.WeChatState`: the process's memory by default, Redis in the
scaled mode, so that a retry reaching another replica waits for the first one's reply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import outage
from bot.channels.personal_data import mask_personal_data
from bot.channels.wechat_state import LocalState, WeChatState
from bot.channels.wechat_text import (
    BUSY,
    NO_ANSWER,
    Option,
    ask_for_text,
    render_messages,
    select_option,
    shorten_reply,
    source_reply,
    split_reply,
    voice_unrecognised,
    welcome,
)

logger = logging.getLogger(__name__)

Assistant = Callable[[UserMessage], Awaitable[Any]]
CHANNEL = "wechat"


class CustomerServiceSender(Protocol):
    """Sends a text to a follower outside the passive reply (客服消息, within 48 hours)."""

    async def send_text(self, openid: str, text: str) -> None:
        ...


class WeChatClientSender:
    """wechatpy's ``WeChatClient.message.send_text`` (blocking HTTP, run in a thread)."""

    def __init__(self, appid: str, secret: str, client: Any = None) -> None:
        if client is None:
            from wechatpy import WeChatClient

            client = WeChatClient(appid, secret)
        self._client = client

    async def send_text(self, openid: str, text: str) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._client.message.send_text, openid, text)


class UndeliverableSender:
    """Used when WECHAT_SECRET is not set: long answers are shortened, late ones lost (logged)."""

    delivers = False

    async def send_text(self, openid: str, text: str) -> None:
        logger.warning(
            "wechat: an answer (%d characters) could not be delivered: set WECHAT_SECRET to "
            "send late or long answers as customer-service messages",
            len(text),
        )


@dataclass
class Turn:
    """What one incoming message asks of the assistant."""

    key: str  # deduplication key
    sender: str  # the follower's OpenID (FromUserName)
    text: str | None = None  # for Rasa (already masked); None when ``fixed`` answers
    fixed: str | None = None  # a reply that needs no assistant; None with no text: "success"
    metadata: dict[str, Any] = field(default_factory=dict)


async def _ready(text: str) -> str:
    return text


def turn_from_fields(fields: dict[str, str | None]) -> Turn:
    """The turn for one parsed message (its raw top-level fields, see wechat_protocol)."""
    sender = fields.get("FromUserName") or ""
    msg_type = (fields.get("MsgType") or "").lower()
    event = (fields.get("Event") or "").lower()
    msg_id = fields.get("MsgId") or ""
    if msg_id and msg_id != "0" and msg_type != "event":
        key = f"msg:{sender}:{msg_id}"
    else:
        key = f"evt:{sender}:{fields.get('CreateTime') or ''}:{msg_type}:{event}"
    turn = Turn(key, sender, metadata={"wechat": {"msg_type": msg_type, "msg_id": msg_id}})
    if msg_type in ("text", "voice"):
        # a voice message carries WeChat's own recognition, when there is one
        field, empty = (
            ("Content", ask_for_text())
            if msg_type == "text"
            else ("Recognition", voice_unrecognised())
        )
        text = (mask_personal_data(fields.get(field) or "") or "").strip()
        if text:
            turn.text = text
        else:
            turn.fixed = empty
    elif msg_type == "event":
        if event in ("subscribe", "click"):
            turn.fixed = welcome()
        # unsubscribe, menu views, location reports, template results: nothing to say
    else:  # image, location, link, video, shortvideo, file, unknown types
        turn.fixed = ask_for_text()
    return turn


@dataclass
class _Job:
    decided: asyncio.Future  # the passive reply text, or None for "success"
    started: float


class Dispatcher:
    """Runs the assistant once per message and decides the passive reply."""

    def __init__(
        self,
        assistant: Assistant,
        sender: CustomerServiceSender,
        reply_timeout: float = 4.0,
        ttl: float = 120.0,
        options_ttl: float = 3600.0,
        max_entries: int = 10000,
        state: WeChatState | None = None,
    ) -> None:
        self.assistant = assistant
        self.sender = sender
        self.reply_timeout = reply_timeout
        self.ttl = ttl
        self.options_ttl = options_ttl
        self.max_entries = max_entries
        self._jobs: OrderedDict[str, _Job] = OrderedDict()  # this process's waiting requests
        self.state = state or LocalState(ttl, options_ttl, max_entries)
        self._tasks: set[asyncio.Task] = set()
        self.runs = 0  # assistant calls, for tests and monitoring

    async def reply(self, turn: Turn) -> str | None:
        """The passive reply for the turn (None: answer "success"), within the deadline."""
        if turn.text is None:
            return turn.fixed
        self._expire()
        job = self._jobs.get(turn.key)
        if job is None:
            job = _Job(asyncio.get_running_loop().create_future(), time.monotonic())
            self._jobs[turn.key] = job
            self._spawn(self._start(turn, job))
        else:
            logger.info("wechat: retry of a message already being answered, not run again")
        try:
            return await asyncio.wait_for(asyncio.shield(job.decided), self.reply_timeout + 0.5)
        except asyncio.TimeoutError:
            return None

    async def drain(self) -> None:
        """Waits for background work (late answers, follow-up parts); for tests and shutdown."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def options_for(self, sender: str) -> list[Option]:
        return await self.state.options(sender)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, turn: Turn, job: _Job) -> None:
        if await self.state.claim(turn.key):
            await self._run(turn, job)
        else:  # another process (replica) is answering it, or did
            logger.info("wechat: retry of a message claimed elsewhere, waiting for its reply")
            await self._follow(turn.key, job)

    async def _follow(self, key: str, job: _Job, poll: float = 0.05) -> None:
        deadline = job.started + self.reply_timeout
        while True:
            found, reply = await self.state.decided(key)
            if found or time.monotonic() >= deadline:
                job.decided.set_result(reply)
                return
            await asyncio.sleep(poll)

    async def _run(self, turn: Turn, job: _Job) -> None:
        try:
            await self._answer(turn, job)
        finally:  # whatever happened, waiting requests get their reply ("success" at worst)
            if not job.decided.done():
                await self._decide(turn.key, job, None)

    async def _decide(self, key: str, job: _Job, reply: str | None) -> None:
        job.decided.set_result(reply)  # this process's waiting requests first
        await self.state.decide(key, reply)

    async def _answer(self, turn: Turn, job: _Job) -> None:
        chosen = select_option(turn.text or "", await self.options_for(turn.sender))
        sources = source_reply(chosen)  # the last reply's sources in full: no need to ask
        asking = asyncio.ensure_future(
            _ready(sources) if sources is not None else self._ask(turn, chosen or turn.text or "")
        )
        done, _ = await asyncio.wait({asking}, timeout=self.reply_timeout)
        if asking not in done:
            logger.info(
                "wechat: no answer within %.1f s, it follows as a message", self.reply_timeout
            )
            await self._decide(turn.key, job, None)
        answer = await asking
        parts = split_reply(answer) or [NO_ANSWER]
        if len(parts) > 1 and not job.decided.done() and not getattr(self.sender, "delivers", True):
            parts = [shorten_reply(answer)]  # nothing could carry the rest
        if not job.decided.done():
            await self._decide(turn.key, job, parts.pop(0))
        for part in parts:
            try:
                await self.sender.send_text(turn.sender, part)
            except Exception:
                logger.exception("wechat: customer-service message failed")
                break

    async def _ask(self, turn: Turn, text: str) -> str:
        collector = CollectingOutputChannel()
        message = UserMessage(
            text, collector, turn.sender, input_channel=CHANNEL, metadata=turn.metadata
        )
        self.runs += 1
        try:
            await self.assistant(message)
        except Exception as failure:
            if outage.retry_after(failure) is None:  # Redis away: logged once by the lock store
                logger.exception("wechat: the assistant failed on a message")
            return BUSY
        reply, options = render_messages(collector.messages)
        await self.state.remember(turn.sender, options)
        return reply

    def _expire(self) -> None:
        limit = time.monotonic() - self.ttl
        for key, job in list(self._jobs.items()):
            if job.started >= limit and len(self._jobs) <= self.max_entries:
                break
            if job.decided.done() or job.started < limit - self.ttl:
                del self._jobs[key]
            else:
                break
