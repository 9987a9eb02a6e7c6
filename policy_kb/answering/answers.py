"""The shape of a composed answer and the pieces every composer renders the same way."""

from __future__ import annotations

import dataclasses

from policy_kb.data.kb import Fact, KnowledgeBase


@dataclasses.dataclass
class Answer:
    """A reply and the facts behind it (the staff console shows them with their citations)."""

    text: str
    facts: list[Fact] = dataclasses.field(default_factory=list)
    # what the answer still needs from the resident (e.g. "tier", "members"), if anything
    missing: list[str] = dataclasses.field(default_factory=list)


def yuan(amounts: list[int]) -> str:
    """Amounts as a list read aloud: 500元、800元."""
    return "、".join(f"{a}元" for a in amounts)


def heading(kb: KnowledgeBase, region: str, scheme: str | None = None, what: str = "") -> str:
    """【威海市 2024年度 居民医保·家庭合计】"""
    label = kb.scheme_label(scheme) if scheme else ""
    tail = "·".join(t for t in (label, what) if t)
    return f"【{kb.region_name(region)} {kb.year_for(region)}年度{' ' + tail if tail else ''}】"


def unique(facts: list[Fact | None]) -> list[Fact]:
    out: list[Fact] = []
    for fact in facts:
        if fact is not None and fact not in out:
            out.append(fact)
    return out


def facts_naming(
    kb: KnowledgeBase, region: str, terms: list[str], scheme: str | None = None, year=None
) -> list[Fact]:
    """The region's stated facts whose answer names one of ``terms`` (e.g. 困难群体), so that a
    group question is never answered "the document says nothing" while a fact covers it."""
    return [
        f
        for f in kb.facts(region, year, scheme=scheme)
        if f.status != "not_stated" and any(t in f.answer for t in terms)
    ]


def adult_tiers(kb: KnowledgeBase, region: str | None = None) -> list[str]:
    """The adult medical tiers' names of a region (一档, 二档), or of any region; [] for a
    region with one standard (山亭)."""
    names: list[str] = []
    for r in [region] if region else list(kb.regions):
        fact = kb.fact(r, "medical.personal")
        for name in (fact.value or {}).get("adult_tiers", []) if fact else []:
            if name not in names:
                names.append(name)
    return names
