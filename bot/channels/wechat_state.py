"""What the WeChat channel remembers between requests: answered MsgIds and numbered options.

Two kinds of memory, one interface (:class:`WeChatState`):

- :class:`LocalState`, in the process: the default, one Rasa server;
- :class:`RedisState`, in Redis with expiry: the scaled mode (TRACKER_STORE=postgres), where
  WeChat's retry of a message may reach another replica than the first attempt did, and the
  resident's "1" may land on a replica that did not show the options.

A message is *claimed* by the first request that sees it; that request runs the assistant and
*decides* the passive reply. A request for a message claimed elsewhere waits for the decision
(:meth:`WeChatState.decided`) instead of asking the assistant again.

When Redis fails, each call is retried for up to a second (a Redis restart takes about that;
WeChat waits 5 s for the reply), then the channel keeps answering without it: a claim succeeds
(better a message answered twice than a resident left without one), options are forgotten. The
outage is logged once when it begins and once when it ends, not per message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from typing import Protocol

from bot.channels.wechat_text import Option

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # per Redis call, within WeChat's 5-second wait for the reply
RETRY_PAUSE = 0.1


class WeChatState(Protocol):
    async def claim(self, key: str) -> bool:
        """True for the first claim of ``key`` (within the expiry); False for a retry."""

    async def decide(self, key: str, reply: str | None) -> None:
        """Records the passive reply of a claimed message (None: "success")."""

    async def decided(self, key: str) -> tuple[bool, str | None]:
        """(True, reply) once the message's reply was decided, else (False, None)."""

    async def options(self, sender: str) -> list[Option]:
        """The numbered options last shown to the sender (empty when none or expired)."""

    async def remember(self, sender: str, options: list[Option]) -> None:
        """Replaces the sender's options (an empty list forgets them)."""


class _Expiring:
    """A bounded dict whose entries expire (oldest dropped first)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()

    def get(self, key: str, default=None):
        entry = self._items.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return default
        return entry[1]

    def put(self, key: str, value, ttl: float) -> None:
        self._items.pop(key, None)
        self._items[key] = (time.monotonic() + ttl, value)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)


class LocalState:
    """In-process memory: enough while one process receives all of an account's messages."""

    def __init__(self, ttl: float = 120.0, options_ttl: float = 3600.0, max_entries=10000):
        self.ttl, self.options_ttl = ttl, options_ttl
        self._claims = _Expiring(max_entries)
        self._replies = _Expiring(max_entries)
        self._options = _Expiring(max_entries)

    async def claim(self, key: str) -> bool:
        if self._claims.get(key):
            return False
        self._claims.put(key, True, self.ttl)
        return True

    async def decide(self, key: str, reply: str | None) -> None:
        self._replies.put(key, (reply,), self.ttl)

    async def decided(self, key: str) -> tuple[bool, str | None]:
        found = self._replies.get(key)
        return (True, found[0]) if found else (False, None)

    async def options(self, sender: str) -> list[Option]:
        return list(self._options.get(sender, []))

    async def remember(self, sender: str, options: list[Option]) -> None:
        if options:
            self._options.put(sender, list(options), self.options_ttl)
        else:
            self._options.pop(sender)


class RedisState:
    """Redis memory shared by every replica; keys expire on their own (SET … EX)."""

    def __init__(self, settings, ttl: float = 120.0, options_ttl: float = 3600.0) -> None:
        self.settings = settings  # bot.serving.shared_stores.RedisSettings
        self.ttl, self.options_ttl = int(ttl), int(options_ttl)
        self.prefix = f"{settings.prefix}:wechat"
        self._client = None
        self._away_since: float | None = None  # when Redis stopped answering (logged once)

    @property
    def client(self):
        # created on first use, inside the server's event loop; a short timeout so that a
        # Redis outage does not eat WeChat's 5-second budget
        if self._client is None:
            self._client = self.settings.client(asynchronous=True, timeout=1.0)
        return self._client

    async def _call(self, what: str, command: str, *args, **kwargs):
        """``client.command(*args, **kwargs)``, retried for RETRY_SECONDS when Redis has just
        stopped answering; once the outage is known, tried once (the reply cannot wait)."""
        started = time.monotonic()
        while True:
            try:
                result = await getattr(self.client, command)(*args, **kwargs)
            except Exception as error:  # redis.RedisError, OSError: Redis away or failing
                waited = time.monotonic() - started + RETRY_PAUSE
                if self._away_since is not None or waited >= RETRY_SECONDS:
                    self._failed(what, error)
                    raise
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if self._away_since is not None:
                away, self._away_since = time.monotonic() - self._away_since, None
                logger.warning("wechat: Redis answers again after %.1f s", away)
            return result

    def _failed(self, what: str, error: Exception) -> None:
        if self._away_since is None:  # once per outage, not per message
            self._away_since = time.monotonic()
            logger.warning("wechat: Redis %s failed (%s); continuing without it", what, error)

    async def claim(self, key: str) -> bool:
        name = f"{self.prefix}:claim:{key}"
        try:
            return bool(await self._call("claim", "set", name, 1, nx=True, ex=self.ttl))
        except Exception:  # any failure means "no memory": answer it here
            return True

    async def decide(self, key: str, reply: str | None) -> None:
        value = json.dumps({"reply": reply}, ensure_ascii=False)
        try:
            await self._call("decide", "set", f"{self.prefix}:reply:{key}", value, ex=self.ttl)
        except Exception:
            pass  # logged by _failed

    async def decided(self, key: str) -> tuple[bool, str | None]:
        try:
            raw = await self._call("read", "get", f"{self.prefix}:reply:{key}")
        except Exception:
            return False, None
        return (True, json.loads(raw)["reply"]) if raw else (False, None)

    async def options(self, sender: str) -> list[Option]:
        try:
            raw = await self._call("read", "get", f"{self.prefix}:options:{sender}")
        except Exception:
            return []
        return [Option(title, payload) for title, payload in json.loads(raw)] if raw else []

    async def remember(self, sender: str, options: list[Option]) -> None:
        key = f"{self.prefix}:options:{sender}"
        try:
            if options:
                value = json.dumps([[o.title, o.payload] for o in options], ensure_ascii=False)
                await self._call("write", "set", key, value, ex=self.options_ttl)
            else:
                await self._call("write", "delete", key)
        except Exception:
            pass  # logged by _failed


def state_from_env(ttl: float = 120.0, options_ttl: float = 3600.0) -> WeChatState:
    """Redis in the scaled mode (TRACKER_STORE=postgres), the process's memory otherwise."""
    from bot.serving import shared_stores

    if shared_stores.scaled():
        return RedisState(shared_stores.RedisSettings.from_env(), ttl, options_ttl)
    return LocalState(ttl, options_ttl)
