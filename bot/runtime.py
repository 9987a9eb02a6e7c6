"""Rasa's command line with one measured performance fix: ``python -m bot.runtime run ...``.

Rasa 3.6 validates every action server response with ``jsonschema.validate``, which first
re-validates the (constant) response schema against the JSON Schema meta-schema. With the
pinned jsonschema 4.17 that costs about 30 ms per custom action call, more than everything
else in a turn (profiled with cProfile: ``RemoteAction._validate_action_result``). The fix
builds the validator once and keeps validating every response against the same schema.
"""

from __future__ import annotations

import functools
import sys

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
