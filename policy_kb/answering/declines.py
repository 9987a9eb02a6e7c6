"""Questions the documents do not answer, and payments no document allows (issue 18, 4 and 5).

"威海医保一年最高能报多少" looks like a tiers question ("最高"), and "村里代办员让我把钱转到他个人
银行卡上" like a channel question ("村里"): answered from those topics' facts, they get a figure
or a 可以 the documents never gave. These are recognised first, from the words in
``sources/declines.yml``, whatever the classifier made of the message:

- a look-alike question (reimbursement, 起付线, pension received, employees' rates, lapses,
  refund times) is told the documents do not say it, who can, and what the documents do hold
  nearby, named as a different thing — never with that topic's figures;
- an unsafe payment (a private account, cash without a receipt, more than the standard, a
  verification code, "交得多报得多") is never told yes: the channels the documents name, that
  this is not one of them, and the supervision route or the office to ask.
"""

from __future__ import annotations

import functools
import re

import yaml

from policy_kb.answering import introduction
from policy_kb.answering.answers import Answer, unique
from policy_kb.answering.relevance import asked_first
from policy_kb.answering.render import (
    LEAD_MAX_CHARS,
    NOT_STATED_PHRASE,
    hotline_summary,
    phones_lead,
    short_answer,
)
from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.data.vocabulary import SOURCES_DIR
from policy_kb.reading.question import Question, words

# a fact's own yes/no lead ("可以。手机银行支持…"): not said again inside a refusal
_LEAD = re.compile(r"^(可以|能|不能|会|不会)[。，,]")


@functools.lru_cache(maxsize=1)
def rules() -> dict:
    """sources/declines.yml."""
    with open(SOURCES_DIR / "declines.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")


def _asks(clause: str) -> bool:
    return any(re.search(m, clause) for m in words()["question_marks"])


def _matches(entry: dict, text: str, typed: str = "") -> bool:
    # the clauses as typed: the spoken reader joins a transcript's pauses in ``text``
    clauses = [c for c in _CLAUSE.split(typed or text) if c]
    if entry.get("only_asked") and any(_asks(c) for c in clauses):
        # a message that asks something: the matching clause must be what it asks ("山亭
        # 基础养老金", asking nothing else, is asked by its keywords)
        return _matches_whole(entry, text) and any(
            _matches_whole(entry, c) and _asks(c) for c in clauses
        )
    if entry.get("unless_in_clause"):
        # "去北京看病能报吗 报销比例多少": 能报吗 spares its own clause, not the ratio asked next
        return any(_matches_whole(entry, c) for c in _CLAUSE.split(text) if c)
    return _matches_whole(entry, text)


def _matches_whole(entry: dict, text: str) -> bool:
    if any(u in text for u in entry.get("unless") or ()):
        return False
    return any(re.search(p, text) for p in entry["patterns"])


def unanswered_in(text: str, typed: str = "") -> list[dict]:
    """The look-alike questions a message asks (declines.yml ``unanswered``), in file order;
    ``typed``: the message as typed, its clauses apart."""
    return [e for e in rules()["unanswered"] if _matches(e, text.lower(), typed.lower())]


def unsafe_in(text: str) -> list[dict]:
    """The unsafe payments a message asks about (declines.yml ``safety``)."""
    return [e for e in rules()["safety"]["kinds"] if _matches(e, text.lower())]


def asked(question: Question) -> bool:
    """Whether the message is declined here (answered with no region named as well)."""
    return bool(unsafe_in(question.text) or unanswered_in(question.text, question.typed))


def _regions(kb: KnowledgeBase, question: Question) -> list[str]:
    return list(question.regions) or list(kb.regions)


def _offices(kb: KnowledgeBase, region: str, purposes: list[str]) -> tuple[str, list[Fact]]:
    """The region's hotline lines for these purposes, and the facts behind them."""
    facts = [f for f in kb.hotlines(region) if (f.value or {}).get("purpose") in purposes]
    return hotline_summary(kb, region, tuple(purposes)), facts


def _nearby(kb: KnowledgeBase, regions: list[str], topics: list[str]) -> str:
    """ "文件写了的相关内容（不是您问的）：待遇享受期、等待期" — named, never quoted."""
    held = [
        t
        for t in dict.fromkeys(topics)
        if any(f.status != "not_stated" for r in regions for f in kb.facts(r, topic=t))
    ]
    if not held:
        return ""
    labels = "、".join(kb.topic_label(t) for t in held)
    return f"（文件写了的相关内容，但不是您问的这件事：{labels}。需要的话可以直接问我。）"


