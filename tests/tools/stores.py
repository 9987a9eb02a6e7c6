"""PostgreSQL and Redis for the scaled tests: are they there, and a fresh database per run.

The services are found exactly as the scaled mode finds them (PG* and REDIS_* variables,
defaults in bot/serving/shared_stores.py). When one does not answer, the tests that need it are
skipped with the reason; nothing else depends on them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid

from bot.serving import shared_stores


def unavailable() -> str | None:
    """Why the scaled tests cannot run here (None: PostgreSQL and Redis both answer)."""
    env = shared_stores.environment()
    try:
        conn = shared_stores.pg_connect(env, "postgres")
        conn.close()
    except Exception as error:  # psycopg2.Error: any failure means "not here"
        detail = " ".join(str(error).split())  # psycopg2's message spans lines
        return f"PostgreSQL at {env['PGHOST']}:{env['PGPORT']} does not answer ({detail})"
    return redis_unavailable()


def redis_unavailable() -> str | None:
    settings = shared_stores.RedisSettings.from_env()
    client = settings.client()
    try:
        client.ping()
    except Exception as error:  # redis.RedisError
        return f"Redis at {settings.where()} does not answer ({error})"
    finally:
        client.close()
    return None


def unique_name(label: str) -> str:
    """A name no other test run uses (database names, Redis key prefixes: alphanumeric)."""
    return f"{label}{os.getpid()}{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def fresh_database(label: str = "shebaotest"):
    """A new, empty PostgreSQL database for one test session; dropped afterwards."""
    from psycopg2 import sql

    env = shared_stores.environment()
    name = unique_name(label)
    env["PGDATABASE"] = name
    shared_stores.ensure_database(env)
    try:
        yield name
    finally:
        admin = shared_stores.pg_connect(env, "postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.close()


def drop_keys(prefix: str) -> None:
    """Deletes a test run's Redis keys (its unique prefix)."""
    client = shared_stores.RedisSettings.from_env().client()
    try:
        keys = list(client.scan_iter(f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class PrivateRedis:
    """redis-server on a test port; restart() loses everything, as a restart without disk."""

    def __init__(self, port: int) -> None:
        self.port, self.process = port, None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
            ).stdout.strip()
            != b"PONG"
        ):
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
