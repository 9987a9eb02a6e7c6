"""Reading and validating the human-edited source files in ``policy_kb/sources/``.

Layout::

    sources/regions.yml          regions, districts and the names residents use for them
    sources/topics.yml           topic ids, Chinese labels, query keywords
    sources/<year>/<region>.yml  one file per region and policy year: documents and facts
    seeds/                       the policy texts the facts quote

Validation returns a list of problems (strings) instead of raising, so that the policy team's
check command can print all of them at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pathlib
import re
from typing import Any

import yaml

from policy_kb.data import vocabulary
from policy_kb.data.values import check_value
from policy_kb.text import paragraphs
from policy_kb.text.dates import parse_date
from policy_kb.text.normalize import compact, numbers_in

# policy_kb/, which holds sources/ and seeds/ beside this layer's folder
PACKAGE_DIR = pathlib.Path(__file__).resolve().parent.parent
SOURCES_DIR = vocabulary.SOURCES_DIR
SEEDS_DIR = PACKAGE_DIR / "seeds"

# a fact is about one scheme or both; how sure it is (sources/topics.yml)
SCHEMES = (*vocabulary.schemes(), "both")
STATUSES = tuple(vocabulary.statuses())
FACT_FIELDS = {
    "key",
    "topic",
    "scheme",
    "question",
    "answer",
    "value",
    "note",
    "sources",
    "status",
    "district",
    "derived",
}
REQUIRED_FACT_FIELDS = ("key", "topic", "scheme", "question", "answer", "sources")
# Facts every region-year must have, so that the core questions always get an answer
# (a not_stated fact counts: it says plainly that the document is silent).
REQUIRED_KEYS = (
    "collection_period",
    "pension.tiers",
    "pension.subsidy",
    "medical.personal",
    "medical.subsidy",
    "medical.government_pays",
    "hotline.pension",
    "hotline.medical",
    "hotline.payment",
)


FAQ_INTENT = re.compile(r"faq_[a-z][a-z0-9_]{1,40}")
# the intents of bot/domain/core.yml that ask a topic (tests check the two agree)
BUILT_IN_INTENT = re.compile(r"ask_[a-z][a-z0-9_]{1,40}")


@dataclasses.dataclass
class SourceSet:
    """Everything read from a sources directory, before it is built into SQLite."""

    regions: list[dict]
    topics: list[dict]
    schemes: list[dict]
    region_files: list[dict]  # one parsed <year>/<region>.yml each, with "_path" added
    digest: str


def _load_yaml(path: pathlib.Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_sources(sources_dir: pathlib.Path = SOURCES_DIR) -> SourceSet:
    """Reads all source files; the digest changes whenever any of them changes."""
    sources_dir = pathlib.Path(sources_dir)
    sha = hashlib.sha256()
    paths = sorted(p for p in sources_dir.rglob("*.yml") if p.is_file())
    for path in paths:
        sha.update(str(path.relative_to(sources_dir)).encode())
        sha.update(path.read_bytes())
    topics = _load_yaml(sources_dir / "topics.yml") or {}
    return SourceSet(
        regions=(_load_yaml(sources_dir / "regions.yml") or {}).get("regions", []),
        topics=topics.get("topics", []),
        schemes=topics.get("schemes", []),
        region_files=vocabulary.region_files(sources_dir),
        digest=sha.hexdigest(),
    )


def seed_text(file_name: str, seeds_dir: pathlib.Path = SEEDS_DIR) -> str | None:
    """The whitespace-free text of a seed file, or None when it does not exist."""
    path = pathlib.Path(seeds_dir) / file_name
    if not path.is_file():
        return None
    return compact(path.read_text(encoding="utf-8"))


def validate(source: SourceSet, seeds_dir: pathlib.Path = SEEDS_DIR) -> list[str]:
    """Checks the schema, the citations and the required facts; returns readable problems."""
    problems: list[str] = []
    region_ids = {r.get("id") for r in source.regions}
    topic_ids = {t.get("id") for t in source.topics}
    seeds: dict[str, str | None] = {}
    seen_region_years = set()
    for data in source.region_files:
        where = data.get("_path", "?")
        region, year = data.get("region"), data.get("year")
        if region not in region_ids:
            problems.append(f"{where}: region {region!r} is not in regions.yml")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            problems.append(f"{where}: year must be a four-digit number, got {year!r}")
        if (region, year) in seen_region_years:
            problems.append(f"{where}: a second file for {region} {year}")
        seen_region_years.add((region, year))
        docs = {}
        for doc in data.get("documents") or []:
            for field in ("id", "file", "title", "short"):
                if not doc.get(field):
                    problems.append(f"{where}: document without {field}: {doc}")
            docs[doc.get("id")] = doc
            if doc.get("file") not in seeds:
                seeds[doc.get("file")] = seed_text(doc.get("file", ""), seeds_dir)
            if seeds[doc.get("file")] is None:
                problems.append(f"{where}: seed file {doc.get('file')} not found in {seeds_dir}")
        keys = set()
        for fact in data.get("facts") or []:
            problems.extend(
                _validate_fact(where, fact, docs, seeds, topic_ids, year, keys, seeds_dir)
            )
        for key in REQUIRED_KEYS:
            if key not in keys:
                problems.append(f"{where}: required fact {key!r} is missing")
    # an FAQ is answered in every region's latest year, even if only to say the document is
    # silent (earlier years need not be filled in afterwards)
    for data in vocabulary.latest_files(source.region_files):
        answered = {fact.get("topic") for fact in data.get("facts") or []}
        for topic in source.topics:
            if FAQ_INTENT.fullmatch(str(topic.get("intent"))) and topic["id"] not in answered:
                problems.append(f"{data['_path']}: no fact answers the FAQ {topic['id']!r}")
    problems.extend(_validate_topics(source))
    problems.extend(_validate_short_names(source))
    return problems


SHORT_NAME_MAX = 6  # a source tag ("山亭方案 五（一）") must stay shorter than the answer's lead


def _validate_short_names(source: SourceSet) -> list[str]:
    """A document's short name (its source tag in a bubble) is brief and names one title of a
    policy year (next year's notice may keep this year's short name)."""
    problems, titles = [], {}
    for data in source.region_files:
        for doc in data.get("documents") or []:
            short = str(doc.get("short") or "")
            if len(short) > SHORT_NAME_MAX:
                problems.append(
                    f"{data.get('_path', '?')}: short name {short!r} of {doc.get('id')} is longer "
                    f"than {SHORT_NAME_MAX} characters"
                )
            key = (data.get("year"), short)
            if short and titles.setdefault(key, doc.get("title")) != doc.get("title"):
                problems.append(
                    f"{data.get('_path', '?')}: short name {short!r} of {doc.get('id')} already "
                    f"names 《{titles[key]}》"
                )
    return problems


def _validate_topics(source: SourceSet) -> list[str]:
    """Each topic's fields: known, intents well formed and unique, references resolvable."""
    problems = []
    ids = {t.get("id") for t in source.topics}
    schemes = {s.get("id") for s in source.schemes}
    intents: set[str] = set()
    for topic in source.topics:
        where = f"topics.yml: topic {topic.get('id')!r}"
        unknown = set(topic) - vocabulary.TOPIC_FIELDS
        if unknown:
            problems.append(f"{where}: unknown fields {sorted(unknown)}")
        intent = topic.get("intent")
        if intent is not None:
            if not (FAQ_INTENT.fullmatch(str(intent)) or BUILT_IN_INTENT.fullmatch(str(intent))):
                problems.append(
                    f"{where}: intent {intent!r} must look like faq_<id> (or ask_<name>)"
                )
            if intent in intents:
                problems.append(f"{where}: intent {intent!r} asks another topic too")
            intents.add(intent)
        for field in ("answered_by", "fallback"):
            for other in topic.get(field) or []:
                if other not in ids:
                    problems.append(f"{where}: {field} names {other!r}, which is not a topic")
        if topic.get("implies") is not None and topic["implies"] not in schemes:
            problems.append(f"{where}: implies {topic['implies']!r}, which is not a scheme")
    return problems


