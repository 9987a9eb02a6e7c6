"""Rasa test stories (tests/stories) against the trained model and the running action server."""

import os
import subprocess
import sys

import pytest

from tests.conftest import MODEL, ROOT


@pytest.mark.server
def test_rasa_test_stories_all_pass(assistant):
    out = assistant["tmp"] / "core-results"
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    done = subprocess.run(
        [
            rasa,
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/stories",
            "--endpoints",
            str(assistant["endpoints"]),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
