"""policy_kb.data.vocabulary: the one reader of names (regions, schemes, topics, statuses, years)."""

from __future__ import annotations

import pytest

from policy_kb import KnowledgeBase
from policy_kb.answering import introduction
from policy_kb.data import vocabulary


@pytest.mark.parametrize(
    "word, scheme",
    [
        # the id, the short name, the name and a keyword
        ("medical", "medical"),
        ("养老", "pension"),
        ("居民养老保险", "pension"),
        ("医疗", "medical"),
        # the documents' label
        ("居民基本养老保险", "pension"),
        # not a scheme
        ("失业", None),
        ("", None),
    ],
)
def test_scheme_id_reads_any_name_of_a_scheme(word, scheme):
    assert vocabulary.scheme_id(word) == scheme


@pytest.mark.parametrize(
    "text, scheme",
    [
        # a scheme named inside a text
        ("山亭养老保险怎么交", "pension"),
        ("看病报销要交多少", "medical"),
        # nothing named
        ("怎么交", None),
    ],
)
def test_scheme_in_finds_the_scheme_a_text_names(text, scheme):
    assert vocabulary.scheme_in(text) == scheme


def test_both_schemes_have_a_name_for_answers():
    both = vocabulary.scheme("both")
    assert all(s.name in both.name for s in vocabulary.schemes().values())


@pytest.mark.parametrize(
    "text, tiers",
    [
        # Chinese numerals and digits, 档 and its common typo 挡
        ("一档和二档哪个贵", ["一档", "二档"]),
        ("选1挡", ["一档"]),
        # a tier no region has is not a medical tier
        ("三档", []),
        # pension tiers are amounts, not names
        ("交500档", []),
    ],
)
def test_medical_tiers_are_read_by_the_names_the_facts_give_them(text, tiers):
    assert vocabulary.medical_tiers_in(text) == tiers


def test_the_medical_tiers_are_the_facts_adult_tiers():
    kb = KnowledgeBase.open()
    named = {
        t for r in kb.regions for t in kb.fact(r, "medical.personal").value.get("adult_tiers", [])
    }
    assert set(vocabulary.medical_tiers()) == named


@pytest.mark.parametrize(
    "place, hint",
    [
        # a city only one district of which is covered
        ("枣庄市薛城区", "枣庄市只覆盖山亭区。"),
        ("枣庄", "枣庄市只覆盖山亭区。"),
        # a city not covered at all
        ("济南", ""),
    ],
)
def test_a_city_only_partly_covered_is_said_so(place, hint):
    assert introduction.part_of_hint(place) == hint


def test_statuses_mark_all_but_verified_facts():
    assert vocabulary.status_mark("verified") == ""
    assert vocabulary.status_mark("not_stated") == "（文件未写明）"
    assert set(vocabulary.statuses()) == {"verified", "unverified", "not_stated"}


def test_the_policy_years_are_the_folders_of_the_sources():
    assert vocabulary.policy_years() == KnowledgeBase.open().years
    assert vocabulary.example_date() == f"{vocabulary.latest_year()}年3月10日"


def test_keyword_examples_name_a_region_a_scheme_and_a_topic_word_that_look_up_facts():
    from policy_kb.answering.lookup import lookup

    kb = KnowledgeBase.open()
    for example in vocabulary.keyword_examples():
        region, short, word = example.split()
        assert region in kb.regions and vocabulary.scheme_id(short)
        assert lookup(kb, example).found, example


def test_the_scope_names_every_region_year_and_scheme():
    kb = KnowledgeBase.open()
    scope = introduction.scope(kb, districts=True)
    assert all(name in scope for name in kb.regions.values())
    assert all(f"{y}年度" in scope for y in kb.years)
    assert vocabulary.scheme("both").name in scope
    # only a region with districts says it includes them
    with_districts = [r["name"] for r in vocabulary.regions() if r.get("districts")]
    assert scope.count("（含各区市）") == len(with_districts)
