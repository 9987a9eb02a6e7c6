"""Rasa test stories (tests/stories) against the trained model and the running action server."""

import pytest

from tests.tools.servers import MODEL, run_rasa


@pytest.mark.server
def test_rasa_test_stories_all_pass(assistant):
    out = assistant["tmp"] / "core-results"
    done = run_rasa(
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
    )
    assert done.returncode == 0, done.stderr[-2000:]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
