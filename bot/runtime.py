"""Rasa's command line with two measured performance fixes: ``python -m bot.runtime run ...``.

1. Rasa 3.6 validates every action server response with ``jsonschema.validate``, which first
re-validates the (constant) response schema against the JSON Schema meta-schema. With the
pinned jsonschema 4.17 that costs about 30 ms per custom action call, more than everything
else in a turn (profiled with cProfile: ``RemoteAction._validate_action_result``). The fix
builds the validator once and keeps validating every response against the same schema.

2. Every turn Rasa deserialises the whole tracker (from the tracker store and from the action
server's replies), and for each event ``Event.resolve_by_type`` walks all Event subclasses
with ``inspect.isabstract``: about 0.1 ms per event, 60 ms per turn in a 40-turn conversation
(cProfile: ``rasa.shared.utils.common.all_subclasses``). The fix looks the type up in a table
built from the same subclass list, rebuilt whenever a name is not found.
"""

from __future__ import annotations

import functools
import sys

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_original_resolve_by_type = Event.resolve_by_type
_event_types: dict = {}


@functools.lru_cache(maxsize=1)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every response
    return cls(schema)


def _validate_action_result(self, result):
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


def _resolve_by_type(type_name, default=None):
    found = _event_types.get(type_name)
    if found is None:
        # the first subclass with the name wins, as in Rasa's own loop
        _event_types.clear()
        for cls in reversed(all_subclasses(Event)):
            _event_types[cls.type_name] = cls
        found = _event_types.get(type_name)
    if found is not None:
        return found
    return _original_resolve_by_type(type_name, default)  # Rasa's own fallbacks and errors


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
