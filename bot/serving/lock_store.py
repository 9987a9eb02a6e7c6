"""Rasa's Redis lock store with atomic ticket updates, for replicas sharing conversations.

Rasa Open Source's ``RedisLockStore`` reads a conversation's ticket lock, changes it in
Python and writes it back. Two replicas receiving messages of one resident at the same moment
can therefore both read "no ticket", both issue ticket 0 and both process at once (the second
message then starts a second session and its events interleave with the first's); a replica
finishing can also delete a lock another replica has just queued on. The scaled-mode test
that sends five messages of one sender at once showed exactly that (two ``session_started``
in one conversation). Rasa Pro's ConcurrentRedisLockStore exists for this reason.

:class:`AtomicRedisLockStore` keeps Rasa's ticket semantics and storage format but makes every
read-modify-write a Redis transaction (WATCH / MULTI / EXEC, retried on conflict), and checks
for its turn every 50 ms instead of every second. Configured in bot/endpoints.scaled.yml as
``type: bot.serving.lock_store.AtomicRedisLockStore``.

Through a Redis outage (a restart, a failover) a message waits for Redis instead of failing:
every Redis call of :meth:`lock` is retried, without blocking the event loop, until Redis has
failed for ``REDIS_RETRY_SECONDS`` (default 10) in a row; then :class:`RedisAway` (a
``LockError`` with ``retry_after``) tells the channel to answer 503 with Retry-After. The
outage is logged once when it begins and once when it ends, not per message.

Order while Redis is away (docs/deploy.md): a message that holds its turn keeps it; messages
arriving meanwhile queue in the order their retries reach Redis once it is back, which for one
resident writing one message at a time is the order sent. A Redis restarted *without its data*
forgets the queue: waiting messages queue again (:meth:`_turn`), so the one message being
processed at that moment may overlap with its resident's next one. A Redis that keeps its data
(``appendonly yes``) keeps the queue and the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

WAIT_SECONDS = 0.05  # Rasa waits 1 s between checks: a queued message would wait that long
KEY_TTL = 600  # seconds: a lock nobody touches any more (its replica died) leaves Redis
RETRY_SECONDS = 10.0  # a Redis restart takes 1-3 s; REST callers and nginx wait 30-65 s
RETRY_PAUSE = 0.1  # between attempts while Redis is away
# a lost connection, a refused one, a Redis still loading its data after a restart
AWAY_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OSError)

Change = Callable[[TicketLock | None], tuple[Any, TicketLock | None]]


class RedisAway(LockError):
    """Redis did not answer for the message's whole budget; the caller may retry later."""

    def __init__(self, seconds: float, error: Exception) -> None:
        super().__init__(f"Redis unreachable for {seconds:.0f} s: {error}")
        self.retry_after = max(1, round(seconds))


class Outage:
    """One warning when Redis stops answering and one when it answers again."""

    def __init__(self, what: str) -> None:
        self.what, self.since = what, None

    def failed(self, error: Exception, plan: str) -> None:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning("%s: Redis unreachable (%s); %s", self.what, error, plan)

    def recovered(self) -> None:
        if self.since is not None:
            away, self.since = time.monotonic() - self.since, None
            logger.warning("%s: Redis answers again after %.1f s", self.what, away)


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa creates custom lock stores this way
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        self.retry_seconds = float(
            kwargs.pop("retry_seconds", None)
            or os.environ.get("REDIS_RETRY_SECONDS")
            or RETRY_SECONDS
        )
        self.outage = Outage("lock store")
        super().__init__(**kwargs)

    def _transaction(self, conversation_id: str, change: Change) -> Any:
        """Applies ``change`` to the stored lock atomically; its lock None deletes it."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, lock = change(lock)
                    pipe.multi()
                    if lock is None or not lock.tickets:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps(), ex=KEY_TTL)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock meanwhile: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._issue(conversation_id, lock_lifetime).number
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def _issue(self, conversation_id: str, lock_lifetime: float) -> Ticket:
        def issue(lock):
            lock = lock or self.create_lock(conversation_id)
            lock.issue_ticket(lock_lifetime)
            return lock.tickets[-1], lock

        return self._transaction(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock):
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._transaction(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._transaction(conversation_id, finish)

    def _finish(self, conversation_id: str, ticket: Ticket) -> None:
        """Removes exactly this ticket: after Redis lost its data, a new queue may reuse its
        number for another message."""

        def finish(lock):
            if lock:
                lock.tickets = type(lock.tickets)(t for t in lock.tickets if not _same(t, ticket))
            return None, lock

        self._transaction(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # one transaction: the lock is deleted only if nobody queued meanwhile
        self.finish_serving(conversation_id, ticket_number)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ticket lock, waiting through a Redis outage (RedisAway after the budget)."""
        held = [await self._redis(self._issue, conversation_id, lock_lifetime)]
        try:
            yield await self._turn(conversation_id, held, lock_lifetime, wait_time_in_seconds)
        except RedisAway:
            held = []  # the queue is unreachable: the ticket expires by itself
            raise
        finally:
            if held:  # answered even if Redis stays away: the ticket then expires by itself
                with contextlib.suppress(RedisAway):
                    await self._redis(self._finish, conversation_id, held[0])

    async def _turn(
        self, conversation_id: str, held: list[Ticket], lifetime: float, wait: float
    ) -> TicketLock:
        """Waits until the held ticket is served; queues again when the ticket is gone (Redis
        restarted without its data, or the ticket expired while waiting)."""
        while True:
            lock = await self._redis(self.get_lock, conversation_id)
            if lock is None or not any(_same(t, held[0]) for t in lock.tickets):
                held[0] = await self._redis(self._issue, conversation_id, lifetime)
                continue
            if _same(lock.tickets[0], held[0]):
                return lock
            await asyncio.sleep(wait)
            await self._redis(self.update_lock, conversation_id)

    async def _redis(self, call: Callable, *args: Any) -> Any:
        """``call(*args)``, retried while Redis is away, for at most ``retry_seconds``."""
        started = time.monotonic()
        while True:
            try:
                result = call(*args)
            except AWAY_ERRORS as error:
                plan = f"messages wait up to {self.retry_seconds:.0f} s for it"
                self.outage.failed(error, plan)
                if time.monotonic() - started >= self.retry_seconds:
                    raise RedisAway(self.retry_seconds, error) from None
                await asyncio.sleep(RETRY_PAUSE)
                continue
            self.outage.recovered()
            return result


def _same(one: Ticket, other: Ticket) -> bool:
    return one.number == other.number and one.expires == other.expires
