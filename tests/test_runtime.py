"""The runtime fixes keep Rasa's behaviour: same event classes, same validation errors."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot import runtime

ORIGINAL = Event.resolve_by_type


def test_event_types_resolve_as_rasa_does():
    runtime.apply()
    for name in ("user", "slot", "action", "active_loop", "bot", "session_started"):
        assert Event.resolve_by_type(name) is ORIGINAL(name)
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    events = [UserUttered("你好"), ActionExecuted("action_listen"), SlotSet("region", "青岛")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_action_responses_are_still_validated():
    runtime.apply()
    action = RemoteAction("action_answer", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "好"}]})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list", "responses": []})