def unanswered(kb: KnowledgeBase, question: Question) -> Answer | None:
    """The documents do not say this; who can; what they say nearby."""
    found = unanswered_in(question.text, question.typed)
    if not found:
        return None
    regions = _regions(kb, question)
    labels = "、".join(e["label"] for e in found)
    places = "、".join(kb.region_name(r) for r in regions)
    text = (
        f"{places}{introduction.years(kb)}的缴费文件只写了{vocabulary.scheme('both').name}怎么交费，"
        f"没有写{labels}，{NOT_STATED_PHRASE}，也不拿缴费档次的金额来代替回答。请向这里咨询："
    )
    purposes = list(dict.fromkeys(p for e in found for p in e["ask"]))
    blocks, facts = [text], []
    for region in regions:
        office, used = _offices(kb, region, purposes)
        blocks.append(office)
        facts += used
    nearby = _nearby(kb, regions, [t for e in found for t in e.get("nearby") or ()])
    return Answer("\n".join(b for b in blocks + [nearby] if b), unique(facts))


def _channels(kb: KnowledgeBase, region: str) -> tuple[str, list[Fact]]:
    """The payment channels the region's documents name, without a fact's own 可以 lead."""
    facts = [
        f
        for t in words()["channel_topics"]
        for f in kb.facts(region, topic=t)
        if f.status != "not_stated" and t == "channels"
    ]
    if not facts:
        return "", []
    text = "文件写明的缴费渠道：" + "".join(_LEAD.sub("", f.answer) for f in facts)
    return text + "\n" + source_line(facts), facts


def _route(kb: KnowledgeBase, region: str) -> tuple[str, list[Fact]]:
    """Where to report it: the documents' supervision facts, else the payment office."""
    spec = rules()["safety"]
    route = [
        f
        for t in spec["route_topics"]
        for f in kb.facts(region, topic=t)
        if f.status != "not_stated"
    ]
    if route:
        text = "文件写的提醒和监督：" + "".join(_LEAD.sub("", f.answer) for f in route)
        return text + "\n" + source_line(route), route
    office, used = _offices(kb, region, spec["ask"])
    return f"{kb.region_name(region)}的文件没有写投诉或监督的渠道，请向这里反映或咨询：\n" + office, used


# a fact's verdict before its rule ("不正常。山亭区方案明确：…"): the refusal has its own
_VERDICT = re.compile(r"^[^。，,]{1,4}[。，,]")


def _route_lead(kb: KnowledgeBase, region: str, found: list[dict], text: str, room: int) -> str:
    """Where to turn, in a few words for the lead: the route fact that fits the payment asked
    about ("多收钱": 审计局 supervises), else the office that takes payment questions."""
    spec = rules()["safety"]
    route = [
        f
        for t in spec["route_topics"]
        for f in kb.facts(region, topic=t)
        if f.status != "not_stated"
    ]
    if route:
        best = asked_first(kb, route, "".join(e["label"] for e in found) + text)[0]
        return short_answer(_VERDICT.sub("", best.answer), room) or ""
    phones = phones_lead(kb, [region], tuple(spec["ask"]))
    said = f"有疑问请咨询{phones}" if phones else ""
    return said if len(said) <= room else ""


def _standard(kb: KnowledgeBase, question: Question, found: list[dict]) -> tuple[str, list[Fact]]:
    """ "村里收了俺400 是不是多收了": the standard of the one region and scheme asked, to
    compare the charge with (declines.yml ``standard``)."""
    keys = [
        e["standard"][question.scheme] for e in found if question.scheme in e.get("standard", {})
    ]
    if len(question.regions) != 1 or not keys:
        return "", []
    fact = kb.fact(question.regions[0], keys[0])
    if not fact or fact.status == "not_stated":
        return "", []
    return f"文件写的缴费标准：{fact.answer}\n{source_line([fact])}", [fact]


def safety(kb: KnowledgeBase, question: Question) -> Answer | None:
    """Never yes: the documents' channels, that this is not one, and where to report it."""
    found = unsafe_in(question.text)
    if not found:
        return None
    lead = found[0]["lead"] + "".join(e["said"] for e in found)
    if len(question.regions) == 1:  # answer first: whom to turn to is part of the answer
        room = LEAD_MAX_CHARS - len(lead)
        lead += _route_lead(kb, question.regions[0], found, question.text, room)
    blocks, facts = [lead], []
    standard, used = _standard(kb, question, found)
    if standard:
        blocks.append(standard)
        facts += used
    named = bool(question.regions)
    for region in _regions(kb, question):
        channels, used = _channels(kb, region) if named else ("", [])
        route, routed = _route(kb, region)
        head = f"【{kb.region_name(region)} {kb.year_for(region)}年度】"
        if channels:
            blocks.append(head + channels + "\n" + route)
        else:
            blocks.append((head if routed and routed[0].topic != "hotline" else "") + route)
        facts += used + routed
    if not named:
        blocks.append("告诉我您在哪个地方交，我可以列出当地文件写明的缴费渠道。")
    return Answer("\n\n".join(blocks), unique(facts))
