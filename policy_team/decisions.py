"""The policy team's review decisions, in SQLite: one row per group, never two.

Kept in ``data/review.db`` by default: beside the tracker store's ``data/trackers/``, out of
git, and outside ``build/``, which holds only what can be rebuilt (``make clean`` deletes it;
decisions cannot be rebuilt). A shared path (``--decisions`` or ``$REVIEW_DB``) lets several
officers share one file. A decision is taken inside an exclusive transaction
(``BEGIN IMMEDIATE``), so two officers deciding the same group at once are serialised and
the second one is told who decided it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import pathlib
import sqlite3

from policy_team.trackers import CHINA

DEFAULT_PATH = pathlib.Path("data") / "review.db"
PATH_ENV = "REVIEW_DB"
SCHEMA = """
create table if not exists decisions (
    group_id text primary key,
    anchor text not null,        -- the group's first message, masked and normalised
    decision text not null check (decision in ('accepted', 'rejected')),
    intent text,                 -- accepted: the intent the examples went to
    examples integer not null default 0,
    officer text not null,
    note text,
    decided_at text not null
)
"""
LABELS = {"accepted": "已采纳", "rejected": "已拒绝"}


class AlreadyDecided(Exception):
    """Another officer (or an earlier review) decided this group."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.group_id)
        self.decision = decision

    def __str__(self) -> str:
        d = self.decision
        what = LABELS[d.decision] + (f"（意图 {d.intent}）" if d.intent else "")
        return f"分组 {d.group_id} 已由 {d.officer} 于 {d.decided_at} 处理：{what}。"


@dataclasses.dataclass(frozen=True)
class Decision:
    group_id: str
    anchor: str
    decision: str
    intent: str | None
    examples: int
    officer: str
    note: str | None
    decided_at: str


def resolve_path(root: pathlib.Path, path: str | None = None) -> pathlib.Path:
    chosen = pathlib.Path(path or os.environ.get(PATH_ENV) or DEFAULT_PATH)
    return chosen if chosen.is_absolute() else root / chosen


def officer_name(name: str | None = None) -> str:
    return name or os.environ.get("REVIEW_OFFICER") or os.environ.get("USER") or "政策团队"


class Decisions:
    """The decisions file; created on first use."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self._db.execute(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def all(self) -> dict[str, Decision]:
        rows = self._db.execute(f"select {_COLUMNS} from decisions").fetchall()
        return {row[0]: Decision(*row) for row in rows}

    def anchors(self) -> dict[str, str]:
        """Group id → anchor of every decided group (the seeds of later groupings)."""
        return dict(self._db.execute("select group_id, anchor from decisions").fetchall())

    @contextlib.contextmanager
    def deciding(self, group_id: str):
        """Holds the file's write lock while a decision is taken; raises AlreadyDecided.

        The block calls ``record`` (kept) or returns without it (nothing stored).
        """
        self._db.execute("begin immediate")
        try:
            row = self._db.execute(
                f"select {_COLUMNS} from decisions where group_id = ?", (group_id,)
            ).fetchone()
            if row:
                raise AlreadyDecided(Decision(*row))
            yield self
            self._db.execute("commit")
        except BaseException:
            self._db.execute("rollback")
            raise

    def record(self, group_id: str, anchor: str, decision: str, officer: str, **details) -> None:
        now = dt.datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")  # Beijing time, as the dates
        self._db.execute(
            "insert into decisions (group_id, anchor, decision, intent, examples, officer, note,"
            " decided_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                group_id,
                anchor,
                decision,
                details.get("intent"),
                details.get("examples", 0),
                officer,
                details.get("note"),
                now,
            ),
        )


_COLUMNS = "group_id, anchor, decision, intent, examples, officer, note, decided_at"


def open_read_only(path: pathlib.Path) -> dict[str, Decision]:
    """The decisions without creating the file (the staff console only reads them)."""
    if not path.exists():
        return {}
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            rows = db.execute(f"select {_COLUMNS} from decisions").fetchall()
        except sqlite3.OperationalError:  # a file without the table yet
            return {}
    return {row[0]: Decision(*row) for row in rows}
