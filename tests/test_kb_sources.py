"""The sources: schema, citations that really occur in the seeds, no invented numbers."""

import copy
import re

import pytest

from policy_kb.data.sources import REQUIRED_KEYS, SEEDS_DIR, load_sources, validate
from policy_kb.text.normalize import compact, numbers_in


def test_sources_validate_without_problems():
    assert validate(load_sources()) == []


def test_every_citation_quote_occurs_in_its_seed_file(kb):
    # Re-checked from the built database, independently of validate(): no fact can be invented.
    seeds = {p.name: compact(p.read_text(encoding="utf-8")) for p in SEEDS_DIR.glob("*.txt")}
    checked = 0
    for fact in kb.all_facts():
        assert fact.citations, f"{fact.region} {fact.key} has no citation"
        for cite in fact.citations:
            assert cite.file in seeds and cite.title and cite.clause
            assert compact(cite.quote) in seeds[cite.file], (fact.key, cite.quote)
            checked += 1
    assert checked >= 100


def test_answers_state_only_numbers_from_their_quotes(kb):
    for fact in kb.all_facts():
        quoted = "".join(compact(c.quote) for c in fact.citations) + str(fact.year)
        for number in numbers_in(fact.answer):
            assert number in quoted, (fact.region, fact.key, number)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        # a quote that is not in the seed text
        (
            lambda f: f["sources"][0].update(quote=f["sources"][0]["quote"] + "另有规定"),
            "quote not found",
        ),
        # an answer with a number no quote contains
        (lambda f: f.update(answer=f["answer"] + "另需缴纳99元。"), "answer states 99"),
        # a topic that does not exist
        (lambda f: f.update(topic="weather"), "topic 'weather'"),
        # a source without clause
        (lambda f: f["sources"][0].pop("clause"), "without clause"),
    ],
)
def test_validation_catches_broken_facts(mutate, expected):
    source = load_sources()
    broken = copy.deepcopy(source)
    mutate(broken.region_files[0]["facts"][0])
    assert any(expected in p for p in validate(broken))


def test_validation_requires_core_facts_per_region_year():
    source = copy.deepcopy(load_sources())
    facts = source.region_files[0]["facts"]
    source.region_files[0]["facts"] = [f for f in facts if f["key"] != "medical.personal"]
    assert any("required fact 'medical.personal'" in p for p in validate(source))
    assert "medical.personal" in REQUIRED_KEYS


def test_policy_year_is_part_of_every_key(kb):
    for fact in kb.all_facts():
        assert kb.fact(fact.region, fact.key, fact.year) is fact
    assert kb.fact("青岛", "medical.personal", 2025) is None


def test_one_source_file_per_region_and_year():
    files = load_sources().region_files
    assert {(f["region"], f["year"]) for f in files} == {("山亭", 2024), ("威海", 2024), ("青岛", 2024)}
    assert all(re.fullmatch(r"\d{4}/\w+\.yml", f["_path"]) for f in files)
