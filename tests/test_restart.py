"""A restart of the servers loses no conversation: the SQLite tracker store keeps the context."""

import pytest

from tests.conftest import ACTION_PORT, RASA_PORT, running_assistant
from tests.tools.converse import send


def _text(messages):
    return "\n".join(m.get("text", "") for m in messages)


@pytest.mark.server
def test_context_survives_a_restart(tmp_path):
    with running_assistant(tmp_path, RASA_PORT + 1, ACTION_PORT + 1) as first:
        before, _ = send(first["url"], "restart-check", "青岛居民医保多少钱")
        assert "462" in _text(before)
    # same tracker store, new processes: the follow-up is still answered in context (青岛)
    with running_assistant(tmp_path, RASA_PORT + 1, ACTION_PORT + 1) as second:
        after, _ = send(second["url"], "restart-check", "那大学生呢")
        assert "150" in _text(after) and "青岛" in _text(after)
