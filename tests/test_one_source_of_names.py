"""Region, scheme and year names live in policy_kb's sources, read through policy_kb.data.vocabulary.

The code is scanned as Python syntax (docstrings and comments are documentation: their examples
may name places), the domain, rules and web pages as text. A literal found here is a name typed
where a new region, a renamed scheme or next year's figures would not reach it.
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import yaml

from policy_kb.data import vocabulary

ROOT = pathlib.Path(__file__).resolve().parent.parent
CODE = sorted(
    p
    for folder in ("policy_kb", "actions", "bot", "policy_team")
    for p in (ROOT / folder).rglob("*.py")
    if p.name != "vocabulary.py"  # the one module that reads the names
)
TEXT = sorted(
    p
    for pattern in (
        "bot/domain/*.yml",
        "bot/data/*.yml",
        "bot/*.yml",
        "bot/serving/*.sh",
        "bot/web/*",
    )
    for p in ROOT.glob(pattern)
    if p.suffix in (".yml", ".sh", ".js", ".html", ".css")
)
# (file, literal): the justified exceptions, also listed in docs/knowledge_base.md
EXCEPTIONS: set[tuple[str, str]] = set()
YEAR = re.compile(r"(?<!\d)20[1-3]\d(?!\d)")


def place_names() -> list[str]:
    names = vocabulary.place_names()
    for region in vocabulary.regions():
        city = region.get("part_of") or {}
        names += [city.get("name", ""), *city.get("aliases", [])]
    # single letters and pinyin fragments are not names anyone would type into code
    return sorted({n for n in names if len(n) >= 2 and not n.isascii()}, key=len, reverse=True)


def scheme_names() -> list[str]:
    """Full names and labels (found inside any text) of the schemes and of both at once."""
    schemes = [*vocabulary.schemes(), "both"]
    names = {n for s in schemes for n in (vocabulary.scheme(s).label, vocabulary.scheme(s).name)}
    return sorted(names, key=len, reverse=True)


def short_names() -> set[str]:
    """Short names ("养老", "医保"): a problem as a whole string (a mapping's key), not in prose."""
    return {vocabulary.scheme(s).short for s in [*vocabulary.schemes(), "both"]}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def code_literals(path: pathlib.Path) -> list[tuple[int, object]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and id(node) not in skip
    ]


def findings(text: str) -> list[str]:
    found = [n for n in place_names() if n in text]
    found += [n for n in scheme_names() if n in text]
    found += YEAR.findall(text)
    return found


def _relative(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def problems_in_code(path: pathlib.Path) -> list[str]:
    rel = _relative(path)
    problems = []
    for line, value in code_literals(path):
        if isinstance(value, str):
            found = findings(value) + ([value] if value in short_names() else [])
        elif isinstance(value, int) and not isinstance(value, bool) and 2010 <= value <= 2039:
            found = [str(value)]
        else:
            found = []
        problems += [f"{rel}:{line}: {f}" for f in found if (rel, f) not in EXCEPTIONS]
    return problems


def problems_in_text(path: pathlib.Path) -> list[str]:
    rel = _relative(path)
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith(("#", "//", "*", "/*", "<!--")):
            continue  # comments document, with examples
        problems += [f"{rel}:{number}: {f}" for f in findings(line) if (rel, f) not in EXCEPTIONS]
    return problems


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_types_no_region_scheme_or_year(path):
    assert problems_in_code(path) == []


@pytest.mark.parametrize("path", TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_rules_and_pages_type_no_region_scheme_or_year(path):
    assert problems_in_text(path) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        # a region's name inside a reply
        ('x = f"{a}威海市的电话"', ["威海市", "威海"]),
        # a district
        ('x = "黄岛区"', ["黄岛区", "黄岛"]),
        # a scheme's full name inside prose
        ('x = "问居民医保吗"', ["居民医保"]),
        # a short name as a mapping key
        ('x = {"养老": "pension"}', ["养老"]),
        # a policy year as text and as a number
        ('x = "2024年度"', ["2024"]),
        ("x = date(2023, 12, 31)", ["2023"]),
        # a docstring's example is documentation
        ('def f():\n    """威海 2024"""', []),
        # prose with a short name, a century and a count are not names
        ('x = "养老保险选哪一档"; y = 2000; z = 2048', []),
    ],
)
def test_the_scan_finds_typed_names(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    found = [p.split(": ", 1)[1] for p in problems_in_code(path)]
    assert sorted(found) == sorted(expected)


# ---------------------------------------------------------------------- Rasa's copies of the names
# Rasa reads lookup tables and synonyms from its training data, so the names are written there
# again (with the Traditional forms and typos the classifier needs). They must agree with the
# sources: every canonical value is an id of the vocabulary, every name the KB knows is looked up.
NLU = ROOT / "nlu_data"


def _examples(block: dict) -> list[str]:
    return [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip()]


def nlu_lookup(name: str) -> set[str]:
    data = yaml.safe_load((NLU / "lookups" / f"{name}.yml").read_text(encoding="utf-8"))
    return {e for block in data["nlu"] for e in _examples(block)}


def nlu_synonyms() -> dict[str, list[str]]:
    data = yaml.safe_load((NLU / "synonyms.yml").read_text(encoding="utf-8"))
    return {block["synonym"]: _examples(block) for block in data["nlu"] if "synonym" in block}


def test_the_nlu_maps_places_to_the_vocabulary_ids_and_no_others():
    places = nlu_lookup("region") | nlu_lookup("district")
    ids = {r["id"] for r in vocabulary.regions()}
    ids |= {d["id"] for r in vocabulary.regions() for d in r.get("districts", [])}
    canonical = {value for value, names in nlu_synonyms().items() if set(names) & places}
    assert canonical == ids


def test_every_name_the_sources_give_a_place_is_looked_up_by_the_nlu():
    places = nlu_lookup("region") | nlu_lookup("district")
    missing = [n for n in vocabulary.place_names() if not n.isascii() and n not in places]
    assert missing == []


def test_each_nlu_synonym_of_a_place_names_the_place_the_knowledge_base_resolves():
    from policy_kb import KnowledgeBase

    kb = KnowledgeBase.open()
    wrong = []
    for value, names in nlu_synonyms().items():
        for name in names:
            place = kb.resolve_place(name)
            if place is not None and value not in (place.region, place.district):
                wrong.append(f"{name} → {value}, the KB says {place.district or place.region}")
    assert wrong == []


def test_the_nlu_maps_schemes_to_their_short_names():
    schemes = nlu_lookup("scheme")
    canonical = {value for value, names in nlu_synonyms().items() if set(names) & schemes}
    assert canonical == {s.short for s in vocabulary.schemes().values()}
    assert all(vocabulary.scheme_id(v) for v in canonical)


@pytest.mark.parametrize(
    "line, expected",
    [
        # a greeting that names the places and the year
        ('    - text: "可以回答威海市2024年度居民医保"', ["威海市", "威海", "2024", "居民医保"]),
        # a template filled in from the knowledge base
        ('    - text: "可以回答{scope}的问题"', []),
        # a comment documents, with examples
        ("# e.g. 威海 2024", []),
    ],
)
def test_the_text_scan_finds_typed_names_outside_comments(tmp_path, line, expected):
    path = tmp_path / "responses.yml"
    path.write_text(line + "\n", encoding="utf-8")
    found = [p.split(": ", 1)[1] for p in problems_in_text(path)]
    assert sorted(found) == sorted(expected)
