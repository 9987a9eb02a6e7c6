"""Shared fixtures: a knowledge base built fresh from the sources into a temporary file."""

import pathlib

import pytest

from policy_kb import KnowledgeBase, store

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
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

MODEL = ROOT / "models" / "current.tar.gz"
RASA_PORT, ACTION_PORT = 5015, 5065  # not the ports `make run` uses
# Test credentials for the WeChat channel (safe mode accepts plain and encrypted requests in
# "compatible" mode; tests sign and encrypt exactly as WeChat does).
WECHAT_TEST_ENV = {
    "WECHAT_TOKEN": "test-token-shebao",
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_MODE": "compatible",
}


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:
        return 0


@contextlib.contextmanager
def running_assistant(
    tmp: pathlib.Path, rasa_port: int = RASA_PORT, action_port: int = ACTION_PORT
):
    """Both servers started with bot/serve.sh, as the README starts them, on the given ports.

    The tracker store is ``tmp/trackers.db``; starting again with the same ``tmp`` continues
    the same conversations. Yields a dict of URLs and paths.
    """
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / "trackers.db"}"\n',
        encoding="utf-8",
    )
    env = dict(
        os.environ,
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        ENDPOINTS=str(endpoints),
        RASA_TELEMETRY_ENABLED="false",
        **WECHAT_TEST_ENV,
    )
    log = open(tmp / "serve.log", "ab")
    process = subprocess.Popen(
        ["bash", "bot/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            if (
                _get(f"http://127.0.0.1:{rasa_port}/") == 200
                and _get(f"http://127.0.0.1:{action_port}/health") == 200
            ):
                break
            time.sleep(1)
        if process.poll() is not None or time.monotonic() >= deadline:
            pytest.fail(
                "assistant did not start:\n"
                + (tmp / "serve.log").read_text(errors="replace")[-3000:]
            )
        yield {
            "url": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            "base": f"http://127.0.0.1:{rasa_port}",
            "wechat": WECHAT_TEST_ENV,
            "endpoints": endpoints,
            "tmp": tmp,
            "trackers": tmp / "trackers.db",
            "log": tmp / "serve.log",
        }
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The assistant running for the whole test session (see running_assistant)."""
    with running_assistant(tmp_path_factory.mktemp("assistant")) as info:
        yield info
