"""The policy team's review summary for the staff console, read-only.

The figures come from the very tracker store the running Rasa server writes: its SQLAlchemy
engine is taken from the agent, so SQLite and PostgreSQL work alike and nothing needs a second
configuration. Decisions are only read (``data/review.db``); deciding stays with the policy
team's command. Messages are masked by the tracker reader before they get here.
"""

from __future__ import annotations

import datetime as dt
import logging

from policy_team import decisions, summary, trackers, unplaced
from policy_team.project import PACKAGE_ROOT, Project
from policy_team.review import (
    DEFAULT_DAYS,
    ReviewError,
    date_range,
    not_stated_facts,
    residents,
)

logger = logging.getLogger(__name__)
ERRORS = {
    "no_store": "助手的对话没有存进SQL数据库（endpoints 里没有 SQL tracker_store），无法汇总。",
    "failure": "读取对话数据库失败，请稍后再试。",
}


def tracker_engine(app):
    """The SQLAlchemy engine of the agent's tracker store (through Rasa's wrappers), or None."""
    store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
    for _ in range(5):  # FailSafeTrackerStore / AwaitableTrackerStore wrap the real one
        if hasattr(store, "engine") or not hasattr(store, "_tracker_store"):
            break
        store = store._tracker_store
    return getattr(store, "engine", None)


def review_summary(engine, start: str | None, end: str | None) -> tuple[dict, int]:
    """(JSON body, HTTP status) of the summary of a date range (default: the last 7 days)."""
    if engine is None:
        return {"error": ERRORS["no_store"]}, 503
    try:
        first, last = date_range(start, end, DEFAULT_DAYS)
    except ReviewError as error:
        return {"error": str(error)}, 400
    if (last - first).days > 366:
        return {"error": "日期范围请不要超过一年。"}, 400
    project = Project(PACKAGE_ROOT)
    try:
        turns = residents(trackers.read_turns(engine, first, last))
    except Exception:  # a database that went away: the console says so, the log has why
        logger.exception("console: reading the tracker store for the review summary failed")
        return {"error": ERRORS["failure"]}, 503
    groups = unplaced.unplaced_groups(
        turns,
        unplaced.fallback_threshold(project.root),
        not_stated_facts(project),
        decisions_anchors(project),
    )
    result = summary.summarise(turns, groups, summary.intent_labels(project.root), first, last)
    decided = decisions.open_read_only(decisions.resolve_path(project.root))
    body = summary.as_json(result, decided)
    body["generated"] = dt.datetime.now(trackers.CHINA).strftime("%Y-%m-%d %H:%M")
    return body, 200


def decisions_anchors(project: Project) -> dict[str, str]:
    decided = decisions.open_read_only(decisions.resolve_path(project.root))
    return {d.group_id: d.anchor for d in decided.values()}
