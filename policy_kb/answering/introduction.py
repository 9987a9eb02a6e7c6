"""What the assistant covers, said to residents: in greetings, welcomes and "not covered" replies.

Rendered from the knowledge base, so a new policy year or region changes every welcome at once.
"""

from __future__ import annotations

from policy_kb.data import vocabulary
from policy_kb.data.kb import KnowledgeBase


def places(kb: KnowledgeBase, districts: bool = False) -> str:
    """青岛市、威海市、枣庄市山亭区 (with districts: 青岛市（含各区市）、…)."""
    with_districts = {r["id"] for r in vocabulary.regions() if r.get("districts")}
    names = [
        name + ("（含各区市）" if districts and region in with_districts else "")
        for region, name in kb.regions.items()
    ]
    return "、".join(names)


def years(kb: KnowledgeBase) -> str:
    """2024年度 (or 2024年度、2025年度)."""
    return "、".join(f"{y}年度" for y in kb.years)


def scope(kb: KnowledgeBase, districts: bool = False) -> str:
    """青岛市、威海市、枣庄市山亭区2024年度居民养老保险和居民医保."""
    return places(kb, districts) + years(kb) + vocabulary.scheme("both").name


def part_of_hint(place: str) -> str:
    """ "枣庄市只覆盖山亭区。" for a place in a city of which only one district is covered."""
    for region in vocabulary.regions():
        city = region.get("part_of") or {}
        if city and any(a in place for a in city.get("aliases") or [city.get("name")]):
            return f"{city['name']}只覆盖{region['name'].removeprefix(city['name'])}。"
    return ""


def examples(kb: KnowledgeBase, topics: tuple[str, ...], each: int = 1) -> list[str]:
    """Questions residents ask (topics.yml ``examples``): ``each`` per topic, in order."""
    return [e for t in topics for e in kb.topic(t).examples[:each]]


def quoted(texts: list[str]) -> str:
    """“威海医保二档交多少”“青岛养老怎么交”."""
    return "".join(f"“{t}”" for t in texts)
