"""Issue 11 A: the facts' values — what the calculator reads — are checked like their answers.

Each broken copy of the sources must make ``shebao check`` (and ``policy-team validate``) fail
with a message that names the fact and the field; the real sources pass.
"""

from __future__ import annotations

import pathlib
import shutil

import pytest
import yaml

from policy_kb import cli
from policy_kb.data.sources import SEEDS_DIR, SOURCES_DIR, load_sources, validate
from policy_kb.data.value_schemas import SCHEMAS
from policy_kb.data.values import schema_for
from policy_team import checks, new_year
from policy_team.project import Project

ROOT = pathlib.Path(__file__).resolve().parent.parent
POLICY_CODE = [
    ROOT / "policy_kb" / "rules" / name for name in ("calculator.py", "pension_calc.py")
] + [ROOT / "policy_kb" / "rules" / "medical_calc.py"]


def _edit(sources: pathlib.Path, region_file: str, key: str, change) -> None:
    """Applies ``change`` to one fact of a copied region file and writes it back."""
    path = sources / "2024" / region_file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(next(f for f in data["facts"] if f["key"] == key))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def sources(tmp_path) -> pathlib.Path:
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, copy)
    return copy


def check(sources: pathlib.Path, capsys) -> tuple[int, str]:
    code = cli.main(["check", "--sources", str(sources), "--seeds", str(SEEDS_DIR)])
    return code, capsys.readouterr().out


def test_the_real_sources_pass_the_value_checks(sources, capsys):
    assert check(sources, capsys) == (0, "0 problems\n")


def _set(field, new):
    return lambda fact: fact["value"].__setitem__(field, new)


BROKEN = [
    # a value number that no quote of the fact contains (the officer typed 480 only here)
    ("weihai.yml", "medical.personal", _set("一档", 480), "value.一档 = 480 occurs in no quote"),
    # the same for a date: the collection period does not start on 2023-08-01
    (
        "weihai.yml",
        "collection_period",
        _set("start", "2023-08-01"),
        "value.start = 2023-08-01 occurs in no quote",
    ),
    # a malformed value: an amount written in words
    (
        "qingdao.yml",
        "medical.personal",
        _set("二档", "三百九十五"),
        "value.二档: '三百九十五' is not of type 'integer'",
    ),
    # a malformed value: a mistyped field name is not silently ignored
    ("shanting.yml", "medical.waiting_period", _set("dayz", 30), "'dayz' was unexpected"),
    # a missing key: the day ages are counted at (the calculator reads it)
    (
        "qingdao.yml",
        "collection_period",
        lambda f: f["value"].pop("age_on"),
        "value: 'age_on' is a required property",
    ),
    # a missing value altogether on a fact the calculator reads
    ("shanting.yml", "pension.tiers", lambda f: f.pop("value"), "value is missing"),
    # a group the knowledge base does not know (Qingdao lists 脱贫享受政策, not 返贫)
    (
        "qingdao.yml",
        "pension.government_pays",
        _set("返贫", 100),
        "'返贫': not a group id",
    ),
    # a derived number whose formula does not give it
    (
        "shanting.yml",
        "medical.government_pays",
        lambda f: f["derived"].__setitem__("half_share", "percent(40)"),
        "percent(40) gives 0.4, not 0.5",
    ),
    # a formula whose own number is in no quote
    (
        "shanting.yml",
        "medical.government_pays",
        lambda f: f["derived"].__setitem__("half_share", "percent(40)"),
        "40 in the formula occurs in no quote",
    ),
    # a formula may only use its small vocabulary
    (
        "qingdao.yml",
        "medical.benefit_period",
        lambda f: f["derived"].__setitem__("end", "__import__('os')"),
        "cannot read the formula",
    ),
    # Weihai's notice says 原则上只适用于: the value may not claim the strict reading
    (
        "weihai.yml",
        "pension.tiers",
        _set("restriction", "only"),
        "value.restriction is 'only', the quotes do not say so",
    ),
    # a value on a fact key nobody wrote a schema for
    (
        "weihai.yml",
        "registration",
        lambda f: f.__setitem__("value", {"materials": 2}),
        "no schema for the value of 'registration'",
    ),
]


@pytest.mark.parametrize("region_file, key, change, expected", BROKEN)
def test_shebao_check_fails_on_a_broken_value(sources, capsys, region_file, key, change, expected):
    _edit(sources, region_file, key, change)
    code, out = check(sources, capsys)
    assert code == 1, out
    assert f"fact {key}" in out and expected in out, out


