"""`make deploy-model` (bot/deploy_model.py) where it cannot deploy: plain words, no trace.

Its deployment under load is tested against the real scaled mode in test_scaled_faults.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import SCALED_PORT
from tests.tools.servers import MODEL, ROOT

CLOSED = SCALED_PORT + 98  # nothing listens there


def _deploy(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SCALED_RUN_DIR=str(tmp_path), RASA_PORT=str(CLOSED))
    command = [sys.executable, "-m", "bot.deploy_model", *args]
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
