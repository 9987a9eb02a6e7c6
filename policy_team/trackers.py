"""Residents' turns read from Rasa's SQL tracker store (SQLite or PostgreSQL) with SQLAlchemy.

Rasa's ``SQLTrackerStore`` keeps one row per event in the table ``events`` (``sender_id``,
``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data`` as JSON). A *turn* is
one user message with everything the assistant did until the next one: actions run, texts
said, slots set. Texts are masked again on reading (the channels mask on arrival; this also
covers conversations stored before that, or by another channel), so no personal number
leaves this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pathlib
import urllib.parse

import sqlalchemy as sa
import yaml

from policy_kb.text.personal_data import mask_personal_data

CHINA = dt.timezone(dt.timedelta(hours=8))  # dates are counted in Beijing time
FALLBACK_INTENT = "nlu_fallback"
# conversations that are not residents': serve.sh's warm-up message
IGNORED_SENDERS = ("__warmup__",)
URL_ENV = "TRACKER_DB_URL"

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


@dataclasses.dataclass
class Turn:
    """One resident message and the assistant's reaction to it."""

    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]]  # the classifier's intents, best first, no nlu_fallback
    region: str | None = None
    actions: list[str] = dataclasses.field(default_factory=list)
    utterances: list[str] = dataclasses.field(default_factory=list)
    fact_ids: list[str] = dataclasses.field(default_factory=list)
    slots: list[tuple[str, object]] = dataclasses.field(default_factory=list)
    out_of_scope_answer: bool = False  # action_answer refused another place or year
    handoff_reply: bool = False  # a reply marked as sending the resident to the human channels
    channel: str = ""  # the channel the message came in on (Rasa's input_channel)

    @property
    def date(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.timestamp, CHINA).date()


def url_from_endpoints(config: dict, root: pathlib.Path) -> sa.engine.URL | str:
    """The SQLAlchemy URL of an endpoints file's ``tracker_store`` (Rasa's keys and rules)."""
    store = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in config.items()}
    if str(store.get("type", "")).upper() != "SQL":
        raise ValueError(f"跟踪存储不是SQL类型（type: {store.get('type')}），无法读取。")
    dialect = store.get("dialect") or "sqlite"
    db = str(store.get("db") or "rasa.db")
    if dialect == "sqlite":
        path = pathlib.Path(db)
        return f"sqlite:///{path if path.is_absolute() else root / path}"
    host, port = store.get("url"), store.get("port")
    if host and "://" in str(host):
        return str(host)
    if host:  # "host:port" is allowed, as in Rasa
        parsed = urllib.parse.urlsplit(f"scheme://{host}")
        host, port = parsed.hostname or host, parsed.port or port
    return sa.engine.URL.create(
        drivername=dialect,
        username=store.get("username"),
        password=store.get("password"),
        host=host,
        port=int(port) if port else None,
        database=db,
        query=store.get("query") or {},
    )


def resolve_url(root: pathlib.Path, url: str | None = None, endpoints: str | None = None):
    """--tracker-db, else $TRACKER_DB_URL, else the endpoints file the assistant runs with."""
    url = url or os.environ.get(URL_ENV)
    if url:
        return url
    path = pathlib.Path(endpoints or os.environ.get("ENDPOINTS") or "bot/endpoints.yml")
    path = path if path.is_absolute() else root / path
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not config.get("tracker_store"):
        raise ValueError(f"{path} 里没有 tracker_store：助手的对话没有存进数据库。")
    return url_from_endpoints(config["tracker_store"], root)


def describe(url) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(str(url)).render_as_string(hide_password=True)


def day_bounds(start: dt.date, end: dt.date) -> tuple[float, float]:
    """Epoch seconds from the start of ``start`` to the end of ``end``, Beijing time."""
    first = dt.datetime.combine(start, dt.time(), CHINA)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CHINA)
    return first.timestamp(), after.timestamp()


def read_turns(engine: sa.engine.Engine, start: dt.date, end: dt.date) -> list[Turn]:
    """Every resident turn whose message arrived between ``start`` and ``end`` (inclusive)."""
    low, high = day_bounds(start, end)
    in_range = (
        sa.select(EVENTS.c.sender_id)
        .where(EVENTS.c.type_name == "user")
        .where(EVENTS.c.timestamp >= low, EVENTS.c.timestamp < high)
        .where(EVENTS.c.sender_id.notin_(IGNORED_SENDERS))
        .distinct()
    )
    # whole conversations: the region slot may have been set before the range began
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id.in_(in_range))
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    turns: list[Turn] = []
    with engine.connect() as connection:
        sender, region, current = None, None, None
        for row in connection.execute(query):
            if row.sender_id != sender:
                sender, region, current = row.sender_id, None, None
            event = _load(row.data)
            if row.type_name == "user":
                current = _turn(row.sender_id, row.timestamp, event, region)
                if low <= row.timestamp < high:
                    turns.append(current)
            elif row.type_name == "slot" and event.get("name") == "region":
                region = event.get("value") or region
                if current is not None and event.get("value"):
                    current.region = event["value"]
            elif current is not None:
                _add_reaction(current, row.type_name, event)
    return sorted(turns, key=lambda t: t.timestamp)


def _load(data) -> dict:
    try:
        return json.loads(data) if isinstance(data, str) else dict(data or {})
    except ValueError:
        return {}


def _turn(sender: str, timestamp: float, event: dict, region: str | None) -> Turn:
    parse = event.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    ranking = [
        (r["name"], float(r.get("confidence") or 0.0))
        for r in parse.get("intent_ranking") or []
        if r.get("name") and r["name"] != FALLBACK_INTENT
    ]
    named = [e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "region"]
    return Turn(
        sender_id=sender,
        timestamp=float(timestamp),
        text=mask_personal_data(event.get("text") or "") or "",
        intent=intent,
        confidence=ranking[0][1] if ranking else 0.0,
        ranking=ranking,
        region=named[0] if named else region,
        channel=str(event.get("input_channel") or ""),
    )


def _add_reaction(turn: Turn, kind: str, event: dict) -> None:
    if kind == "action" and event.get("name") not in (None, "action_listen"):
        turn.actions.append(event["name"])
    elif kind == "bot":
        turn.utterances.append(mask_personal_data(event.get("text") or "") or "")
        metadata = event.get("metadata") or {}
        data = event.get("data") or {}
        turn.fact_ids += list(metadata.get("fact_ids") or data.get("fact_ids") or [])
        turn.out_of_scope_answer |= bool(metadata.get("out_of_scope"))
        turn.handoff_reply |= bool(metadata.get("handoff"))
    elif kind == "slot":
        turn.slots.append((event.get("name"), event.get("value")))
