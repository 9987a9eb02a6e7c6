"""`make deploy-model` (bot/serving/deploy_model.py): plain words where it cannot deploy, and a new
model into `make run`'s server while it answers (marked `server`). The scaled mode's rollout
under load is tested in test_scaled_faults.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ACTION_PORT, RASA_PORT, WECHAT_TEST_ENV
from tests.test_scaled import texts
from tests.tools.converse import send
from tests.tools.probe_model import PROBE_ANSWER, PROBE_SENTENCE, train_probe
from tests.tools.servers import MODEL, ROOT, serving


def _closed_port() -> int:
    """A port nothing listens on: one the kernel just handed out and took back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _deploy(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SCALED_RUN_DIR=str(tmp_path), RASA_PORT=str(_closed_port()))
    command = [sys.executable, "-m", "bot.serving.deploy_model", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_deploying_with_no_assistant_running_says_so(tmp_path):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    result = _deploy(tmp_path)
    assert result.returncode == 1
    assert "没有正在运行的助手" in result.stderr and "Traceback" not in result.stderr


def test_deploying_a_model_that_does_not_exist_says_so(tmp_path):
    result = _deploy(tmp_path, str(tmp_path / "missing.tar.gz"))
    assert result.returncode == 1
    assert "没有模型文件" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.server
def test_make_run_takes_a_new_model_while_answering(tmp_path):
    """`make run`'s one server: messages sent while the model loads are answered, the new model
    answers its sentence, and the same command rolls back."""
    token = {"RASA_AUTH_TOKEN": "deploy-test-token"}
    probe = train_probe(tmp_path)
    with serving(tmp_path, RASA_PORT + 4, ACTION_PORT + 4, {**WECHAT_TEST_ENV, **token}) as info:
        url = info["url"]
        env = {"RASA_PORT": str(RASA_PORT + 4), **token}
        with ThreadPoolExecutor(2) as pool:
            deploying = pool.submit(_deploy_env, tmp_path, env, str(probe))
            answers = []
            while not deploying.done():
                reply, _ = send(url, f"during-{len(answers)}", "威海医保电话", timeout=120)
                answers.append(texts(reply))
            deployed = deploying.result()
        assert deployed.returncode == 0, deployed.stderr
        assert answers and all(a.strip() for a in answers)
        assert PROBE_ANSWER in texts(send(url, "probe-sender", PROBE_SENTENCE)[0])
        back = _deploy_env(tmp_path, env, str(MODEL))
        assert back.returncode == 0, back.stderr
        assert "450" in texts(send(url, "back-sender", "威海医保一档多少")[0])


def _deploy_env(tmp_path, env: dict, *args: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, SCALED_RUN_DIR=str(tmp_path / "no-scaled"), **env)
    command = [sys.executable, "-m", "bot.serving.deploy_model", *args]
    return subprocess.run(command, cwd=ROOT, env=full, capture_output=True, text=True, timeout=900)
