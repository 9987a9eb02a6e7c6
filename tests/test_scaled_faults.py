"""The scaled mode under faults and operations, each during a load run: a replica killed, Redis
restarted, Redis away for longer than a message may wait, a new model deployed.

A deployment of its own (two replicas, one action server) on a private ``redis-server`` (a
real Redis 7, nothing on disk, on a test port), so that Redis can be restarted without
touching the machine's shared Redis. Skipped, with the reason, when PostgreSQL, Redis, nginx
or the redis-server program is missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from bot.serving import ports
from tests.conftest import SCALED_PORT, WECHAT_TEST_ENV
from tests.test_scaled import _post, _wechat, events, texts
from tests.test_wechat_channel import open_reply
from tests.tools.converse import send
from tests.tools.probe_model import PROBE_ANSWER, PROBE_SENTENCE, train_probe
from tests.tools.scaled import processes, scaled_serving
from tests.tools.servers import MODEL, ROOT, ServersDidNotStart
from tests.tools.stores import PrivateRedis

pytestmark = pytest.mark.scaled

RASA_PORT, ACTION_PORT, REDIS_PORT = SCALED_PORT + 10, SCALED_PORT + 60, SCALED_PORT + 90
RETRY_SECONDS = 5
QUESTIONS = ["威海医保一档多少", "那青岛呢", "青岛养老保险怎么交", "山亭医保电话", "那威海呢", "威海医保二档多少"]


@pytest.fixture(scope="module")
def faulty(scaled_database, tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: cannot restart a private Redis")
    redis = PrivateRedis(REDIS_PORT)
    redis.start()
    env = {
        **WECHAT_TEST_ENV,
        "PGDATABASE": scaled_database,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(REDIS_PORT),
        "REDIS_DB": "0",
        "REDIS_KEY_PREFIX": "faults",
        # how long a message waits for Redis: longer than the restart below, short enough
        # for the longer outage to be tested in seconds
        "REDIS_RETRY_SECONDS": str(RETRY_SECONDS),
    }
    run_dir = tmp_path_factory.mktemp("scaled-faults")
    try:
        with scaled_serving(run_dir, RASA_PORT, ACTION_PORT, 2, 1, env) as info:
            yield {**info, "database": scaled_database, "redis": redis}
    except ServersDidNotStart as error:
        pytest.fail(str(error))
    finally:
        redis.stop()


@dataclass
class Sent:
    sender: str
    text: str
    started: float
    ended: float = 0.0
    answer: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.answer.strip())


THINK = 0.2  # seconds between a resident's messages
TAIL = 6.0  # seconds the residents go on after the fault is over


def load(url: str, residents: int, during, after: int, cap: int = 40) -> list[Sent]:
    """Residents sending messages one after the other until TAIL seconds after ``during()``
    (run once ``after`` messages were answered) returned. Every message with its outcome."""
    sent: list[Sent] = []
    fault: dict[str, float | threading.Thread] = {}

    def over() -> bool:
        return "ended" in fault and time.monotonic() > fault["ended"] + TAIL

    def run_fault() -> None:
        during()
        fault["ended"] = time.monotonic()

    def resident(index: int) -> None:
        sender = f"load-{index}-{uuid.uuid4().hex[:6]}"
        for n in range(cap):
            if over():
                return
            record = Sent(sender, QUESTIONS[(index + n) % len(QUESTIONS)], time.monotonic())
            sent.append(record)
            try:
                reply, _ = send(url, sender, record.text, timeout=90)
                record.answer = texts(reply)
            except (urllib.error.URLError, OSError) as error:
                record.error = str(error)
            record.ended = time.monotonic()
            if "thread" not in fault and sum(s.ended > 0 for s in sent) >= after:
                fault["thread"] = threading.Thread(target=run_fault)
                fault["thread"].start()
            time.sleep(THINK)

    with ThreadPoolExecutor(residents) as pool:
        list(pool.map(resident, range(residents)))
    if "thread" in fault:
        fault["thread"].join()
    return sent


def user_texts(database: str, sender: str) -> list[str]:
    return [e["text"] for kind, e in events(database, sender) if kind == "user"]


def wait_until_answers(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply, _ = send(url, f"probe-{uuid.uuid4().hex[:6]}", "威海医保电话", timeout=10)
            if texts(reply).strip():
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(2)
    return False


def test_a_replica_killed_during_a_load_run(faulty):
    database, url = faulty["database"], faulty["url"]
    keeper = f"keeper-{uuid.uuid4().hex[:6]}"
    assert "450" in texts(send(url, keeper, "威海医保一档多少")[0])
    killed = {}

    def kill_a_replica() -> None:
        victim = processes(faulty["run_dir"])["rasa-1"]
        killed["at"] = time.monotonic()
        os.kill(victim["pid"], signal.SIGKILL)
        # a killed process keeps its listening socket until the kernel has freed its memory
        # (~1 GB here): connections accepted meanwhile are lost with it, like those in flight
        while ports.listening(victim["port"]):
            time.sleep(0.005)
        killed["closed"] = time.monotonic()

    sent = load(url, residents=6, during=kill_a_replica, after=12)
    assert "at" in killed, "the load ended before the replica was killed"
    failed = [s for s in sent if not s.ok]
    # only messages in flight when the replica died (sent to it before its socket closed) may
    # fail: at most one per resident
    assert all(s.started <= killed["closed"] and s.ended >= killed["at"] for s in failed), (
        killed,
        failed,
    )
    assert len(failed) <= 6
    # every answered message is in the tracker store, once; nothing answered was lost
    for sender in {s.sender for s in sent}:
        stored = user_texts(database, sender)
        answered = [s.text for s in sent if s.sender == sender and s.ok]
        assert all(stored.count(t) >= answered.count(t) for t in set(answered)), sender
        assert len(stored) <= len([s for s in sent if s.sender == sender])
    # the conversation begun before the kill continues in context
    follow_up = texts(send(url, keeper, "那青岛呢")[0])
    assert "青岛" in follow_up and "462" in follow_up
    # the launcher restarts the replica (as systemd or Kubernetes would)
    assert wait_until_answers(faulty["replica_urls"][0], timeout=300), "rasa-1 did not come back"


def test_redis_restarted_during_a_load_run(faulty):
    database, url, redis = faulty["database"], faulty["url"], faulty["redis"]
    window = {}

    def restart_redis() -> None:
        window["down"] = time.monotonic()
        redis.stop()
        time.sleep(1.0)
        redis.start()
        window["up"] = time.monotonic()

    sent = load(url, residents=6, during=restart_redis, after=12)
    assert "up" in window, "the load ended before Redis was restarted"
    # the messages sent while Redis was away waited for it: none failed
    failed = [s for s in sent if not s.ok]
    assert failed == [], (window, failed)
    during = [s for s in sent if s.started < window["up"] and s.ended > window["down"]]
    assert during, ("no message met the outage", window)
    last = max(s.started for s in sent)
    assert last > window["up"] + 3, ("no load after restart", window, last, len(sent))
    for sender in {s.sender for s in sent}:
        stored = user_texts(database, sender)
        answered = [s.text for s in sent if s.sender == sender and s.ok]
        assert all(stored.count(t) >= answered.count(t) for t in set(answered)), sender
    # both replicas recovered: a conversation alternating between them keeps its context
    one, two = faulty["replica_urls"]
    sender = f"after-redis-{uuid.uuid4().hex[:6]}"
    assert "450" in texts(send(one, sender, "威海医保一档多少")[0])
    assert "462" in texts(send(two, sender, "那青岛呢")[0])
    # and the WeChat state is shared again: a retry sent to each replica is answered once
    openid = f"o-after-{uuid.uuid4().hex[:6]}"
    msg_id = str(uuid.uuid4().int % 10**18)
    bases = [u.split("/webhooks/")[0] for u in faulty["replica_urls"]]
    requests = [_wechat(base, openid, "威海医保电话", msg_id) for base in bases]
    with ThreadPoolExecutor(2) as pool:
        bodies = list(pool.map(lambda r: _post(r[0], r[1]), requests))
    contents = {open_reply(requests[0][2], body)["Content"] for body in bodies}
    assert len(contents) == 1 and len(user_texts(database, openid)) == 1


def test_a_longer_redis_outage_is_answered_503_with_retry_after_and_logged_once(faulty):
    url, redis, logs = faulty["url"], faulty["redis"], faulty["run_dir"] / "logs"
    replica_logs = sorted(logs.glob("rasa-*.log"))
    offsets = {log: log.stat().st_size for log in replica_logs}
    redis.stop()
    try:
        senders = [f"away-{n}-{uuid.uuid4().hex[:6]}" for n in range(4)]
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda s: _refused(url, s, "威海医保电话"), senders))
    finally:
        redis.start()
    assert [status for status, _ in replies] == [503] * 4, replies
    assert all(int(seconds) > 0 for _, seconds in replies), replies
    written = "".join(log.read_text(errors="replace")[offsets[log] :] for log in replica_logs)
    assert "Traceback" not in written
    # once per replica when the outage began (not per message), once when Redis was back
    assert written.count("Redis unreachable") <= len(replica_logs), written[-3000:]
    assert wait_until_answers(url, timeout=60), "no answer after Redis came back"
    assert "Redis answers again" in "".join(
        log.read_text(errors="replace")[offsets[log] :] for log in replica_logs
    )


def _refused(url: str, sender: str, text: str) -> tuple[int, str]:
    """(status, Retry-After) of a message expected to be refused."""
    try:
        send(url, sender, text, timeout=60)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After") or "0"
    return 200, "0"


def _deploy(run_dir, model) -> subprocess.CompletedProcess:
    env = dict(os.environ, SCALED_RUN_DIR=str(run_dir))
    command = [sys.executable, "-m", "bot.serving.deploy_model", str(model)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_a_new_model_is_deployed_under_load_without_a_failed_message(faulty, tmp_path):
    url, run_dir = faulty["url"], faulty["run_dir"]
    probe = train_probe(tmp_path)
    deployed = {}

    def deploy_probe() -> None:
        deployed["probe"] = _deploy(run_dir, probe)

    try:
        sent = load(url, residents=6, during=deploy_probe, after=12)
        assert deployed["probe"].returncode == 0, deployed["probe"].stderr
        failed = [s for s in sent if not s.ok]
        assert failed == [], failed
        # every replica now answers what only the new model knows
        for replica in faulty["replica_urls"]:
            answer = texts(send(replica, f"probe-{uuid.uuid4().hex[:6]}", PROBE_SENTENCE)[0])
            assert PROBE_ANSWER in answer
    finally:  # the same command rolls back to the project's model
        back = _deploy(run_dir, MODEL)
    assert back.returncode == 0, back.stderr
    assert "450" in texts(send(url, f"back-{uuid.uuid4().hex[:6]}", "威海医保一档多少")[0])
