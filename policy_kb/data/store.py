"""Building the SQLite knowledge base from the source files (sqlite-utils, FTS5 over jieba).

Tables:
    documents   one row per cited policy document of a region-year (title and short name)
    facts       one row per fact; primary key "<year>/<region>/<key>"; value is JSON
    citations   one row per (fact, quoted sentence) with file, title and clause
    aliases     every name residents use for a region or district → region id, district id
    topics      topic id → Chinese label, query keywords, the FAQ intent that asks it
    meta        the digest of the sources the database was built from
    facts_fts   FTS5 index over facts.search_text (jieba tokens separated by spaces)

The database is rebuilt whenever the digest of the sources changes; the build writes to a
temporary file and renames it, so readers never see a half-built database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import pathlib
import tempfile

import sqlite_utils

from policy_kb.data.search import search_tokens
from policy_kb.data.sources import SOURCES_DIR, SourceSet, load_sources, validate

logger = logging.getLogger(__name__)

DEFAULT_DB = pathlib.Path(
    os.environ.get("POLICY_KB_DB", SOURCES_DIR.parent.parent / "build" / "policy_kb.db")
)


class SourceError(ValueError):
    """The source files have problems; the message lists them."""


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def build(db_path: pathlib.Path = DEFAULT_DB, sources_dir: pathlib.Path = SOURCES_DIR) -> SourceSet:
    """Validates the sources and writes a fresh database to ``db_path``."""
    source = load_sources(sources_dir)
    problems = validate(source, pathlib.Path(sources_dir).parent / "seeds")
    if problems:
        raise SourceError("policy_kb sources have problems:\n" + "\n".join(problems))
    db_path = pathlib.Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=db_path.parent, suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite_utils.Database(tmp_name)
        _write(db, source)
        db.close()
        os.replace(tmp_name, db_path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    logger.info("built %s from sources %s", db_path, source.digest[:12])
    return source


def _write(db: sqlite_utils.Database, source: SourceSet) -> None:
    labels = {t["id"]: t["label"] for t in source.topics}
    db["topics"].insert_all(
        (
            {
                "id": t["id"],
                "label": t["label"],
                "keywords": _dumps(t.get("keywords", [])),
                "intent": t.get("intent"),
                # how the topic is asked and answered (vocabulary.Topic's other fields)
                "spec": _dumps(
                    {k: v for k, v in t.items() if k not in ("id", "label", "keywords")}
                ),
            }
            for t in source.topics
        ),
        pk="id",
        columns={"intent": str, "spec": str},
    )
    alias_rows = {}
    for region in source.regions:
        for alias in [region["id"], region["name"], *region.get("aliases", [])]:
            alias_rows[alias.lower()] = {
                "alias": alias.lower(),
                "region": region["id"],
                "district": None,
            }
        for district in region.get("districts", []):
            for alias in [district["id"], *district.get("aliases", [])]:
                alias_rows[alias.lower()] = {
                    "alias": alias.lower(),
                    "region": region["id"],
                    "district": district["id"],
                }
    db["aliases"].insert_all(alias_rows.values(), pk="alias")
    db["regions"].insert_all(({"id": r["id"], "name": r["name"]} for r in source.regions), pk="id")

    for data in source.region_files:
        region, year = data["region"], data["year"]
        docs = {d["id"]: d for d in data.get("documents", [])}
        db["documents"].insert_all(
            (
                {
                    "id": f"{year}/{region}/{d['id']}",
                    "region": region,
                    "year": year,
                    "doc": d["id"],
                    "file": d["file"],
                    "title": d["title"],
                    "short": d.get("short", ""),
                    "issuer": d.get("issuer", ""),
                    "date": str(d.get("date", "")),
                }
                for d in docs.values()
            ),
            pk="id",
        )
        for fact in data.get("facts", []):
            fact_id = f"{year}/{region}/{fact['key']}"
            search_text = " ".join(
                search_tokens(
                    " ".join(
                        [region, labels.get(fact["topic"], ""), fact["question"], fact["answer"]]
                    )
                )
            )
            db["facts"].insert(
                {
                    "id": fact_id,
                    "year": year,
                    "region": region,
                    "key": fact["key"],
                    "topic": fact["topic"],
                    "scheme": fact["scheme"],
                    "district": fact.get("district"),
                    "status": fact.get("status", "verified"),
                    "question": fact["question"],
                    "answer": fact["answer"],
                    "value": _dumps(fact.get("value")),
                    "note": fact.get("note", ""),
                    "search_text": search_text,
                },
                pk="id",
            )
            db["citations"].insert_all(
                (
                    {
                        "fact_id": fact_id,
                        "doc": f"{year}/{region}/{src['doc']}",
                        "file": docs[src["doc"]]["file"],
                        "title": docs[src["doc"]]["title"],
                        "clause": src["clause"],
                        "quote": str(src["quote"]).strip(),
                        "position": n,
                    }
                    for n, src in enumerate(fact["sources"])
                ),
            )
    db["citations"].create_index(["fact_id"])
    db["facts"].create_index(["year", "region", "topic"])
    db["facts"].enable_fts(["search_text"], fts_version="FTS5", tokenize="unicode61")
    db["meta"].insert({"key": "digest", "value": _stamp(source.digest)}, pk="key")


# Bumped when the tables change shape, so a database built by older code is rebuilt too.
SCHEMA_VERSION = 2


def _stamp(digest: str) -> str:
    return f"v{SCHEMA_VERSION}:{digest}"


def stored_digest(db_path: pathlib.Path) -> str | None:
    """The digest a database was built from, or None when it is missing or unreadable."""
    if not pathlib.Path(db_path).is_file():
        return None
    try:
        db = sqlite_utils.Database(db_path)
        row = db.execute("select value from meta where key = 'digest'").fetchone()
        db.close()
    except Exception:  # a corrupt or foreign file is rebuilt, not trusted
        return None
    return row[0] if row else None


def ensure_built(
    db_path: pathlib.Path = DEFAULT_DB, sources_dir: pathlib.Path = SOURCES_DIR
) -> None:
    """Builds the database unless it was built from exactly the current sources."""
    current = _stamp(load_sources(sources_dir).digest)
    if stored_digest(db_path) != current:
        build(db_path, sources_dir)
