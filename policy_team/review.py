"""The review of the residents' messages the assistant could not place, by group: a library
that returns values (``policy-team review`` in policy_team.cli prints them; the staff console's
review panel reads them).

The command's examples::

    policy-team review                         # the last 7 days, open groups
    policy-team review --from 2024-09-02 --to 2024-09-08 --all
    policy-team review --group G1a2b3c         # every message of one group, numbered
    policy-team review --accept G1a2b3c --intent ask_amount [--pick 1,3] [--dry-run]
    policy-team review --reject G1a2b3c --note 广告
    policy-team review --summary [--chart 周报.png]

Reads the tracker store the assistant writes (bot/endpoints.yml, $ENDPOINTS, or a SQLAlchemy
URL in --tracker-db / $TRACKER_DB_URL, e.g. postgresql://postgres@127.0.0.1:5432/rasa).
Accepting goes through add-examples and every guard it has; nothing is written unless all
picked messages pass. Decided groups (accepted or rejected) are left out of later reviews.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib

import sqlalchemy as sa

from policy_team import decisions as dec
from policy_team import summary as summ
from policy_team import trackers, unplaced
from policy_team.project import Project

DEFAULT_DAYS = 7


@dataclasses.dataclass
class Review:
    """Everything one review works on."""

    start: dt.date
    end: dt.date
    turns: list[trackers.Turn]
    groups: list[unplaced.Group]
    decisions: dec.Decisions

    def find(self, group_id: str) -> unplaced.Group | None:
        wanted = group_id.strip().upper()
        return next((g for g in self.groups if g.id.upper() == wanted), None)


class ReviewError(Exception):
    """A problem to tell the officer in Chinese (no stack trace)."""


def date_range(start: str | None, end: str | None, days: int = DEFAULT_DAYS):
    try:
        last = dt.date.fromisoformat(end) if end else dt.datetime.now(trackers.CHINA).date()
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=days - 1)
    except ValueError:
        raise ReviewError(f"日期格式不对：请写成 {dt.date.today()} 这样的年-月-日。") from None
    if first > last:
        raise ReviewError(f"开始日期 {first} 晚于结束日期 {last}。")
    return first, last


def engine_for(project: Project, url: str | None, endpoints: str | None) -> sa.engine.Engine:
    try:
        resolved = trackers.resolve_url(project.root, url, endpoints)
    except (OSError, ValueError) as error:
        raise ReviewError(f"找不到对话数据库：{error}") from None
    parsed = sa.engine.make_url(str(resolved))
    if parsed.get_backend_name() == "sqlite" and not pathlib.Path(parsed.database).exists():
        raise ReviewError(f"还没有对话记录：{parsed.database} 不存在（助手还没有收到过消息？）。")
    return sa.create_engine(resolved)


def not_stated_facts(project: Project) -> set[str]:
    """Ids of the facts that say the documents are silent (answers from them are unplaced)."""
    from policy_kb import KnowledgeBase

    try:
        kb = KnowledgeBase.open(project.root / "build" / "policy_kb.db", project.sources_dir)
    except Exception:  # a broken source file is validate's business, not the review's
        return set()
    try:
        return {f.id for f in kb.all_facts() if f.status == "not_stated"}
    finally:
        kb.close()


# Channels whose questions are not residents': the hotline staff console (an operator typing a
# caller's question, or keywords) is kept in the tracker store but left out of the review.
STAFF_CHANNELS = ("console",)
STAFF_SENDER_PREFIXES = (
    "console-",
)  # the console's conversation ids, for events without a channel


def residents(turns: list[trackers.Turn]) -> list[trackers.Turn]:
    """The turns residents sent (staff channels filtered out, nothing deleted)."""
    return [
        t
        for t in turns
        if t.channel not in STAFF_CHANNELS and not t.sender_id.startswith(STAFF_SENDER_PREFIXES)
    ]


def load(
    project: Project,
    date_from: str | None = None,
    date_to: str | None = None,
    days: int = DEFAULT_DAYS,
    tracker_db: str | None = None,
    endpoints: str | None = None,
    decisions: str | None = None,
    threshold: float | None = None,
) -> Review:
    start, end = date_range(date_from, date_to, days)
    engine = engine_for(project, tracker_db, endpoints)
    try:
        turns = residents(trackers.read_turns(engine, start, end))
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        where = trackers.describe(engine.url)
        raise ReviewError(f"读不了对话数据库 {where}：{reason}") from None
    finally:
        engine.dispose()
    store = dec.Decisions(dec.resolve_path(project.root, decisions))
    threshold = threshold or unplaced.fallback_threshold(project.root)
    groups = unplaced.unplaced_groups(turns, threshold, not_stated_facts(project), store.anchors())
    return Review(start, end, turns, groups, store)


def group_lines(group: unplaced.Group, decided: dict, every: bool = False) -> list[str]:
    """One group as the officer reads it: counts, regions, reasons, the classifier's guesses and
    the messages (numbered for --pick; the first few unless ``every``)."""
    regions = "、".join(f"{r} {n}" for r, n in group.regions())
    lines = [
        f"【分组 {group.id}】{group.count}次 · 地区：{regions} · "
        f"{group.first_date()} 至 {group.last_date()} · {summ.status(group.id, decided)}"
    ]
    why = "、".join(f"{unplaced.REASONS[r]} {n}" for r, n in group.reasons.most_common())
    lines.append(f"  原因：{why}")
    top = "、".join(f"{name} {conf:.0%}" for name, conf in group.top_intents())
    lines.append(f"  分类器前三：{top or '（无）'}")
    counts = {text: sum(t.text == text for t in group.turns) for text in group.messages()}
    shown = group.messages() if every else group.messages()[: unplaced.SHOWN_EXAMPLES]
    for number, text in enumerate(shown, 1):
        lines.append(f"  {number}. {text}（{counts[text]}次）")
    hidden = len(counts) - len(shown)
    if hidden > 0:
        lines.append(f"  ……另有{hidden}种说法：policy-team review --group {group.id}")
    return lines


def listing(review: Review, show_all: bool = False) -> list[str]:
    """The review's open groups (every group with ``show_all``), a heading first."""
    decided = review.decisions.all()
    groups = [g for g in review.groups if show_all or g.id not in decided]
    closed = sum(g.id in decided for g in review.groups)
    total = sum(g.count for g in review.groups)
    lines = [
        f"【{review.start} 至 {review.end}】居民消息 {len(review.turns)} 条，未能解答 {total} 条，"
        f"分成 {len(review.groups)} 组；列出 {len(groups)} 组"
        + (f"（已处理的 {closed} 组不再列出，加 --all 显示）" if closed and not show_all else "")
        + "。"
    ]
    for group in groups:
        lines += ["", *group_lines(group, decided)]
    if groups:
        lines.append("\n采纳：policy-team review --accept 分组 --intent 意图 [--pick 1,2]；")
        lines.append("拒绝（确实超出范围、广告等）：policy-team review --reject 分组 --note 理由")
    return lines


