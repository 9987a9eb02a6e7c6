"""Measured performance fixes to Rasa 3.6, applied by ``apply()`` (bot/serving/runtime.py, Rasa's
command line, applies them before it runs: ``python -m bot.serving.runtime run ...``).

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

3. A turn's cost grew with the conversation session: a resident's 31st-40th messages took about
twice as long as the first ten (cProfile, tests/tools/profile_turns.py, per turn 1-10 -> 31-40:
RulePolicy's ``past_states`` 7 -> 28 ms, the SQL tracker store's ``retrieve`` 6 -> 19 ms,
``applied_events`` 3 -> 17 ms, the tracker's JSON for each action call 2 -> 7 ms), because every
turn loads, replays, featurises and sends every event since the session started, and a session
lasts 12 hours. The fix starts a new session, with Rasa's own ``action_session_start`` (slots
carried over), once a session holds ``SESSION_MAX_TURNS`` messages and no form is active. The
tracker store then reads only the new session (its query starts at the latest
``session_started``), so every per-turn cost is bounded. Context is kept: the rules look at the
latest message and the active form only, and the actions read the slots and the latest message.

4. ``action_session_start`` carries over every ``SlotSet`` of the old session, not only the
slots' latest values, so the carried events would pile up session after session. The fix carries
one ``SlotSet`` per slot: its latest, with its metadata; the slots end up with the same values.

5. The SQL tracker store finds the latest session with a subquery (``max(timestamp)`` of the
sender's ``session_started`` events) joined to the sender's events. PostgreSQL, whose statistics
say a sender has a row or so (a new table, or many senders), plans it as a nested loop that
recomputes the maximum for every event of the sender: 8 -> 141 ms of SQL per turn from turns
1-10 to 31-40 (profile_turns with a PostgreSQL tracker store), 100 ms for one read of a
600-event conversation (``EXPLAIN ANALYZE``; 0.4 ms once ``ANALYZE`` has run). The fix asks for
the maximum first, then for the events from it on: the same rows, two index scans, any dialect.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

# Messages per session before the next one starts a new session (slots carried over). The
# rules need one turn of history; eight turns keep per-turn work near a new conversation's.
SESSION_MAX_TURNS = 8

_original_resolve_by_type = Event.resolve_by_type
_original_has_session_expired = MessageProcessor._has_session_expired
_original_slot_set_events = ActionSessionStart._slot_set_events_from_tracker
_original_event_query = SQLTrackerStore._event_query
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


def turns_in_session(tracker) -> int:
    """User messages since the latest session start (all of them when there is none)."""
    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


def _has_session_expired(self, tracker) -> bool:
    if _original_has_session_expired(self, tracker):
        return True
    # a new session only where nothing but the slots carries context: slots carried over
    # and no form waiting for an answer
    return (
        self.domain.session_config.carry_over_slots
        and tracker.active_loop_name is None
        and turns_in_session(tracker) >= SESSION_MAX_TURNS
    )


def _slot_set_events_from_tracker(tracker) -> list:
    latest = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            latest.pop(event.key, None)  # re-inserted last: the slots are set in the same order
            latest[event.key] = event
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in latest.values()]


def _event_query(self, session, sender_id, fetch_events_from_all_sessions):
    events = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
    if not fetch_events_from_all_sessions:
        session_start = (
            session.query(sa.func.max(self.SQLEvent.timestamp))
            .filter(
                self.SQLEvent.sender_id == sender_id,
                self.SQLEvent.type_name == SessionStarted.type_name,
            )
            .scalar()
        )
        if session_start is not None:  # else all events, as Rasa does
            events = events.filter(self.SQLEvent.timestamp >= session_start)
    return events.order_by(self.SQLEvent.id)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    MessageProcessor._has_session_expired = _has_session_expired
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(_slot_set_events_from_tracker)
    SQLTrackerStore._event_query = _event_query
