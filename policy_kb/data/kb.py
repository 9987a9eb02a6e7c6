"""The knowledge base's public read API: facts, citations, places, topics and search."""

from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
import sqlite3
from typing import Any

from policy_kb.data import store, vocabulary
from policy_kb.data.search import search_tokens
from policy_kb.data.sources import SOURCES_DIR
from policy_kb.data.vocabulary import Topic
from policy_kb.text.normalize import normalize_text


@dataclasses.dataclass(frozen=True)
class Citation:
    """Where a fact comes from: the seed file, the document title, the clause and the quote."""

    file: str
    title: str
    clause: str
    quote: str


def source_line(sources) -> str:
    """来源：《title》clause、clause；《title》clause — every cited document once, its clauses in
    order. The one source-line renderer: facts, calculator results and composed answers.
    ``sources`` are citations, or facts and results (their citations, in order)."""
    by_title: dict[str, list[str]] = {}
    for cite in _citations(sources):
        clauses = by_title.setdefault(cite.title, [])
        if cite.clause not in clauses:
            clauses.append(cite.clause)
    return "来源：" + "；".join(f"《{t}》{'、'.join(c)}" for t, c in by_title.items())


def _citations(sources):
    for source in sources:
        yield from [source] if isinstance(source, Citation) else source.citations


@dataclasses.dataclass(frozen=True)
class Fact:
    """One fact of one region and policy year, with its citations."""

    key: str
    region: str
    year: int
    topic: str
    scheme: str
    status: str
    question: str
    answer: str
    value: Any
    note: str
    citations: tuple[Citation, ...]
    district: str | None = None

    @property
    def id(self) -> str:
        """The fact's primary key in the database: ``<year>/<region>/<key>``."""
        return f"{self.year}/{self.region}/{self.key}"


@dataclasses.dataclass(frozen=True)
class Place:
    """A covered region, optionally narrowed to one of its districts."""

    region: str
    name: str
    district: str | None = None


