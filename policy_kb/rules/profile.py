"""What the calculator is given (``Profile``) and what it returns (``Result``), with date helpers.

Shared by the calculator's entry points and its pension and medical rules.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from typing import Any

from policy_kb.data.kb import Citation, Fact, KnowledgeBase
from policy_kb.rules.groups import GROUP_PROFILE
from policy_kb.text.dates import cn_date, parse_date, read_date
from policy_kb.text.normalize import cn_to_int

MIN_AGE, MAX_AGE = 0, 120


@dataclasses.dataclass
class Profile:
    """What we know about one person. Every field is optional; missing ones are asked for.

    Attributes:
        region: a region id or any name residents use ("山亭", "黄岛", "北京").
        scheme: "pension" / "medical" (or 养老 / 医保).
        year: the policy year; defaults to the latest year in the knowledge base.
        age: age in full years (周岁) as the person states it.
        birth_date: used for newborn rules, and for the age when ``age`` is not given.
        student: None, "school" (kindergarten to high school) or "college".
        study_place: for college students, "in_city" or "outside".
        residence: "hukou" (local household registration) or "permit" (residence permit).
        hardship: 低保 / 特困 / 脱贫 / 返贫致贫 / 低保边缘 / 监测帮扶 / 重度残疾 (policy_kb.rules.groups).
        disability_grade: 1–4; which grades count as 重度残疾 is the region's own rule
            (Shanting: 一级、二级; Qingdao's notice names no grade, so a grade alone is not enough).
        tier: pension: the yearly amount (500); medical: "一档" or "二档".
        payment_date: when the contribution is (or was) paid.
    """

    region: str | None = None
    scheme: str | None = None
    year: int | None = None
    age: int | None = None
    birth_date: dt.date | None = None
    student: str | None = None
    study_place: str | None = None
    residence: str | None = None
    hardship: str | None = None
    disability_grade: int | None = None
    tier: Any = None
    payment_date: dt.date | None = None


@dataclasses.dataclass
class Result:
    """The outcome of a calculation; ``status`` is ok, need_more, invalid or not_covered."""

    status: str
    region: str | None = None
    region_name: str | None = None
    year: int | None = None
    scheme: str | None = None
    category: str | None = None
    personal_amount: int | None = None
    government_amount: int | None = None
    subsidy: int | None = None
    subsidy_stated: bool = False
    benefit_start: dt.date | None = None
    waiting_until: dt.date | None = None
    reasoning: list[str] = dataclasses.field(default_factory=list)
    next_steps: list[str] = dataclasses.field(default_factory=list)
    way_to_pay: str | None = None  # the documents' way for this very person (a student's menu)
    notes: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    facts: list[Fact] = dataclasses.field(default_factory=list)
    per_person: list[Result] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def citations(self) -> list[Citation]:
        seen, out = set(), []
        for fact in self.facts:
            for cite in fact.citations:
                if (cite.file, cite.quote) not in seen:
                    seen.add((cite.file, cite.quote))
                    out.append(cite)
        return out

    def use(self, fact: Fact | None) -> Fact | None:
        if fact is not None and fact not in self.facts:
            self.facts.append(fact)
        return fact


# ---------------------------------------------------------------------- helpers
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (Jan 31 + 1 → Feb 29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def full_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def parse_day(value: Any) -> dt.date | None | str:
    """A date, None, or "bad" for text that is not a date (the caller says so, kindly)."""
    if value is None or isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value))
    return parsed if parsed else "bad"


def profile_dates(profile: Profile) -> tuple[dt.date | None, dt.date | None]:
    """(birth date, payment date); _check_common has already refused unreadable ones."""
    return parse_day(profile.birth_date), parse_day(profile.payment_date)


def stated_age(profile: Profile) -> int | None:
    if profile.age is None:
        return None
    return profile.age if isinstance(profile.age, int) else cn_to_int(str(profile.age))


def age_at(profile: Profile, on: dt.date) -> int | None:
    """The stated age, or the full years from the birth date to ``on``."""
    if profile.age is not None:
        return stated_age(profile)
    born, _ = profile_dates(profile)
    return None if born is None else full_years(born, on)


def age_counted_on(kb: KnowledgeBase, result: Result) -> tuple[dt.date, Fact]:
    """The day an age is counted at when no payment date is given (collection_period.age_on)."""
    period = kb.fact(result.region, "collection_period", result.year)
    return parse_date(period.value["age_on"]), period


def age_note(kb: KnowledgeBase, profile: Profile, result: Result) -> None:
    """Says which day an age read from a birth date was counted at (an interpretation)."""
    if profile.age is not None or profile.birth_date is None:
        return
    day, period = age_counted_on(kb, result)
    result.use(period)
    note = f"年龄按缴费日（没有缴费日时按{cn_date(day)}）的周岁计算。"
    if note not in result.notes:
        result.notes.append(note)


def check_payment_date(
    kb: KnowledgeBase, result: Result, paid: dt.date, latest: dt.date | None = None, why: str = ""
) -> bool:
    """A payment for the policy year falls between the collection start and the year's end.

    ``latest`` extends the window (a newborn's birth-year premium may be paid the next year);
    ``why`` says so in the refusal.
    """
    period = kb.fact(result.region, "collection_period", result.year)
    start = parse_date(period.value["start"])
    year_end = dt.date(result.year, 12, 31)
    if start <= paid <= max(year_end, latest or year_end):
        return True
    result.use(period)
    result.problems.append(
        f"缴费日期{cn_date(paid)}不在{result.year}年度的缴费时间内"
        f"（集中缴费期从{cn_date(start)}开始，{result.year}年度到{cn_date(year_end)}结束{why}）。"
    )
    return False


def _number(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return cn_to_int(str(value).strip())


def build_profile(
    kb: KnowledgeBase,
    region: str,
    scheme: str | None,
    *,
    year: int | None = None,
    age: Any = None,
    group: str | None = None,
    tier: Any = None,
    birth_date: Any = None,
    payment_date: Any = None,
    **extra: Any,
) -> Profile:
    """The calculator's profile from loose input: ages and pension amounts as said ("65",
    "六十五"), a group's name (大学生, 低保…), dates in any form ``read_date`` reads (read in the
    policy year when the year is left out). Unreadable values are passed on as said: the
    calculator explains what it cannot read."""
    year = year or kb.year_for(region)
    fields = {**GROUP_PROFILE.get(group or "", {}), **{k: v for k, v in extra.items() if v}}
    newborn = fields.pop("newborn", False)
    number = _number(age)
    age = number if number is not None else (age if age not in (None, "") else None)
    if scheme == "pension" and tier is not None and _number(tier) is not None:
        tier = _number(tier)
    born = read_date(birth_date, year)
    if newborn and age is None and born is None:
        age = 0  # a newborn without a birth date: the children's rate applies
    return Profile(
        region=region,
        scheme=scheme,
        year=year,
        age=age,
        birth_date=born,
        payment_date=read_date(payment_date, year),
        tier=tier or None,
        **fields,
    )
