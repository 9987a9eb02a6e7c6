"""The scaled mode's lock store (bot/serving/lock_store.py) against the real Redis.

Skipped, with the reason, when the configured Redis (REDIS_* variables) does not answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.serving.lock_store import AtomicRedisLockStore, RedisAway
from bot.serving.shared_stores import RedisSettings
from tests.conftest import SCALED_PORT
from tests.tools.stores import PrivateRedis, drop_keys, redis_unavailable, unique_name


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


# ---------------------------------------------------------------------- through a Redis outage
# A private redis-server (tests/tools/stores.py) that the tests stop and start; the machine's
# Redis is never touched.
OUTAGE_PORT = SCALED_PORT + 91


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: cannot restart a private Redis")
    redis = PrivateRedis(OUTAGE_PORT)
    redis.start()
    yield redis
    redis.stop()


def _private_store(retry_seconds: float) -> AtomicRedisLockStore:
    config = EndpointConfig(
        url="127.0.0.1", port=OUTAGE_PORT, db=0, key_prefix="outage", socket_timeout=1
    )
    store = AtomicRedisLockStore(endpoint_config=config)
    store.retry_seconds = retry_seconds
    return store


async def _restart_after(redis: PrivateRedis, down: float) -> None:
    redis.stop()
    await asyncio.sleep(down)
    await asyncio.to_thread(redis.start)


@pytest.mark.parametrize("down", [0.5, 2.0])
def test_a_message_waits_through_a_redis_restart_of_a_few_seconds(private_redis, down):
    store = _private_store(retry_seconds=10)
    served = []

    async def message():
        async with store.lock("resident"):
            served.append(True)

    async def scenario():
        private_redis.stop()
        await asyncio.gather(message(), _restart_after(private_redis, down))

    asyncio.run(scenario())
    assert served == [True]
    assert store.get_lock("resident") is None  # the ticket was given back


def test_a_longer_outage_says_when_to_retry(private_redis):
    store = _private_store(retry_seconds=0.5)
    private_redis.stop()

    async def message():
        async with store.lock("resident"):
            pass

    with pytest.raises(RedisAway) as away:
        asyncio.run(message())
    assert away.value.retry_after >= 1


def test_an_outage_is_logged_once_not_per_message(private_redis, caplog):
    store = _private_store(retry_seconds=0.3)
    private_redis.stop()

    async def message(n):
        with contextlib.suppress(RedisAway):
            async with store.lock(f"resident-{n}"):
                pass

    async def scenario():
        await asyncio.gather(*(message(n) for n in range(5)))

    with caplog.at_level(logging.WARNING, logger="bot.serving.lock_store"):
        asyncio.run(scenario())
        private_redis.start()
        asyncio.run(message(0))
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.serving.lock_store"]
    assert len(warnings) == 2, warnings  # unreachable, then answers again
    assert "unreachable" in warnings[0] and "again" in warnings[1]


def test_a_waiting_message_queues_again_when_redis_lost_its_data(private_redis):
    store = _private_store(retry_seconds=10)
    order = []

    async def first():
        async with store.lock("resident"):
            order.append("first")
            await _restart_after(private_redis, 0.2)  # the queue is gone with the data
            await asyncio.sleep(0.2)

    async def second():
        await asyncio.sleep(0.1)  # queued behind the first
        async with store.lock("resident"):
            order.append("second")

    async def scenario():
        await asyncio.gather(first(), second())

    asyncio.run(scenario())
    assert order == ["first", "second"]
