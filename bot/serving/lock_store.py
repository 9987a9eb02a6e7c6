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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

WAIT_SECONDS = 0.05  # Rasa waits 1 s between checks: a queued message would wait that long
KEY_TTL = 600  # seconds: a lock nobody touches any more (its replica died) leaves Redis

Change = Callable[[TicketLock | None], tuple[Any, TicketLock | None]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa creates custom lock stores this way
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
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
        def issue(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._transaction(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

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

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # one transaction: the lock is deleted only if nobody queued meanwhile
        self.finish_serving(conversation_id, ticket_number)

    def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_SECONDS,
    ):
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)
