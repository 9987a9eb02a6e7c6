"""Starting the scaled mode: clear messages (no stack trace) when something it needs is missing,
and the database created when it does not exist yet. Needs no trained model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile

import pytest

from bot.serving import shared_stores
from tests.conftest import SCALED_PORT
from tests.tools.servers import ROOT
from tests.tools.stores import redis_unavailable, unavailable, unique_name

CLOSED = SCALED_PORT + 99  # nothing listens there


def _launch(**env) -> subprocess.CompletedProcess:
    full = dict(
        os.environ,
        RASA_PORT=str(SCALED_PORT + 30),
        ACTION_PORT=str(SCALED_PORT + 80),
        REPLICAS="1",
        SCALED_RUN_DIR=os.path.join(tempfile.gettempdir(), f"scaled-startup-{os.getpid()}"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.serving.scaled"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _friendly(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "assistant ready" not in done.stdout
    return done.stderr


def test_redis_unreachable_is_said_plainly():
    stderr = _friendly(_launch(REDIS_PORT=str(CLOSED)))
    assert "连不上 Redis" in stderr and f"Redis at 127.0.0.1:{CLOSED}/0 cannot be reached" in stderr


def test_postgres_unreachable_is_said_plainly():
    reason = redis_unavailable()
    if reason:
        pytest.skip(f"needs Redis to get as far as PostgreSQL: {reason}")
    stderr = _friendly(_launch(PGPORT=str(CLOSED)))
    assert "连不上 PostgreSQL" in stderr and "cannot be reached" in stderr
    assert f"127.0.0.1:{CLOSED}" in stderr


def test_a_port_taken_is_refused():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", SCALED_PORT + 30))
        holder.listen()
        stderr = _friendly(_launch())
    assert "已被占用" in stderr and str(SCALED_PORT + 30) in stderr


def test_a_bad_key_prefix_is_refused():
    stderr = _friendly(_launch(REDIS_KEY_PREFIX="not:alnum"))
    assert "REDIS_KEY_PREFIX" in stderr


def test_the_database_is_created_when_missing():
    reason = unavailable()
    if reason:
        pytest.skip(f"scaled mode not tested: {reason}")
    env = {**shared_stores.environment(), "PGDATABASE": unique_name("shebaocreate")}
    try:
        assert shared_stores.ensure_database(env) is True
        assert shared_stores.ensure_database(env) is False  # there now: left alone
    finally:
        conn = shared_stores.pg_connect(env, "postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{env["PGDATABASE"]}"')
        conn.close()


def test_make_run_on_postgres_says_plainly_when_redis_is_missing():
    env = dict(
        os.environ,
        TRACKER_STORE="postgres",
        REDIS_PORT=str(CLOSED),
        RASA_PORT=str(SCALED_PORT + 31),
        ACTION_PORT=str(SCALED_PORT + 81),
    )
    done = subprocess.run(
        ["bash", "bot/serving/serve.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert _friendly(done) and "连不上 Redis" in done.stderr


def test_replicas_see_the_callers_address_that_nginx_passes(monkeypatch):
    """The console throttles logins per address: behind nginx that must be the caller's."""
    from sanic import Sanic
    from sanic.compat import Header
    from sanic.request import Request

    from bot.serving.scaled import Layout, child_environment

    env = child_environment(Layout(2, 1, SCALED_PORT + 30, SCALED_PORT + 80, ROOT / "data"))
    for name in ("SANIC_REAL_IP_HEADER", "SANIC_PROXIES_COUNT"):
        monkeypatch.setenv(name, env[name])
    app = Sanic(f"probe_{os.getpid()}")  # Sanic reads SANIC_* when an app is made, as Rasa's
    request = Request(b"/", Header({"x-real-ip": "10.1.2.3"}), "1.1", "GET", None, app)
    assert request.remote_addr == "10.1.2.3"
    from bot.serving.balancer import nginx_config

    config = nginx_config(ROOT / "data", SCALED_PORT + 30, [1, 2], SCALED_PORT + 80, [3])
    assert "proxy_set_header X-Real-IP $remote_addr;" in config


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "plain0123"])
def test_the_api_token_reaches_every_replica_as_one_argument(monkeypatch, tmp_path, token):
    """A token beginning with "-" once read as a missing argument and the replicas would not
    start (the API is on for `make deploy-model`)."""
    import argparse

    from rasa.cli.arguments.run import add_server_arguments

    from bot.serving.scaled import Launcher, Layout

    monkeypatch.setenv("RASA_AUTH_TOKEN", token)
    layout = Layout(2, 1, SCALED_PORT + 30, SCALED_PORT + 80, tmp_path)
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    replicas = [c for c in Launcher(layout, {}).children if c.name.startswith("rasa-")]
    for replica in replicas:
        options, _ = parser.parse_known_args(replica.command[4:])  # after `bot.serving.runtime run`
        assert options.auth_token == token and options.enable_api
