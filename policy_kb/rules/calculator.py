"""Personalised answers: what one person (or a household) pays, who else pays, when cover starts.

Every number in a result comes from a fact of the knowledge base, and every fact used is
returned with its citations. Inputs the documents do not cover give a structured
``not_covered`` or ``invalid`` result that says what was wrong, never an exception and never
a guessed number. Interpretations the documents leave open are written next to the fact in
the source files (``note:``) and repeated in the result's ``notes``.

The rules themselves are in ``pension_calc`` and ``medical_calc``; ``Profile`` and ``Result``
in ``profile``. This module is the entry point and keeps the public names.
"""

from __future__ import annotations

import dataclasses

from policy_kb.data import vocabulary
from policy_kb.data.kb import KnowledgeBase
from policy_kb.rules.groups import HARDSHIP_GROUPS
from policy_kb.rules.medical_calc import medical
from policy_kb.rules.pension_calc import pension
from policy_kb.rules.profile import (
    MAX_AGE,
    MIN_AGE,
    Profile,
    Result,
    add_months,
    first_of_next_month,
    full_years,
    parse_day,
)
from policy_kb.text.normalize import cn_to_int, normalize_text

__all__ = [
    "HARDSHIP_GROUPS",
    "MAX_AGE",
    "MIN_AGE",
    "Profile",
    "Result",
    "add_months",
    "calculate",
    "calculate_household",
    "first_of_next_month",
    "full_years",
]


def _parse_scheme(value) -> str | None:
    if value is None:
        return None
    return vocabulary.scheme_in(normalize_text(str(value)))


# ---------------------------------------------------------------------- entry points
def calculate(kb: KnowledgeBase, profile: Profile) -> Result:
    """Computes one person's contribution, government share, subsidy and benefit start."""
    result = _check_common(kb, profile)
    if result.status != "ok":
        return result
    if result.scheme == "pension":
        pension(kb, profile, result)
    else:
        medical(kb, profile, result)
    if result.problems:
        result.status = "invalid"
    elif result.missing:
        result.status = "need_more"
    return result


def calculate_household(
    kb: KnowledgeBase,
    region: str,
    profiles: list[Profile],
    scheme: str = "medical",
    year: int | None = None,
) -> Result:
    """Adds up the personal contributions of a household's people."""
    total = Result(status="ok")
    if not profiles:
        total.status = "need_more"
        total.missing.append("members")
        return total
    for n, profile in enumerate(profiles, 1):
        person = dataclasses.replace(profile, region=region, scheme=scheme, year=year)
        one = calculate(kb, person)
        total.per_person.append(one)
        for fact in one.facts:
            total.use(fact)
        total.problems += [f"第{n}位成员：{p}" for p in one.problems]
        total.missing += [f"member{n}.{m}" for m in one.missing]
        if one.status in ("not_covered", "invalid") and total.status == "ok":
            total.status = one.status
    first = total.per_person[0]
    total.region, total.region_name, total.year, total.scheme = (
        first.region,
        first.region_name,
        first.year,
        first.scheme,
    )
    if total.status == "ok" and total.missing:
        total.status = "need_more"
    if total.status == "ok":
        total.personal_amount = sum(m.personal_amount or 0 for m in total.per_person)
        parts = "＋".join(str(m.personal_amount) for m in total.per_person)
        total.reasoning.append(f"全家{len(profiles)}人个人缴费合计：{parts}＝{total.personal_amount}元。")
    return total


# ---------------------------------------------------------------------- common checks
def _check_common(kb: KnowledgeBase, profile: Profile) -> Result:
    result = Result(status="ok")
    covered = "、".join(kb.regions.values())
    if not profile.region:
        result.missing.append("region")
    else:
        place = kb.resolve_place(profile.region)
        if place is None:
            result.status = "not_covered"
            result.problems.append(
                f"“{profile.region}”不在本助手的范围内：只能回答{covered}的{vocabulary.scheme('both').name}缴费问题。"
            )
            return result
        result.region, result.region_name = place.region, place.name
    year = profile.year or kb.year_for(result.region)
    have = kb.region_years(result.region) if result.region else kb.years
    if year not in have:
        result.status = "not_covered"
        years = "、".join(f"{y}年度" for y in have)
        where = result.region_name or ""
        result.problems.append(f"没有{where}{year}年度的政策资料：本助手目前只有{where}{years}的缴费政策。")
        return result
    result.year = year
    result.scheme = _parse_scheme(profile.scheme)
    if profile.scheme and result.scheme is None:
        result.status = "invalid"
        result.problems.append(f"险种“{profile.scheme}”无法识别：请说“养老”或“医保”。")
        return result
    if result.scheme is None:
        result.missing.append("scheme")
    if profile.age is not None:
        age = profile.age if isinstance(profile.age, int) else cn_to_int(str(profile.age))
        if age is None or not MIN_AGE <= age <= MAX_AGE:
            result.status = "invalid"
            result.problems.append(f"年龄“{profile.age}”不合理：请给出0到{MAX_AGE}之间的周岁年龄。")
            return result
    for field, label in (("birth_date", "出生日期"), ("payment_date", "缴费日期")):
        if parse_day(getattr(profile, field)) == "bad":
            result.status = "invalid"
            result.problems.append(
                f"{label}“{getattr(profile, field)}”无法识别：请写成{vocabulary.example_date()}这样的日期。"
            )
            return result
    if result.missing and ("region" in result.missing or "scheme" in result.missing):
        result.status = "need_more"
    return result
