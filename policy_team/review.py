"""``policy-team review``: the residents' messages the assistant could not place, by group.

Examples::

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
import sys

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


def load(project: Project, args) -> Review:
    start, end = date_range(args.date_from, args.date_to, args.days)
    engine = engine_for(project, args.tracker_db, args.endpoints)
    try:
        turns = residents(trackers.read_turns(engine, start, end))
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        where = trackers.describe(engine.url)
        raise ReviewError(f"读不了对话数据库 {where}：{reason}") from None
    finally:
        engine.dispose()
    store = dec.Decisions(dec.resolve_path(project.root, args.decisions))
    threshold = args.threshold or unplaced.fallback_threshold(project.root)
    groups = unplaced.unplaced_groups(turns, threshold, not_stated_facts(project), store.anchors())
    return Review(start, end, turns, groups, store)


def print_group(group: unplaced.Group, decided: dict, every: bool = False) -> None:
    regions = "、".join(f"{r} {n}" for r, n in group.regions())
    print(
        f"【分组 {group.id}】{group.count}次 · 地区：{regions} · "
        f"{group.first_date()} 至 {group.last_date()} · {summ.status(group.id, decided)}"
    )
    why = "、".join(f"{unplaced.REASONS[r]} {n}" for r, n in group.reasons.most_common())
    print(f"  原因：{why}")
    top = "、".join(f"{name} {conf:.0%}" for name, conf in group.top_intents())
    print(f"  分类器前三：{top or '（无）'}")
    counts = {text: sum(t.text == text for t in group.turns) for text in group.messages()}
    shown = group.messages() if every else group.messages()[: unplaced.SHOWN_EXAMPLES]
    for number, text in enumerate(shown, 1):
        print(f"  {number}. {text}（{counts[text]}次）")
    hidden = len(counts) - len(shown)
    if hidden > 0:
        print(f"  ……另有{hidden}种说法：policy-team review --group {group.id}")


def cmd_list(review: Review, args) -> int:
    decided = review.decisions.all()
    groups = [g for g in review.groups if args.all or g.id not in decided]
    closed = sum(g.id in decided for g in review.groups)
    total = sum(g.count for g in review.groups)
    print(
        f"【{review.start} 至 {review.end}】居民消息 {len(review.turns)} 条，未能解答 {total} 条，"
        f"分成 {len(review.groups)} 组；列出 {len(groups)} 组"
        + (f"（已处理的 {closed} 组不再列出，加 --all 显示）" if closed and not args.all else "")
        + "。"
    )
    for group in groups:
        print()
        print_group(group, decided)
    if groups:
        print("\n采纳：policy-team review --accept 分组 --intent 意图 [--pick 1,2]；")
        print("拒绝（确实超出范围、广告等）：policy-team review --reject 分组 --note 理由")
    return 0


def cmd_show(review: Review, args) -> int:
    group = review.find(args.group)
    if group is None:
        raise ReviewError(f"这个日期范围里没有分组 {args.group}。")
    print_group(group, review.decisions.all(), every=True)
    return 0


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


def cmd_accept(review: Review, args, project: Project) -> int:
    from policy_team.cli import add_examples_reporting

    if not args.intent:
        raise ReviewError("采纳时要用 --intent 指明这些说法属于哪个意图，例如 --intent ask_amount。")
    group = _open_group(review, args.accept)
    texts = picked(group, args.pick)
    print(f"分组 {group.id}：{len(texts)}句，交给 add-examples 检查（意图 {args.intent}）。\n")
    with review.decisions.deciding(group.id) as store:
        addition = add_examples_reporting(project, args.intent, texts, args.dry_run)
        if addition is None:
            return 2
        if not addition.ok:
            print(f"分组 {group.id} 仍待处理：可用 --pick 只选通过检查的说法。")
            return 1
        if args.dry_run:
            return 0
        store.record(
            group.id,
            group.anchor,
            "accepted",
            dec.officer_name(args.officer),
            intent=args.intent,
            examples=len(texts),
            note=args.note,
        )
    print(f"分组 {group.id} 已记为“已采纳”，以后的审阅不再列出。")
    return 0


def cmd_reject(review: Review, args) -> int:
    group = _open_group(review, args.reject)
    with review.decisions.deciding(group.id) as store:
        store.record(
            group.id, group.anchor, "rejected", dec.officer_name(args.officer), note=args.note
        )
    print(f"分组 {group.id}（{group.count}次）已记为“已拒绝”，以后的审阅不再列出。")
    return 0


def _open_group(review: Review, group_id: str) -> unplaced.Group:
    group = review.find(group_id)
    if group is None:
        raise ReviewError(f"这个日期范围里没有分组 {group_id}：先运行 policy-team review 看分组编号。")
    return group


def cmd_summary(review: Review, args, project: Project) -> int:
    labels = summ.intent_labels(project.root)
    summary = summ.summarise(review.turns, review.groups, labels, review.start, review.end)
    print(summ.table(summary, review.decisions.all()))
    path = pathlib.Path(args.chart or f"reports/review/summary_{review.start}_{review.end}.png")
    path = path if path.is_absolute() else project.root / path
    warning = summ.chart(summary, path)
    print(f"\n图表：{path.relative_to(project.root) if path.is_relative_to(project.root) else path}")
    if warning:
        print(warning)
    return 0


def run(args, project: Project) -> int:
    try:
        review = load(project, args)
        try:
            if args.accept:
                return cmd_accept(review, args, project)
            if args.reject:
                return cmd_reject(review, args)
            if args.group:
                return cmd_show(review, args)
            if args.summary:
                return cmd_summary(review, args, project)
            return cmd_list(review, args)
        finally:
            review.decisions.close()
    except (ReviewError, dec.AlreadyDecided) as error:
        print(error, file=sys.stderr)
        return 2


def add_parser(sub) -> None:
    p = sub.add_parser("review", help="审阅助手没能解答的居民消息：分组、采纳为例句、拒绝、周报")
    p.add_argument("--from", dest="date_from", help="开始日期，年-月-日（默认：最近7天）")
    p.add_argument("--to", dest="date_to", help="结束日期（含），默认今天")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS, help="没有 --from 时往前看几天")
    p.add_argument("--tracker-db", help="对话数据库的 SQLAlchemy 地址（默认按 bot/endpoints.yml）")
    p.add_argument("--endpoints", help="助手使用的 endpoints 文件（默认 $ENDPOINTS 或 bot/endpoints.yml）")
    p.add_argument("--threshold", type=float, help="置信度低于它算“没把握”（默认取 config.yml）")
    p.add_argument("--decisions", help="审阅记录文件（默认 data/review.db 或 $REVIEW_DB）")
    p.add_argument("--all", action="store_true", help="也列出已处理的分组")
    p.add_argument("--group", help="列出一个分组的全部说法（带序号）")
    p.add_argument("--accept", metavar="分组", help="把分组里的说法加为训练例句（经过 add-examples 的全部检查）")
    p.add_argument("--intent", help="采纳到哪个意图")
    p.add_argument("--pick", help="只采纳这些序号的说法，如 1,3")
    p.add_argument("--dry-run", action="store_true", help="采纳时只检查，不写入")
    p.add_argument("--reject", metavar="分组", help="拒绝一个分组（以后不再列出）")
    p.add_argument("--note", help="备注（拒绝的理由等）")
    p.add_argument("--officer", help="经办人（默认 $REVIEW_OFFICER 或登录名）")
    p.add_argument("--summary", action="store_true", help="汇总表和图表")
    p.add_argument("--chart", help="图表文件（默认 reports/review/summary_<开始>_<结束>.png）")
    p.set_defaults(func=run)
