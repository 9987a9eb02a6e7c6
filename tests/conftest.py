"""Shared fixtures: a knowledge base built fresh from the sources into a temporary file."""

import pathlib

import pytest

from policy_kb import KnowledgeBase
from policy_kb.data import store

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb(tmp_path_factory):
    db = tmp_path_factory.mktemp("kb") / "policy_kb.db"
    store.build(db)
    knowledge_base = KnowledgeBase(db)
    yield knowledge_base
    knowledge_base.close()


# ---------------------------------------------------------------------- running assistant
import contextlib  # noqa: E402
import os  # noqa: E402

from tests.tools.servers import MODEL, ServersDidNotStart, serving  # noqa: E402

# Not the ports `make run` uses; TEST_RASA_PORT / TEST_ACTION_PORT move them (two checkouts
# testing side by side).
RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "5015"))
ACTION_PORT = int(os.environ.get("TEST_ACTION_PORT", "5065"))
# Test credentials for the WeChat channel ("compatible" mode accepts plain and encrypted
# requests; tests sign and encrypt exactly as WeChat does).
WECHAT_TEST_ENV = {
    "WECHAT_TOKEN": "test-token-shebao",
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_MODE": "compatible",
}
# The staff console's test login (the console has no default password).
CONSOLE_TEST_LOGIN = {"username": "hotline", "password": "console-test-password"}
CONSOLE_TEST_ENV = {
    "STAFF_CONSOLE_USER": CONSOLE_TEST_LOGIN["username"],
    "STAFF_CONSOLE_PASSWORD": CONSOLE_TEST_LOGIN["password"],
}


@contextlib.contextmanager
def running_assistant(
    tmp: pathlib.Path, rasa_port: int = RASA_PORT, action_port: int = ACTION_PORT
):
    """Both servers as the README starts them (tests.tools.servers.serving), or a test failure."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    try:
        env = {**WECHAT_TEST_ENV, **CONSOLE_TEST_ENV}
        with serving(tmp, rasa_port, action_port, env) as info:
            yield {**info, "wechat": WECHAT_TEST_ENV, "console": CONSOLE_TEST_LOGIN}
    except ServersDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The assistant running for the whole test session (see running_assistant)."""
    with running_assistant(tmp_path_factory.mktemp("assistant")) as info:
        yield info


# ---------------------------------------------------------------------- scaled mode
# PostgreSQL + Redis + nginx (tests marked `scaled`): skipped, with the reason, where they are
# missing. Ports 5200-5299 unless TEST_SCALED_PORT moves them.
SCALED_PORT = int(os.environ.get("TEST_SCALED_PORT", "5200"))


def scaled_unavailable() -> str | None:
    import shutil

    from tests.tools.stores import unavailable

    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        return "nginx is not installed (make nginx)"
    return unavailable()


@pytest.fixture(scope="session")
def scaled_database():
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    from tests.tools.stores import fresh_database

    reason = scaled_unavailable()
    if reason:
        pytest.skip(f"scaled mode not tested: {reason}")
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    with fresh_database() as name:
        yield name
