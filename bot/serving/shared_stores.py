"""PostgreSQL and Redis for the scaled mode: settings from the environment, start-up checks.

``TRACKER_STORE=postgres`` selects ``bot/endpoints.scaled.yml``: Rasa's SQL tracker store on
PostgreSQL and its Redis lock store, whose connection settings Rasa expands from the
environment (``${PGHOST}``…). Nothing about the connection is written in a file. The
defaults are the development machine's loopback services; every one can be overridden:

- PostgreSQL: the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE;
- Redis: REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD, REDIS_KEY_PREFIX (alphanumeric:
  Rasa's lock store accepts nothing else).

Rasa itself would retry an unreachable database forever and a Redis error would only show
with the first message, so :func:`check` looks first and says in plain words what is wrong.
The database is created when missing; Rasa creates its ``events`` table on first start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULTS = {
    "PGHOST": "127.0.0.1",
    "PGPORT": "5432",
    "PGUSER": "postgres",
    "PGPASSWORD": "",
    "PGDATABASE": "shebao",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "0",
    "REDIS_PASSWORD": "",
    "REDIS_KEY_PREFIX": "shebao",
}
CONNECT_TIMEOUT = 3  # seconds: a start-up check, not a wait for the service to come up


class StoreUnavailable(RuntimeError):
    """A service the scaled mode needs does not answer; the message is for people."""


def scaled(env: Mapping[str, str] | None = None) -> bool:
    """True when the shared stores are configured (TRACKER_STORE=postgres)."""
    env = os.environ if env is None else env
    return env.get("TRACKER_STORE", "").strip().lower() in ("postgres", "postgresql")


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with every connection setting present (defaults filled in)."""
    env = dict(os.environ if env is None else env)
    for name, value in DEFAULTS.items():
        env.setdefault(name, value)
    return env


@dataclass(frozen=True)
class RedisSettings:
    host: str
    port: int
    db: int
    password: str
    prefix: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RedisSettings:
        env = environment(env)
        return cls(
            env["REDIS_HOST"],
            int(env["REDIS_PORT"]),
            int(env["REDIS_DB"]),
            env["REDIS_PASSWORD"],
            env["REDIS_KEY_PREFIX"],
        )

    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.db}"

    def client(self, asynchronous: bool = False, timeout: float = CONNECT_TIMEOUT):
        """A redis-py client (``redis.asyncio`` when asynchronous)."""
        if asynchronous:
            from redis import asyncio as module
        else:
            import redis as module
        return module.Redis(
            host=self.host,
            port=self.port,
            db=self.db,
            password=self.password or None,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )


def pg_where(env: Mapping[str, str]) -> str:
    return f"{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}"


def pg_connect(env: Mapping[str, str], database: str):
    import psycopg2

    return psycopg2.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"] or None,
        dbname=database,
        connect_timeout=CONNECT_TIMEOUT,
    )


def ensure_database(env: Mapping[str, str] | None = None) -> bool:
    """Creates PGDATABASE when missing (True when it did); StoreUnavailable when unreachable."""
    import psycopg2
    from psycopg2 import sql

    env = environment(env)
    name = env["PGDATABASE"]
    try:
        pg_connect(env, name).close()
        return False
    except psycopg2.OperationalError as error:
        if f'database "{name}" does not exist' not in str(error):
            raise StoreUnavailable(_pg_message(env, error)) from None
    try:
        admin = pg_connect(env, "postgres")
    except psycopg2.Error as error:
        raise StoreUnavailable(_pg_message(env, error)) from None
    admin.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg2.errors.DuplicateDatabase:
        return False  # another launcher was quicker
    except psycopg2.Error as error:
        detail = " ".join(str(error).split())
        raise StoreUnavailable(
            f"无法创建数据库 {name}：请让管理员创建它，或给 {env['PGUSER']} 建库权限。\n"
            f"Cannot create database {name}: create it, or grant {env['PGUSER']} CREATEDB. ({detail})"
        ) from None
    finally:
        admin.close()
    return True


def _pg_message(env: Mapping[str, str], error: Exception) -> str:
    detail = " ".join(str(error).split())
    return (
        f"连不上 PostgreSQL（{pg_where(env)}）：请确认数据库已启动，并检查 PGHOST、PGPORT、"
        f"PGUSER、PGPASSWORD、PGDATABASE。\n"
        f"PostgreSQL at {pg_where(env)} cannot be reached: start it or set PGHOST, PGPORT, "
        f"PGUSER, PGPASSWORD, PGDATABASE. ({detail})"
    )


def check_redis(env: Mapping[str, str] | None = None) -> None:
    import redis

    settings = RedisSettings.from_env(env)
    if not settings.prefix.isalnum():
        raise StoreUnavailable(
            f"REDIS_KEY_PREFIX 只能由字母和数字组成（现在是 {settings.prefix!r}）。\n"
            f"REDIS_KEY_PREFIX must be alphanumeric (Rasa's lock store), not {settings.prefix!r}."
        )
    client = settings.client()
    try:
        client.ping()
    except redis.RedisError as error:
        raise StoreUnavailable(
            f"连不上 Redis（{settings.where()}）：请确认 Redis 已启动，并检查 REDIS_HOST、"
            f"REDIS_PORT、REDIS_DB、REDIS_PASSWORD。\n"
            f"Redis at {settings.where()} cannot be reached: start it or set REDIS_HOST, "
            f"REDIS_PORT, REDIS_DB, REDIS_PASSWORD. ({error})"
        ) from None
    finally:
        client.close()


def check(env: Mapping[str, str] | None = None) -> list[str]:
    """Both services answer and the database exists; what was done, for the log."""
    env = environment(env)
    check_redis(env)  # first: it creates nothing
    if ensure_database(env):
        return [f"created database {env['PGDATABASE']}"]
    return []


def main() -> int:
    import shlex
    import sys

    if sys.argv[1:] == [
        "--exports"
    ]:  # for bot/serving/serve.sh: the settings with defaults filled in
        env = environment()
        print("\n".join(f"export {name}={shlex.quote(env[name])}" for name in DEFAULTS))
        return 0
    try:
        for line in check():
            print(line)
    except StoreUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
