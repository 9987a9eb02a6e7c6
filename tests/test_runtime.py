"""The runtime fixes keep Rasa's behaviour: same event classes, same validation errors, same
slots and context in sessions of bounded length, same events read from the SQL tracker store."""

import asyncio
import pathlib
import time
import types
import uuid

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.serving import rasa_patches as runtime

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


# ------------------------------------------------ sessions of bounded length (runtime fix 3, 4)


DOMAIN = Domain.load(pathlib.Path(__file__).parent.parent / "bot" / "domain")


def _tracker(turns: int, *extra, started: float | None = None) -> DialogueStateTracker:
    """A session of `turns` user messages, each setting the region, then `extra` events."""
    started = time.time() if started is None else started
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    for n in range(turns):
        events += [
            UserUttered(f"问题{n}", timestamp=started + n),
            SlotSet("region", ("青岛", "威海")[n % 2]),
            ActionExecuted("action_answer"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events("r1", events + list(extra), DOMAIN.slots)


def _processor(domain=DOMAIN):
    return types.SimpleNamespace(domain=domain)


def test_a_session_ends_after_its_maximum_number_of_messages():
    runtime.apply()
    limit = runtime.SESSION_MAX_TURNS
    assert DOMAIN.session_config.carry_over_slots  # what makes a new session keep the context
    assert runtime.turns_in_session(_tracker(limit - 1)) == limit - 1
    assert not runtime._has_session_expired(_processor(), _tracker(limit - 1))
    assert runtime._has_session_expired(_processor(), _tracker(limit))
    # only the messages since the latest session start count
    later = _tracker(limit, SessionStarted(), UserUttered("又一个问题"))
    assert runtime.turns_in_session(later) == 1
    assert not runtime._has_session_expired(_processor(), later)


def test_no_new_session_while_a_form_waits_for_an_answer():
    runtime.apply()
    tracker = _tracker(runtime.SESSION_MAX_TURNS + 3, ActiveLoop("answer_form"))
    assert not runtime._has_session_expired(_processor(), tracker)
    tracker.update(ActiveLoop(None))
    assert runtime._has_session_expired(_processor(), tracker)


def test_no_new_session_when_slots_would_not_be_carried_over():
    runtime.apply()
    domain = Domain.from_dict(
        {**DOMAIN.as_dict(), "session_config": {"carry_over_slots_to_new_session": False}}
    )
    assert not runtime._has_session_expired(_processor(domain), _tracker(50))


def test_rasas_own_expiry_still_applies():
    runtime.apply()
    expired = _tracker(
        1, started=time.time() - 60 * (DOMAIN.session_config.session_expiration_time + 1)
    )
    assert runtime._has_session_expired(_processor(), expired)


def test_a_new_session_carries_each_slot_once_with_its_latest_value():
    runtime.apply()
    tracker = _tracker(12, SlotSet("topic", "tiers"), SlotSet("region", "山亭"))
    events = asyncio.run(ActionSessionStart().run(None, None, tracker, DOMAIN))
    carried = [e for e in events if isinstance(e, SlotSet)]
    assert [e.key for e in carried] == ["topic", "region"]  # in the order last set; not 13 regions
    rasas = runtime._original_slot_set_events(tracker)
    assert len(rasas) == 14

    def slots_after(slot_events):
        new = DialogueStateTracker.from_events("r1", [SessionStarted(), *slot_events], DOMAIN.slots)
        return new.current_slot_values()

    assert slots_after(carried) == slots_after(rasas) == tracker.current_slot_values()
    assert slots_after(carried)["region"] == "山亭"


# ------------------------------------- the SQL tracker store's read of the latest session (fix 5)


def _postgresql_store() -> SQLTrackerStore:
    import psycopg2

    try:  # Rasa's store retries for ever when the server does not answer: ask first
        psycopg2.connect(
            host="127.0.0.1", user="postgres", dbname="test", connect_timeout=3
        ).close()
    except psycopg2.OperationalError:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432 (database test): skipped")
    return SQLTrackerStore(
        DOMAIN, dialect="postgresql", host="127.0.0.1", username="postgres", db="test"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store(request, tmp_path):
    if request.param == "sqlite":
        store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "trackers.db"))
    else:
        store = _postgresql_store()
    yield store
    with store.session_scope() as session:  # leave nothing behind in the shared database
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id.like("runtime-%")).delete(
            synchronize_session=False
        )
        session.commit()


def _ids(store, sender: str, all_sessions: bool, query) -> list[int]:
    with store.session_scope() as session:
        return [e.id for e in query(store, session, sender, all_sessions).all()]


def _same_rows_as_rasa(store, sender: str) -> list[int]:
    for all_sessions in (False, True):
        ours = _ids(store, sender, all_sessions, runtime._event_query)
        assert ours == _ids(store, sender, all_sessions, runtime._original_event_query)
    return _ids(store, sender, False, runtime._event_query)


def test_the_sql_store_reads_the_same_events_as_rasa_and_only_the_latest_session(sql_store):
    runtime.apply()
    sender, started = f"runtime-{uuid.uuid4().hex[:8]}", time.time()
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered("没有会话开始", timestamp=started))  # no session: every event
    asyncio.run(sql_store.save(tracker))
    assert len(_same_rows_as_rasa(sql_store, sender)) == 1
    for session_no in range(3):
        at = started + 10 * (session_no + 1)
        tracker = asyncio.run(sql_store.retrieve(sender))  # as the processor does every turn
        for event in (
            SessionStarted(timestamp=at),
            SlotSet("region", ("青岛", "威海", "山亭")[session_no], timestamp=at),
            UserUttered(f"第{session_no}次", timestamp=at + 1),
        ):
            tracker.update(event)
        asyncio.run(sql_store.save(tracker))
        assert len(_same_rows_as_rasa(sql_store, sender)) == 3
    read = asyncio.run(sql_store.retrieve(sender))
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["第2次"]
    assert read.get_slot("region") == "山亭"
    full = asyncio.run(sql_store.retrieve_full_tracker(sender))
    assert len([e for e in full.events if isinstance(e, UserUttered)]) == 4