class KnowledgeBase:
    """Read access to the built SQLite knowledge base.

    Facts are few (dozens per region-year), so they are loaded once into memory; full-text
    search runs on the SQLite FTS5 index.
    """

    def __init__(self, db_path: pathlib.Path):
        self.db_path = pathlib.Path(db_path)
        self._conn = sqlite3.connect(str(self.db_path), check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._facts: dict[str, Fact] = {}
        self._load()

    @classmethod
    def open(
        cls, db_path: pathlib.Path | None = None, sources_dir: pathlib.Path = SOURCES_DIR
    ) -> KnowledgeBase:
        """Opens the knowledge base, building it first when the sources changed."""
        db_path = pathlib.Path(db_path or store.DEFAULT_DB)
        store.ensure_built(db_path, sources_dir)
        return cls(db_path)

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        cites: dict[str, list[Citation]] = {}
        for row in self._conn.execute(
            "select fact_id, file, title, clause, quote from citations order by fact_id, position"
        ):
            cites.setdefault(row["fact_id"], []).append(
                Citation(row["file"], row["title"], row["clause"], row["quote"])
            )
        for row in self._conn.execute("select * from facts"):
            self._facts[row["id"]] = Fact(
                key=row["key"],
                region=row["region"],
                year=row["year"],
                topic=row["topic"],
                scheme=row["scheme"],
                status=row["status"],
                question=row["question"],
                answer=row["answer"],
                value=json.loads(row["value"]),
                note=row["note"] or "",
                citations=tuple(cites.get(row["id"], ())),
                district=row["district"],
            )
        self._regions = {r["id"]: r["name"] for r in self._conn.execute("select * from regions")}
        self._aliases = sorted(
            (
                (r["alias"], r["region"], r["district"])
                for r in self._conn.execute("select * from aliases")
            ),
            key=lambda a: -len(a[0]),
        )
        self._topic_specs = {
            r["id"]: Topic.from_source(
                {
                    "id": r["id"],
                    "label": r["label"],
                    "keywords": json.loads(r["keywords"]),
                    **json.loads(r["spec"] or "{}"),
                }
            )
            for r in self._conn.execute("select * from topics")
        }
        self._topic_intents = {t.intent: t.id for t in self._topic_specs.values() if t.intent}
        self._schemes = {s.id: (s.label, list(s.keywords)) for s in vocabulary.schemes().values()}
        self.years = sorted({f.year for f in self._facts.values()})
        self.default_year = self.years[-1] if self.years else None
        # A region's figures for a new year may arrive before the others': each region
        # answers from its own latest year unless a year is asked for.
        self._region_years: dict[str, list[int]] = {}
        for fact in self._facts.values():
            years = self._region_years.setdefault(fact.region, [])
            if fact.year not in years:
                years.append(fact.year)
                years.sort()

    # ------------------------------------------------------------------ places and words
    @property
    def regions(self) -> dict[str, str]:
        """Region id → official name, e.g. {"山亭": "枣庄市山亭区"}."""
        return dict(self._regions)

    def region_name(self, region: str) -> str:
        return self._regions.get(region, region)

    @property
    def aliases(self) -> list[tuple[str, str, str | None]]:
        """(alias, region, district) for every name residents use, longest alias first."""
        return list(self._aliases)

    @property
    def schemes(self) -> dict[str, tuple[str, list[str]]]:
        """Scheme id → (Chinese label, the words residents use for it)."""
        return dict(self._schemes)

    def resolve_place(self, text: str) -> Place | None:
        """The covered place named in a text (longest alias wins), or None."""
        text = normalize_text(text).lower()
        for alias, region, district in self._aliases:
            if alias in text:
                return Place(region, self._regions[region], district)
        return None

    def topic_intents(self) -> dict[str, str]:
        """Intent → the topic it asks about: the built-in ask_* intents and the FAQs the policy
        team added (topics.yml ``intent``)."""
        return dict(self._topic_intents)

    def topic(self, topic: str) -> Topic:
        """A topic and how it is asked and answered; an unknown id is a topic of its own."""
        return self._topic_specs.get(topic) or Topic(topic, topic)

    @property
    def topics(self) -> list[Topic]:
        """Every topic, in topics.yml order."""
        return list(self._topic_specs.values())

    def topic_label(self, topic: str) -> str:
        return self.topic(topic).label

    def scheme_label(self, scheme: str) -> str:
        return vocabulary.scheme(scheme).label

    def detect_topic(self, text: str) -> str | None:
        """The topic whose keyword appears in the text (earlier topics win ties)."""
        topics = self.detect_topics(text)
        return topics[0] if topics else None

    def detect_topics(self, text: str) -> list[str]:
        """Every topic with a keyword in the text, in topics.yml order."""
        text = normalize_text(text).lower()
        return [
            topic
            for topic, spec in self._topic_specs.items()
            if any(str(k).lower() in text for k in spec.keywords)
        ]

    def detect_scheme(self, text: str) -> str | None:
        text = normalize_text(text).lower()
        found = [s for s, (_, words) in self._schemes.items() if any(w in text for w in words)]
        return found[0] if len(found) == 1 else None

    # ------------------------------------------------------------------ facts
    def region_years(self, region: str) -> list[int]:
        """The policy years the knowledge base holds for a region, oldest first."""
        return list(self._region_years.get(region, []))

    def year_for(self, region: str | None, year: int | None = None) -> int | None:
        """``year`` when given, else the region's latest year (the overall latest without one)."""
        if year:
            return year
        years = self._region_years.get(region or "")
        return years[-1] if years else self.default_year

    def fact(self, region: str, key: str, year: int | None = None) -> Fact | None:
        return self._facts.get(f"{self.year_for(region, year)}/{region}/{key}")

    def facts(
        self,
        region: str | None = None,
        year: int | None = None,
        topic: str | None = None,
        scheme: str | None = None,
    ) -> list[Fact]:
        """Facts filtered by region, year (default: each region's latest), topic and scheme.

        A scheme filter keeps facts for that scheme and facts for both schemes.
        """
        out = []
        for fact in self._facts.values():
            if region and fact.region != region:
                continue
            if fact.year != self.year_for(fact.region, year):
                continue
            if topic and fact.topic != topic:
                continue
            if scheme and fact.scheme not in (scheme, "both"):
                continue
            out.append(fact)
        return out

    def lowest_pension_tier(self, region: str | None = None) -> int | None:
        """The smallest pension tier (``pension.tiers`` value ``lowest``) of a region, or of all
        regions' latest years: an amount of at least this much names a pension tier, which is
        how a bare "500" or "交300的" is told from a medical question (一档 / 二档 are names)."""
        regions = [region] if region else list(self._regions)
        lowest = [
            fact.value["lowest"]
            for fact in (self.fact(r, "pension.tiers") for r in regions)
            if fact is not None and fact.value and "lowest" in fact.value
        ]
        return min(lowest) if lowest else None

    def short_names(self) -> dict[str, str]:
        """Every cited document's title → its short name (the source tag residents see)."""
        rows = self._conn.execute("select title, short from documents")
        return {r["title"]: r["short"] or r["title"] for r in rows}

    def documents(self, region: str, year: int | None = None) -> list[dict]:
        """The documents cited for a region-year (title, file, issuer, date)."""
        rows = self._conn.execute(
            "select * from documents where region = ? and year = ? order by id",
            (region, self.year_for(region, year)),
        )
        return [dict(r) for r in rows]

    def fact_by_id(self, fact_id: str) -> Fact | None:
        """A fact by its ``<year>/<region>/<key>`` id (as the assistant reports it)."""
        return self._facts.get(fact_id)

    def all_facts(self) -> list[Fact]:
        return list(self._facts.values())

    def search(
        self, query: str, region: str | None = None, year: int | None = None, limit: int = 5
    ) -> list[Fact]:
        """Full-text search (jieba tokens, FTS5 bm25), best first."""
        tokens = [t for t in search_tokens(query) if t]
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in dict.fromkeys(tokens))
        sql = (
            "select facts.id from facts_fts join facts on facts.rowid = facts_fts.rowid "
            "where facts_fts match ?"
        )
        args: list[Any] = [match]
        if region:
            sql += " and facts.region = ?"
            args.append(region)
        sql += " order by bm25(facts_fts)"
        try:
            rows = self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            return []
        found = [self._facts[r[0]] for r in rows]
        return [f for f in found if f.year == self.year_for(f.region, year)][:limit]

    def hotlines(
        self,
        region: str,
        scheme: str | None = None,
        district: str | None = None,
        year: int | None = None,
    ) -> list[Fact]:
        """The hotline facts that answer "whom do I call" for a place and scheme.

        A district with its own verified office number gets that first; a district without one
        gets the explanation of the unpaired annex numbers, then the city-level channels.
        """
        facts = [f for f in self.facts(region, year, topic="hotline", scheme=scheme)]
        office = [f for f in facts if f.district]
        general = [f for f in facts if not f.district and f.status != "unverified"]
        unpaired = [f for f in facts if f.status == "unverified"]
        result = []
        if district:
            mine = [f for f in office if f.district == district]
            result += mine or (unpaired if scheme != "pension" else [])
        return result + general


@functools.lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The process's one knowledge base (the action server's, the Rasa server's channels'),
    opened once: opening checks the sources' digest and builds the database if needed."""
    return KnowledgeBase.open()
