"""The channels when Redis stays away longer than a message may wait (bot/channels/outage.py):
503 with Retry-After and the "busy" sentence, nothing logged per message.

A Sanic server of its own (a subprocess on a test port) serves the REST and web chat channels
with an assistant whose every message meets :class:`bot.serving.lock_store.RedisAway`, as the lock
store raises it after REDIS_RETRY_SECONDS. Needs neither Redis nor a model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot.channels.wechat_text import BUSY
from bot.serving import ports
from tests.conftest import SCALED_PORT
from tests.tools.servers import ROOT

PORT = SCALED_PORT + 27
SERVER = """
import sys
from sanic import Sanic
from bot.channels.rest import MaskedRestInput
from bot.channels.chat_page import WebChatInput
from bot.serving.lock_store import RedisAway

async def assistant(message):
    raise RedisAway(7, ConnectionError("Connection refused"))

app = Sanic("outage")
for channel in (MaskedRestInput(), WebChatInput()):
    app.blueprint(channel.blueprint(assistant), url_prefix=f"/webhooks/{channel.name()}")
app.run("127.0.0.1", int(sys.argv[1]), access_log=False)
"""


@pytest.fixture(scope="module")
def server():
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(PORT)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not ports.listening(PORT):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"outage server did not start: {process.stdout.read()[-2000:]!r}")
        time.sleep(0.1)
    yield process
    process.terminate()
    process.wait(timeout=20)


def _post(path: str, body: dict) -> urllib.error.HTTPError:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    return refused.value


@pytest.mark.parametrize("channel", ["rest", "webchat"])
def test_a_message_meeting_a_long_redis_outage_gets_503_with_retry_after(server, channel):
    sender = "outage-1" if channel == "rest" else "a" * 16
    for _ in range(3):  # a kept-alive or fresh connection alike
        reply = _post(f"/webhooks/{channel}/webhook", {"sender": sender, "message": "电话"})
        assert reply.code == 503 and reply.headers["Retry-After"] == "7"
        assert json.loads(reply.read())["error"] == BUSY


def test_an_outage_answer_logs_no_stack_trace(server):
    _post("/webhooks/rest/webhook", {"sender": "outage-2", "message": "电话"})
    server.terminate()
    output = server.stdout.read().decode(errors="replace")
    assert "Traceback" not in output, output[-3000:]
