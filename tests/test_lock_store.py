"""The scaled mode's lock store (bot/serving/lock_store.py) against the real Redis.

Skipped, with the reason, when the configured Redis (REDIS_* variables) does not answer.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.serving.lock_store import AtomicRedisLockStore
from bot.serving.shared_stores import RedisSettings
from tests.tools.stores import drop_keys, redis_unavailable, unique_name


@pytest.fixture
def prefix():
    reason = redis_unavailable()
    if reason:
        pytest.skip(f"scaled mode's Redis not here: {reason}")
    name = unique_name("locktest")
    yield name
    drop_keys(name)


def _store(cls, prefix):
    settings = RedisSettings.from_env()
    config = EndpointConfig(
        url=settings.host,
        port=settings.port,
        db=settings.db,
        password=settings.password or None,
        key_prefix=prefix,
    )
    if cls is AtomicRedisLockStore:
        return cls(endpoint_config=config)
    return cls(host=config.url, **config.kwargs)


def test_rasas_own_store_can_give_two_replicas_the_same_ticket(prefix):
    """Why the project has its own: Rasa's read-modify-write, interleaved as two replicas can."""
    one, two = _store(RedisLockStore, prefix), _store(RedisLockStore, prefix)
    lock_one, lock_two = one.get_or_create_lock("c"), two.get_or_create_lock("c")
    first, second = lock_one.issue_ticket(60), lock_two.issue_ticket(60)
    one.save_lock(lock_one)
    two.save_lock(lock_two)
    assert first == second == 0  # both would process at once


def test_tickets_issued_at_once_by_many_replicas_are_all_different(prefix):
    stores = [_store(AtomicRedisLockStore, prefix) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(lambda i: stores[i % 8].issue_ticket("c", 60), range(40)))
    assert sorted(tickets) == list(range(40))
    lock = stores[0].get_lock("c")
    assert [t.number for t in lock.tickets] == list(range(40))


def test_finishing_never_drops_a_ticket_queued_meanwhile(prefix):
    a, b = _store(AtomicRedisLockStore, prefix), _store(AtomicRedisLockStore, prefix)
    first = a.issue_ticket("c", 60)
    second = b.issue_ticket("c", 60)
    a.cleanup("c", first)
    lock = b.get_lock("c")
    assert lock is not None and not lock.is_locked(second)
    b.cleanup("c", second)
    assert b.get_lock("c") is None  # nobody waiting: the lock is gone


def test_messages_of_one_conversation_run_one_after_the_other(prefix):
    stores = [_store(AtomicRedisLockStore, prefix) for _ in range(3)]
    running, overlaps, order = [], [], []

    async def handle(store, n):
        async with store.lock("resident"):
            if running:
                overlaps.append(n)
            running.append(n)
            await asyncio.sleep(0.02)
            order.append(n)
            running.remove(n)

    async def scenario():
        await asyncio.gather(*(handle(stores[n % 3], n) for n in range(9)))

    asyncio.run(scenario())
    assert overlaps == [] and sorted(order) == list(range(9))