def _validate_fact(
    where, fact, docs, seeds, topic_ids, year, keys, seeds_dir=SEEDS_DIR
) -> list[str]:
    problems = []
    key = fact.get("key", "?")
    label = f"{where}: fact {key}"
    for field in REQUIRED_FACT_FIELDS:
        if not fact.get(field):
            problems.append(f"{label}: missing {field}")
    unknown = set(fact) - FACT_FIELDS
    if unknown:
        problems.append(f"{label}: unknown fields {sorted(unknown)}")
    if key in keys:
        problems.append(f"{label}: duplicate key")
    keys.add(key)
    if fact.get("topic") not in topic_ids:
        problems.append(f"{label}: topic {fact.get('topic')!r} is not in topics.yml")
    if fact.get("scheme") not in SCHEMES:
        problems.append(f"{label}: scheme must be one of {SCHEMES}")
    if fact.get("status", "verified") not in STATUSES:
        problems.append(f"{label}: status must be one of {STATUSES}")
    quotes = []
    for src in fact.get("sources") or []:
        doc = docs.get(src.get("doc"))
        if doc is None:
            problems.append(f"{label}: source doc {src.get('doc')!r} is not in documents")
            continue
        if not src.get("clause"):
            problems.append(f"{label}: source without clause")
        quote = compact(str(src.get("quote") or ""))
        if not quote:
            problems.append(f"{label}: source without quote")
            continue
        quotes.append(quote)
        text = seeds.get(doc.get("file"))
        if text is not None and quote not in text:
            problems.append(f"{label}: quote not found in {doc.get('file')}: {quote[:40]}…")
        # a press report's 报道第N段 is checked like the quote (policy_kb/text/paragraphs.py)
        elif text is not None:
            seed_path = str(pathlib.Path(seeds_dir) / str(doc.get("file")))
            wrong = paragraphs.citation_problem(src.get("clause"), quote, seed_path)
            if wrong:
                problems.append(f"{label}: {wrong}")
    # An answer may only state numbers its own quotes contain (or the policy year).
    allowed = "".join(quotes) + str(year)
    for number in numbers_in(fact.get("answer", "")):
        if number not in allowed:
            problems.append(f"{label}: answer states {number}, which no quote contains")
    # ...and so may its value, which is what the calculator reads.
    problems.extend(check_value(label, fact, quotes, year))
    return problems


def as_date(value: Any) -> dt.date | None:
    """YAML dates come back as date objects; ISO and Chinese strings are accepted too."""
    return parse_date(value)
