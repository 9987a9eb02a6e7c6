"""Every name the assistant uses, read from the sources once: the one place code gets them.

- regions, districts and the names residents use for them (``sources/regions.yml``);
- the schemes with their names, short names and keywords, and the topics with how each is
  asked and answered (``sources/topics.yml``);
- the policy years the sources hold (``sources/<year>/``);
- how residents phrase questions (``sources/questions.yml``).

Nothing here is typed in Python: a region, a scheme's name or a year changes in the YAML.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
import re

import yaml

# the human-edited sources (policy_kb.data.sources reads and validates them; this module names)
SOURCES_DIR = pathlib.Path(__file__).resolve().parent.parent / "sources"


def _read(name: str) -> dict:
    with open(SOURCES_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@functools.lru_cache(maxsize=1)
def words() -> dict:
    """The question vocabulary (sources/questions.yml)."""
    return _read("questions.yml")


# ---------------------------------------------------------------------- schemes
@dataclasses.dataclass(frozen=True)
class Scheme:
    """A scheme (or both at once): the documents' label, the name answers use, the short name
    of headings and buttons (also the value the NLU's scheme entity takes), its keywords."""

    id: str
    label: str
    name: str
    short: str
    keywords: tuple[str, ...] = ()


def _scheme(id: str, data: dict) -> Scheme:
    label = str(data.get("label") or id)
    return Scheme(
        id=id,
        label=label,
        name=str(data.get("name") or label),
        short=str(data.get("short") or label),
        keywords=tuple(str(k) for k in data.get("keywords") or ()),
    )


@functools.lru_cache(maxsize=1)
def _schemes() -> dict[str, Scheme]:
    data = _read("topics.yml")
    schemes = {s["id"]: _scheme(s["id"], s) for s in data.get("schemes") or []}
    schemes["both"] = _scheme("both", data.get("both") or {})
    return schemes


def schemes() -> dict[str, Scheme]:
    """The schemes a fact or question can be about (pension, medical), in topics.yml order."""
    return {k: v for k, v in _schemes().items() if k != "both"}


def scheme(scheme_id: str) -> Scheme:
    """A scheme by id, "both" included; an unknown id is named by itself."""
    return _schemes().get(scheme_id) or Scheme(scheme_id, scheme_id, scheme_id, scheme_id)


def scheme_id(word: str | None) -> str | None:
    """The scheme a word names: its id, name, short name or a keyword ("养老", "医疗", "medical")."""
    if not word:
        return None
    word = str(word).strip().lower()
    for s in schemes().values():
        if word in {s.id, s.label, s.name, s.short.lower(), *(k.lower() for k in s.keywords)}:
            return s.id
    return None


def scheme_in(text: str) -> str | None:
    """The first scheme (topics.yml order) a text names by id, name, short name or keyword."""
    text = str(text).lower()
    for s in schemes().values():
        if any(w and w.lower() in text for w in (s.id, s.name, s.short, *s.keywords)):
            return s.id
    return None


# ---------------------------------------------------------------------- statuses
@functools.lru_cache(maxsize=1)
def statuses() -> dict[str, str]:
    """Status id → its label ("" for verified facts, which are not marked)."""
    return {
        str(s["id"]): str(s.get("label") or "") for s in _read("topics.yml").get("statuses") or ()
    }


def status_mark(status: str) -> str:
    """ "（文件未写明）" after a fact's topic, nothing for a verified fact."""
    label = statuses().get(status, status)
    return f"（{label}）" if label else ""


# ---------------------------------------------------------------------- topics
@dataclasses.dataclass(frozen=True)
class Topic:
    """A topic and how it is asked and answered (the fields are explained in topics.yml)."""

    id: str
    label: str
    keywords: tuple[str, ...] = ()
    intent: str | None = None
    button: str | None = None
    heading: str | None = None
    answered_by: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()
    fallback_keys: tuple[str, ...] = ()
    personal: bool = False
    asks_amount: bool = False
    whole: bool = False
    implies: str | None = None
    examples: tuple[str, ...] = ()

    @classmethod
    def from_source(cls, data: dict) -> Topic:
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {}
        for key, value in data.items():
            if key in known and value is not None:
                values[key] = tuple(str(v) for v in value) if isinstance(value, list) else value
        return cls(**values)

    @property
    def fact_topics(self) -> tuple[str, ...]:
        """The topics whose facts answer it."""
        return self.answered_by or (self.id,)

    @property
    def title(self) -> str:
        """How an answer names the topic."""
        return self.heading or self.label


TOPIC_FIELDS = frozenset(f.name for f in dataclasses.fields(Topic))


@functools.lru_cache(maxsize=1)
def other_intents() -> dict[str, str]:
    """Intents that ask no topic but are offered as choices → their buttons' titles."""
    return {str(k): str(v) for k, v in (_read("topics.yml").get("other_intents") or {}).items()}


@functools.lru_cache(maxsize=1)
def menu() -> tuple[tuple[str, str], ...]:
    """(topic, button title) of the default menu, in order (topics.yml ``menu``)."""
    return tuple((str(m["topic"]), str(m["title"])) for m in _read("topics.yml").get("menu") or ())


@functools.lru_cache(maxsize=1)
def topic_keywords() -> tuple[str, ...]:
    """Every topic's keywords (topics.yml ``topics``), in order, once."""
    topics = _read("topics.yml").get("topics") or {}
    entries = topics.values() if isinstance(topics, dict) else topics
    return tuple(dict.fromkeys(str(k) for t in entries for k in (t.get("keywords") or ())))


# ---------------------------------------------------------------------- regions and years
@functools.lru_cache(maxsize=1)
def regions() -> tuple[dict, ...]:
    """The regions of regions.yml, in order, with their districts and aliases."""
    return tuple(_read("regions.yml").get("regions") or ())


def place_names() -> list[str]:
    """Every name of a region or district residents may type (ids, official names, aliases)."""
    names: list[str] = []
    for region in regions():
        names += [region["id"], region["name"], *region.get("aliases", [])]
        for district in region.get("districts", []):
            names += [district["id"], *district.get("aliases", [])]
    return list(dict.fromkeys(str(n) for n in names))


def policy_years(sources_dir: pathlib.Path = SOURCES_DIR) -> list[int]:
    """The policy years the sources hold (their ``<year>/`` folders), oldest first."""
    return sorted(int(p.name) for p in pathlib.Path(sources_dir).iterdir() if p.name.isdigit())


def region_files(sources_dir: pathlib.Path = SOURCES_DIR) -> list[dict]:
    """Every region's file of every year (``sources/<year>/<region>.yml``), each with its
    ``_path`` relative to ``sources_dir``; policy_kb.data.sources validates them."""
    sources_dir = pathlib.Path(sources_dir)
    files = []
    for path in sorted(p for p in sources_dir.rglob("*.yml") if p.is_file()):
        if path.parent == sources_dir:
            continue
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        data["_path"] = str(path.relative_to(sources_dir))
        files.append(data)
    return files


def latest_files(region_files: list[dict]) -> list[dict]:
    """Each region's file of its latest policy year."""
    latest: dict[str, dict] = {}
    for data in region_files:
        region, year = data.get("region"), data.get("year")
        if isinstance(year, int) and year > latest.get(region, {}).get("year", 0):
            latest[region] = data
    return list(latest.values())


@functools.lru_cache(maxsize=16)
def latest_fact_values(key: str) -> tuple[dict, ...]:
    """A fact's ``value`` in every region's latest policy year, for readers that run before a
    region is known (the household reader: who is a minor, which number is a pension tier)."""
    values = []
    for data in latest_files(region_files(SOURCES_DIR)):
        for fact in data.get("facts") or []:
            if fact.get("key") == key and isinstance(fact.get("value"), dict):
                values.append(fact["value"])
    return tuple(values)


def medical_tiers() -> list[str]:
    """The adult medical tiers' names (``medical.personal`` ``adult_tiers``), e.g. 一档, 二档."""
    names = [t for v in latest_fact_values("medical.personal") for t in v.get("adult_tiers") or []]
    return list(dict.fromkeys(str(n) for n in names))


_TIER_WORD = re.compile(r"([一二三四五1-5])[档挡]")
_NUMERALS = "一二三四五"


def medical_tiers_in(text: str) -> list[str]:
    """Each medical tier a text names, in order: "1档", "一挡" → 一档 (pension tiers are amounts)."""
    found = []
    for numeral in _TIER_WORD.findall(text):
        name = (_NUMERALS[int(numeral) - 1] if numeral.isdigit() else numeral) + "档"
        if name in medical_tiers():
            found.append(name)
    return found


def latest_year() -> int:
    """The latest policy year the sources hold."""
    return policy_years()[-1]


def example_date(day: str = "3月10日") -> str:
    """A date in the latest policy year, to show how dates are written ("2024年3月10日")."""
    return f"{latest_year()}年{day}"


def keyword_examples() -> list[str]:
    """What a hotline operator types: a region, a scheme and a topic word ("威海 医保 电话")."""
    ids = [r["id"] for r in regions()]
    topics = {t["id"]: t for t in _read("topics.yml").get("topics") or []}
    pairs = (("medical", "hotline"), ("pension", "tiers"), ("medical", "tiers"))
    return [
        f"{ids[(n + 1) % len(ids)]} {scheme(s).short} {topics[t]['keywords'][0]}"
        for n, (s, t) in enumerate(pairs)
    ]