def test_every_problem_is_reported_at_once(sources, capsys):
    for region_file, key, change, _ in BROKEN[:3]:
        _edit(sources, region_file, key, change)
    code, out = check(sources, capsys)
    assert code == 1 and out.strip().endswith("3 problems"), out


def test_policy_team_validate_runs_the_value_checks(tmp_path):
    for part in ("policy_kb/sources", "policy_kb/seeds"):
        shutil.copytree(ROOT / part, tmp_path / part)
    _edit(tmp_path / "policy_kb/sources", "weihai.yml", "medical.personal", _set("一档", 480))
    found = checks.check_knowledge_base(Project(tmp_path)).problems
    assert any("value.一档 = 480 occurs in no quote" in p for p in found), found


@pytest.mark.parametrize(
    "region, key, field, formula",
    [
        # 000 一 "2023年9月至12月": the collection period starts on the first of September
        ("青岛", "collection_period", "start", 'month_start("2023年9月")'),
        # 004 五（一） "承担50%"
        ("山亭", "medical.government_pays", "half_share", "percent(50)"),
        # 004 五（一） "重度（一级、二级）残疾人"
        ("山亭", "pension.government_pays", "disability_grades", '[cn("一级"), cn("二级")]'),
        # 002 一 / 五（二）: the waiting period applies from the day after the collection period
        ("威海", "medical.waiting_period", "late_from", 'day_after("2023年12月31日")'),
        # the adult age is the law's, named as such, not the documents'
        ("青岛", "medical.personal", "adult_age", 'statute(18, "民法典第十七条：十八周岁以上的自然人为成年人")'),
    ],
)
def test_derived_numbers_declare_their_formula(region, key, field, formula):
    data = next(d for d in load_sources().region_files if d["region"] == region)
    fact = next(f for f in data["facts"] if f["key"] == key)
    assert fact["derived"][field] == formula


def test_every_fact_key_with_a_value_has_a_schema():
    for data in load_sources().region_files:
        for fact in data["facts"]:
            if fact.get("value") is not None:
                assert schema_for(fact["key"]) is not None, fact["key"]
    assert "medical.personal" in SCHEMAS and "hotline.medical_office.*" in SCHEMAS


@pytest.mark.parametrize(
    "literal",
    [
        # the date ages are counted at: now collection_period.age_on
        "dt.date(year - 1, 12, 31)",
        "2023年12月31日",
        # the adult age: medical.personal.adult_age
        "< 18",
        # the medical tiers' names: medical.personal.adult_tiers
        '("一档", "二档")',
        # 60-69 pay half: rendered from half_share
        "50%",
        # the disability grades that made a disability severe everywhere
        "(1, 2)",
    ],
)
def test_rules_once_written_in_python_now_live_in_the_facts(literal):
    code = "\n".join(p.read_text(encoding="utf-8") for p in POLICY_CODE)
    assert literal not in code


def test_the_lowest_pension_tier_is_a_fact_value(kb):
    # an amount of at least this names a pension tier (the rule "≥ 100 means pension")
    assert kb.lowest_pension_tier() == 100
    assert kb.lowest_pension_tier("威海") == 300
    assert kb.fact("威海", "pension.tiers").value["lowest"] == 300


def test_validate_reports_no_problem_for_the_shipped_sources():
    assert validate(load_sources()) == []


def test_a_new_year_whose_value_was_forgotten_fails_the_check(tmp_path):
    # The scenario: the officer follows the new-year guide, corrects the quote and the
    # answer to the new notice's 480 but forgets the value, which still says last year's 450.
    for part in ("policy_kb/sources", "policy_kb/seeds"):
        shutil.copytree(ROOT / part, tmp_path / part)
    notice = "example_2025_weihai_notice.txt"
    shutil.copy(ROOT / "docs" / "examples" / notice, tmp_path / "policy_kb" / "seeds" / notice)
    project = Project(tmp_path)
    started = new_year.start_year(project, "威海", 2024, 2025, notice, "虚构示例")
    text = started.path.read_text(encoding="utf-8")
    text = text.replace("一般居民一档每人每年450元", "一般居民一档每人每年480元")
    started.path.write_text(text, encoding="utf-8")
    found = validate(load_sources(project.sources_dir), project.seeds_dir)
    assert found == [
        "2025/weihai.yml: fact medical.personal: value.一档 = 450 occurs in no quote of the fact "
        "(quote the sentence that states it, or declare it under derived: with its formula)"
    ]
    # …and with the value corrected too, nothing is left (the formulas moved on with the years)
    started.path.write_text(text.replace("{一档: 450,", "{一档: 480,"), encoding="utf-8")
    assert validate(load_sources(project.sources_dir), project.seeds_dir) == []
