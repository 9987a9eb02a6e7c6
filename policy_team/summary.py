"""The weekly figures of a date range: a Chinese table, a PNG chart and plain JSON.

Every conversation counts except serve.sh's warm-up; the staff console's sessions count too
(they are callers' questions, typed for them). A question
counts towards a topic when its intent is a policy topic's (the assistant's button labels,
plus the FAQs in topics.yml); per region it counts where the conversation's region was known.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import pathlib
import warnings

import yaml

from policy_kb.answering.tables import render
from policy_kb.data import vocabulary
from policy_team.decisions import LABELS, Decision
from policy_team.trackers import FALLBACK_INTENT, Turn
from policy_team.unplaced import Group, handed_off

TOP_GROUPS = 10
OTHER_TOPIC = "其他（寒暄、超出范围、没听懂等）"
CJK_FONT_NAMES = ("Noto Sans CJK", "Noto Serif CJK", "WenQuanYi", "Source Han Sans", "SimHei")
logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Summary:
    start: dt.date
    end: dt.date
    conversations: int
    messages: int
    topics: list[tuple[str, int]]
    regions: list[tuple[str, int]]
    fallbacks: int
    handoffs: int
    unplaced: int
    groups: list[Group]  # the most frequent unplaced groups, at most TOP_GROUPS

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.messages if self.messages else 0.0


def intent_labels(root: pathlib.Path) -> dict[str, str]:
    """Intent → label: each topic's button (built-in or an FAQ the team added), else its label,
    and the conversation's own intents."""
    topics = yaml.safe_load((root / "policy_kb/sources/topics.yml").read_text(encoding="utf-8"))
    asked = {
        t["intent"]: t.get("button") or t["label"]
        for t in topics.get("topics") or []
        if t.get("intent")
    }
    return {**vocabulary.other_intents(), **asked}


def summarise(
    turns: list[Turn], groups: list[Group], labels: dict[str, str], start, end
) -> Summary:
    topics = collections.Counter(labels.get(t.intent or "", OTHER_TOPIC) for t in turns)
    regions = collections.Counter(t.region or "未说明" for t in turns)
    fallbacks = sum(
        t.intent == FALLBACK_INTENT or "action_default_fallback" in t.actions for t in turns
    )
    return Summary(
        start=start,
        end=end,
        conversations=len({t.sender_id for t in turns}),
        messages=len(turns),
        topics=topics.most_common(),
        regions=regions.most_common(),
        fallbacks=fallbacks,
        handoffs=sum(handed_off(t) for t in turns),
        unplaced=sum(g.count for g in groups),
        groups=groups[:TOP_GROUPS],
    )


def table(summary: Summary, decided: dict[str, Decision]) -> str:
    """The summary as Chinese tables for the terminal."""
    head = [
        ["会话数", str(summary.conversations)],
        ["居民消息数", str(summary.messages)],
        ["回退（没听懂）", f"{summary.fallbacks}（回退率 {summary.fallback_rate:.1%}）"],
        ["要求人工", str(summary.handoffs)],
        ["未能解答的消息", str(summary.unplaced)],
    ]
    parts = [
        f"【{summary.start.isoformat()} 至 {summary.end.isoformat()} 对话汇总】",
        render(["指标", "数值"], head),
        "\n按问题类别：",
        render(["问题类别", "消息数"], [[k, str(v)] for k, v in summary.topics] or [["（无）", "0"]]),
        "\n按地区：",
        render(["地区", "消息数"], [[k, str(v)] for k, v in summary.regions] or [["（无）", "0"]]),
        f"\n最常见的未解答分组（前{TOP_GROUPS}）：",
        render(
            ["分组", "次数", "示例", "状态"],
            [[g.id, str(g.count), g.messages()[0], status(g.id, decided)] for g in summary.groups]
            or [["（无）", "0", "", ""]],
            [8, 6, 40, 8],
        ),
    ]
    return "\n".join(parts)


def status(group_id: str, decided: dict[str, Decision]) -> str:
    return LABELS[decided[group_id].decision] if group_id in decided else "待处理"


def as_json(summary: Summary, decided: dict[str, Decision]) -> dict:
    """Plain values for the staff console (messages already masked)."""
    return {
        "from": summary.start.isoformat(),
        "to": summary.end.isoformat(),
        "conversations": summary.conversations,
        "messages": summary.messages,
        "fallbacks": summary.fallbacks,
        "fallback_rate": round(summary.fallback_rate, 4),
        "handoffs": summary.handoffs,
        "unplaced": summary.unplaced,
        "topics": [{"label": k, "count": v} for k, v in summary.topics],
        "regions": [{"region": k, "count": v} for k, v in summary.regions],
        "groups": [
            {
                "id": g.id,
                "count": g.count,
                "examples": g.messages()[:3],
                "regions": [r for r, _ in g.regions()],
                "status": status(g.id, decided),
            }
            for g in summary.groups
        ],
    }


def cjk_font() -> str | None:
    """The name of an installed CJK font (fonts-noto-cjk; `make browser` installs it)."""
    from matplotlib import font_manager

    found = _cjk_in(font_manager.fontManager)
    if found is None:
        # fonts installed after matplotlib cached its font list (make browser on a used
        # machine) are not in the cache: add the system's CJK files to this process's list
        for path in font_manager.findSystemFonts():
            if "CJK" in pathlib.Path(path).name:
                font_manager.fontManager.addfont(path)
        found = _cjk_in(font_manager.fontManager)
    return found


def _cjk_in(manager) -> str | None:
    for name in CJK_FONT_NAMES:
        for font in manager.ttflist:
            if font.name.startswith(name):
                return font.name
    return None


def chart(summary: Summary, path: pathlib.Path) -> str | None:
    """Draws the summary as a PNG; returns a warning when no CJK font was found."""
    with warnings.catch_warnings():  # matplotlib 3.5's pyparsing deprecation chatter
        warnings.simplefilter("ignore")
        return _draw(summary, path)


def _draw(summary: Summary, path: pathlib.Path) -> str | None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot as plt

    font = cjk_font()
    warning = None
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    else:
        warning = "没有找到中文字体（fonts-noto-cjk，可用 make browser 安装）：图中的中文可能显示为方框。"
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    fig, axes = plt.subplots(1, 3, figsize=(16, 6), gridspec_kw={"width_ratios": [3, 2, 3]})
    _bars(axes[0], summary.topics[:12], "按问题类别（消息数）")
    _bars(axes[1], summary.regions, "按地区（消息数）")
    _bars(
        axes[2], [(f"{g.id} {g.messages()[0][:12]}", g.count) for g in summary.groups], "未解答分组（前10）"
    )
    fig.suptitle(
        f"{summary.start.isoformat()} 至 {summary.end.isoformat()}：会话 {summary.conversations}，"
        f"消息 {summary.messages}，回退率 {summary.fallback_rate:.1%}，要求人工 {summary.handoffs}"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return warning


def _bars(axis, items: list[tuple[str, int]], title: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_title(title)
    if not items:
        axis.text(0.5, 0.5, "（无）", ha="center", va="center")
        axis.set_axis_off()
        return
    labels, counts = zip(*reversed(items))
    axis.barh(range(len(counts)), counts, color="#07c160")
    axis.set_yticks(range(len(labels)))
    axis.set_yticklabels(labels)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 ticks
    for y, count in enumerate(counts):
        axis.text(count, y, f" {count}", va="center")