def shown_group(review: Review, group_id: str) -> list[str]:
    """Every message of one group, numbered."""
    group = review.find(group_id)
    if group is None:
        raise ReviewError(f"这个日期范围里没有分组 {group_id}。")
    return group_lines(group, review.decisions.all(), every=True)


def picked(group: unplaced.Group, pick: str | None) -> list[str]:
    messages = group.messages()
    if not pick:
        return messages
    try:
        numbers = [int(n) for n in pick.replace("，", ",").split(",") if n.strip()]
    except ValueError:
        raise ReviewError("--pick 要写消息的序号，用逗号隔开，例如 --pick 1,3。") from None
    wrong = [n for n in numbers if not 1 <= n <= len(messages)]
    if wrong or not numbers:
        raise ReviewError(f"分组 {group.id} 只有 {len(messages)} 种说法，序号 {wrong} 不存在。")
    return [messages[n - 1] for n in dict.fromkeys(numbers)]


def reject(review: Review, group_id: str, officer: str | None, note: str | None):
    """Records an open group as rejected; the group."""
    group = open_group(review, group_id)
    with review.decisions.deciding(group.id) as store:
        store.record(group.id, group.anchor, "rejected", dec.officer_name(officer), note=note)
    return group


def open_group(review: Review, group_id: str) -> unplaced.Group:
    group = review.find(group_id)
    if group is None:
        raise ReviewError(f"这个日期范围里没有分组 {group_id}：先运行 policy-team review 看分组编号。")
    return group


@dataclasses.dataclass
class SummaryReport:
    """The weekly summary: its table, where the chart was written, and a warning about it."""

    table: str
    chart: pathlib.Path
    warning: str | None


def summary_report(review: Review, project: Project, chart: str | None = None) -> SummaryReport:
    labels = summ.intent_labels(project.root)
    summary = summ.summarise(review.turns, review.groups, labels, review.start, review.end)
    table = summ.table(summary, review.decisions.all())
    path = pathlib.Path(chart or f"reports/review/summary_{review.start}_{review.end}.png")
    path = path if path.is_absolute() else project.root / path
    return SummaryReport(table, path, summ.chart(summary, path))
