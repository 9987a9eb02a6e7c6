"""Keyword lookup: what a hotline operator types ("威海 医保 电话") → the facts that answer it.

The query is read for a place, a scheme and a topic (keywords from topics.yml); when no topic
keyword matches, full-text search picks the facts. Without a place, all regions answer.
"""

from __future__ import annotations

import dataclasses

from policy_kb.data.kb import Fact, KnowledgeBase, Place


@dataclasses.dataclass
class LookupResult:
    """Facts answering a query, with what was understood from it."""

    query: str
    place: Place | None
    scheme: str | None
    topic: str | None
    facts: list[Fact]
    regions: list[str]

    @property
    def found(self) -> bool:
        return bool(self.facts)


def lookup(kb: KnowledgeBase, query: str, year: int | None = None, limit: int = 6) -> LookupResult:
    """Answers a free-text or keyword query from the knowledge base."""
    place = kb.resolve_place(query)
    scheme = kb.detect_scheme(query)
    topics = kb.detect_topics(query)
    regions = [place.region] if place else list(kb.regions)
    facts: list[Fact] = []
    for region in regions:
        # "村里多收了钱找谁": Shanting's audit office answers; a region whose documents name
        # none gets the next topic the words point at (whom to call). Full-text search only
        # runs without any topic word: a topic a region is silent on finds nothing there.
        topic = next((t for t in topics if kb.facts(region, year, topic=t, scheme=scheme)), None)
        if topic == "hotline":
            facts += kb.hotlines(region, scheme, place.district if place else None, year)
        elif topic:
            facts += kb.facts(region, year, topic=topic, scheme=scheme)
        elif not topics:
            facts += kb.search(query, region=region, year=year, limit=2 if not place else limit)
    topic = topics[0] if topics else None
    return LookupResult(query, place, scheme, topic, facts[: limit * len(regions)], regions)
