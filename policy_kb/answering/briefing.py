"""What a hotline operator reads aloud: a region's facts as tables, and facts as plain data.

The staff console (``bot/channels/console.py``) is a thin web layer over this module; the
tables are built from the knowledge base only, so they always match what the assistant says.
"""

from __future__ import annotations

from typing import Any

from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line

# (section title, topics): the order an operator works through a call
# what an amount in a fact's value is, by the fact's topic
AMOUNT_KINDS = {"tiers": "个人缴费", "subsidy": "财政补助", "hardship": "政府代缴"}
SECTIONS = (
    ("档次、补贴和困难群体", ("tiers", "subsidy", "hardship")),
    ("缴费时间和待遇", ("deadline", "benefit", "waiting")),
    ("缴费渠道", ("channels", "collector")),
    ("咨询电话", ("hotline",)),
)


def fact_data(fact: Fact, kb: KnowledgeBase) -> dict[str, Any]:
    """A fact as JSON-ready data, with every citation (document, clause, quoted sentence)."""
    return {
        "id": fact.id,
        "region": fact.region,
        "region_name": kb.region_name(fact.region),
        "year": fact.year,
        "key": fact.key,
        "topic": fact.topic,
        "topic_label": kb.topic_label(fact.topic),
        "scheme": fact.scheme,
        "scheme_label": vocabulary.scheme(fact.scheme).short,
        "status": fact.status,
        "status_label": vocabulary.statuses().get(fact.status, fact.status),
        "question": fact.question,
        "answer": fact.answer,
        "source_line": source_line([fact]),
        "citations": [
            {"title": c.title, "file": c.file, "clause": c.clause, "quote": c.quote}
            for c in fact.citations
        ],
    }


def _clauses(fact: Fact) -> str:
    return "、".join(dict.fromkeys(c.clause for c in fact.citations))


def amount_rows(facts: list[Fact]) -> list[list[str]]:
    """Every yearly amount the facts state, one row each: scheme, what, yuan, clause.

    Only amounts a fact's value holds as numbers are listed (tier lists and "label: amount"
    tables); everything else stays in the facts' own sentences.
    """
    rows = []
    for fact in facts:
        value = fact.value if isinstance(fact.value, dict) else {}
        label = AMOUNT_KINDS.get(fact.topic, fact.topic)
        if isinstance(value.get("tiers"), list):
            tiers = "、".join(str(t) for t in value["tiers"])
            rows.append([vocabulary.scheme(fact.scheme).short, "可选档次", tiers, _clauses(fact)])
        for name, amount in value.items():
            # Chinese keys name groups or tiers (一档, 低保, 居民); English keys are rule data
            if isinstance(amount, int) and not isinstance(amount, bool) and not name.isascii():
                rows.append(
                    [
                        vocabulary.scheme(fact.scheme).short,
                        f"{label}·{name}",
                        str(amount),
                        _clauses(fact),
                    ]
                )
    return rows


def briefing(kb: KnowledgeBase, region: str, year: int | None = None) -> list[dict[str, Any]]:
    """A region's facts as tables: amounts first, then one table per group of topics.

    Returns:
        Sections ``{"title", "headers", "rows", "fact_ids"}``; rows are lists of strings.
    """
    year = kb.year_for(region, year)
    sections = []
    money = [f for t in ("tiers", "subsidy", "hardship") for f in kb.facts(region, year, topic=t)]
    rows = amount_rows(money)
    if rows:
        sections.append(
            {
                "title": "金额一览（元/年）",
                "headers": ["险种", "项目", "金额（元）", "条款"],
                "rows": rows,
                "fact_ids": [f.id for f in money],
            }
        )
    for title, topics in SECTIONS:
        if topics == ("hotline",):
            facts = kb.hotlines(region, year=year) + [
                f for f in kb.facts(region, year, topic="hotline") if f.status == "unverified"
            ]
        else:
            facts = [f for t in topics for f in kb.facts(region, year, topic=t)]
        facts = list({f.id: f for f in facts}.values())
        if not facts:
            continue
        sections.append(
            {
                "title": title,
                "headers": ["险种", "事项", "答复", "条款"],
                "rows": [
                    [
                        vocabulary.scheme(f.scheme).short,
                        f.question,
                        f.answer + vocabulary.status_mark(f.status),
                        _clauses(f),
                    ]
                    for f in facts
                ],
                "fact_ids": [f.id for f in facts],
            }
        )
    return sections
