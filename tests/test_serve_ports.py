"""`make run` (bot/serving/serve.sh) refuses ports already taken, and trusts only its own processes."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from bot.serving import ports
from tests.conftest import ACTION_PORT, RASA_PORT
from tests.tools.servers import ROOT

# ports of their own (the session assistant uses RASA_PORT, test_restart +1, the guide +2)
OTHER_RASA, OTHER_ACTION = RASA_PORT + 3, ACTION_PORT + 3


class _AnswersEverything(http.server.BaseHTTPRequestHandler):
    """Another program on the port that answers like an assistant would (HTTP 200)."""

    def _ok(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    do_GET = do_POST = _ok

    def log_message(self, *args):
        pass


def _serve(port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _AnswersEverything)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _launch(rasa_port, action_port, timeout=60):
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port))
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "bot/serving/serve.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize("held", ["both", "rasa", "action"])
def test_a_port_another_program_answers_on_is_refused_at_once(held):
    servers = []
    if held in ("both", "rasa"):
        servers.append(_serve(OTHER_RASA))
    if held in ("both", "action"):
        servers.append(_serve(OTHER_ACTION))
    try:
        done, seconds = _launch(OTHER_RASA, OTHER_ACTION)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert done.returncode == 1
    assert seconds < 15, "refusing must not wait for the servers to start"
    assert "assistant ready" not in done.stdout
    assert "已被占用" in done.stderr and "already in use" in done.stderr
    expected = {"both": [OTHER_RASA, OTHER_ACTION], "rasa": [OTHER_RASA]}.get(held, [OTHER_ACTION])
    for port in expected:
        assert str(port) in done.stderr


def test_free_and_owner_of_a_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not ports.is_free(port)
        assert os.getpid() in ports.listeners(port)
        assert ports.owns(os.getpid(), port)
        # a process that merely answers is not the owner when someone else holds the socket
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            assert not ports.owns(child.pid, port)
        finally:
            child.kill()
            child.wait()
    assert ports.is_free(port)
    assert not ports.owns(os.getpid(), port)  # nobody listens: nobody owns it


def test_a_child_listening_belongs_to_its_parent():
    code = (
        "import socket, sys, time\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "print(s.getsockname()[1], flush=True); time.sleep(30)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        port = int(child.stdout.readline())
        assert ports.owns(child.pid, port)
        assert ports.owns(os.getpid(), port)  # the child descends from this process
    finally:
        child.kill()
        child.wait()


def test_policy_team_ask_follows_rasa_port(monkeypatch):
    from policy_team.cli import build_parser

    monkeypatch.setenv("RASA_PORT", str(OTHER_RASA))
    args = build_parser().parse_args(["ask", "威海医保电话"])
    assert args.url == f"http://127.0.0.1:{OTHER_RASA}/webhooks/rest/webhook"


@pytest.mark.server
def test_a_second_make_run_while_one_serves_fails_fast(assistant):
    rasa_port = int(assistant["base"].rsplit(":", 1)[1])
    done, seconds = _launch(rasa_port, ACTION_PORT)
    assert done.returncode == 1 and seconds < 15
    assert "已被占用" in done.stderr and "already in use" in done.stderr
    assert "assistant ready" not in done.stdout
