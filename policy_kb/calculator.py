"""Personalised answers: what one person (or a household) pays, who else pays, when cover starts.

Every number in a result comes from a fact of the knowledge base, and every fact used is
returned with its citations. Inputs the documents do not cover give a structured
``not_covered`` or ``invalid`` result that says what was wrong, never an exception and never
a guessed number. Interpretations the documents leave open are written next to the fact in
the source files (``note:``) and repeated in the result's ``notes``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from typing import Any

from policy_kb.kb import Citation, Fact, KnowledgeBase
from policy_kb.normalize import cn_to_int, normalize_text
from policy_kb.sources import as_date

MIN_AGE, MAX_AGE = 0, 120
HARDSHIP_GROUPS = {
    "低保": "低保对象",
    "特困": "特困人员",
    "脱贫": "脱贫/返贫致贫人口",
    "低保边缘": "低保边缘家庭成员",
    "监测帮扶": "防止返贫监测帮扶对象",
}
_HARDSHIP_ALIASES = {
    "低保户": "低保",
    "最低生活保障": "低保",
    "特困人员": "特困",
    "返贫": "脱贫",
    "返贫致贫": "脱贫",
    "脱贫户": "脱贫",
    "防止返贫监测帮扶": "监测帮扶",
    "监测对象": "监测帮扶",
    "低保边缘户": "低保边缘",
}
_SCHEME_ALIASES = {
    "pension": "pension",
    "养老": "pension",
    "medical": "medical",
    "医保": "medical",
    "医疗": "medical",
}


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
        hardship: 低保 / 特困 / 脱贫 / 低保边缘 / 监测帮扶.
        disability_grade: 1–4; grades 1 and 2 count as 重度残疾.
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


Member = Profile  # a household member is a profile without region, scheme and year


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
    notes: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    facts: list[Fact] = dataclasses.field(default_factory=list)
    members: list[Result] = dataclasses.field(default_factory=list)

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

    def source_line(self) -> str:
        titles: dict[str, list[str]] = {}
        for cite in self.citations:
            clauses = titles.setdefault(cite.title, [])
            if cite.clause not in clauses:
                clauses.append(cite.clause)
        return "来源：" + "；".join(f"《{t}》{'、'.join(c)}" for t, c in titles.items())


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


def _parse_scheme(value: Any) -> str | None:
    if value is None:
        return None
    text = normalize_text(str(value)).lower()
    for alias, scheme in _SCHEME_ALIASES.items():
        if alias in text:
            return scheme
    return None


def _parse_hardship(value: Any) -> str | None:
    if not value:
        return None
    text = normalize_text(str(value))
    if text in HARDSHIP_GROUPS:
        return text
    for alias, group in sorted(_HARDSHIP_ALIASES.items(), key=lambda a: -len(a[0])):
        if alias in text:
            return group
    for group in sorted(HARDSHIP_GROUPS, key=len, reverse=True):
        if group in text:
            return group
    return "unknown"


def _parse_date(value: Any) -> dt.date | None | str:
    if value is None or isinstance(value, dt.date):
        return value
    parsed = as_date(str(value))
    return parsed if parsed else "bad"


# ---------------------------------------------------------------------- entry points
def calculate(kb: KnowledgeBase, profile: Profile) -> Result:
    """Computes one person's contribution, government share, subsidy and benefit start."""
    result = _check_common(kb, profile)
    if result.status != "ok":
        return result
    if result.scheme == "pension":
        _pension(kb, profile, result)
    else:
        _medical(kb, profile, result)
    if result.problems:
        result.status = "invalid"
    elif result.missing:
        result.status = "need_more"
    return result


def calculate_household(
    kb: KnowledgeBase,
    region: str,
    members: list[Profile],
    scheme: str = "medical",
    year: int | None = None,
) -> Result:
    """Adds up the personal contributions of a household's members."""
    total = Result(status="ok")
    if not members:
        total.status = "need_more"
        total.missing.append("members")
        return total
    for n, member in enumerate(members, 1):
        person = dataclasses.replace(member, region=region, scheme=scheme, year=year)
        one = calculate(kb, person)
        total.members.append(one)
        for fact in one.facts:
            total.use(fact)
        total.problems += [f"第{n}位成员：{p}" for p in one.problems]
        total.missing += [f"member{n}.{m}" for m in one.missing]
        if one.status in ("not_covered", "invalid") and total.status == "ok":
            total.status = one.status
    first = total.members[0]
    total.region, total.region_name, total.year, total.scheme = (
        first.region,
        first.region_name,
        first.year,
        first.scheme,
    )
    if total.status == "ok" and total.missing:
        total.status = "need_more"
    if total.status == "ok":
        total.personal_amount = sum(m.personal_amount or 0 for m in total.members)
        parts = "＋".join(str(m.personal_amount) for m in total.members)
        total.reasoning.append(f"全家{len(members)}人个人缴费合计：{parts}＝{total.personal_amount}元。")
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
            result.problems.append(f"“{profile.region}”不在本助手的范围内：只能回答{covered}的居民养老保险和居民医保缴费问题。")
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
        value = _parse_date(getattr(profile, field))
        if value == "bad":
            result.status = "invalid"
            result.problems.append(f"{label}“{getattr(profile, field)}”无法识别：请写成2024-03-10这样的日期。")
            return result
    if result.missing and ("region" in result.missing or "scheme" in result.missing):
        result.status = "need_more"
    return result


def _dates(profile: Profile) -> tuple[dt.date | None, dt.date | None]:
    return _parse_date(profile.birth_date), _parse_date(profile.payment_date)


def _age(kb: KnowledgeBase, profile: Profile, result: Result, on: dt.date) -> int | None:
    """The stated age, or the full years from the birth date to ``on``."""
    if profile.age is not None:
        return profile.age if isinstance(profile.age, int) else cn_to_int(str(profile.age))
    born, _ = _dates(profile)
    if born is None:
        return None
    return full_years(born, on)


def _check_payment_date(kb: KnowledgeBase, result: Result, paid: dt.date | None) -> bool:
    if paid is None:
        return True
    period = kb.fact(result.region, "collection_period", result.year)
    start = as_date(period.value["start"]) if period else dt.date(result.year - 1, 1, 1)
    end_of_year = dt.date(result.year, 12, 31)
    if not start <= paid <= end_of_year:
        result.use(period)
        result.problems.append(
            f"缴费日期{paid.isoformat()}不在{result.year}年度的缴费时间内"
            f"（集中缴费期从{start.isoformat()}开始，{result.year}年度到{end_of_year.isoformat()}结束）。"
        )
        return False
    return True


# ---------------------------------------------------------------------- pension
def _pension(kb: KnowledgeBase, profile: Profile, result: Result) -> None:
    region, year = result.region, result.year
    tiers_fact = result.use(kb.fact(region, "pension.tiers", year))
    tiers = tiers_fact.value["tiers"]
    restricted = {int(k): v for k, v in (tiers_fact.value.get("restricted") or {}).items()}
    eligibility = kb.fact(region, "eligibility", year)
    _, paid = _dates(profile)
    age = _age(kb, profile, result, paid or dt.date(year - 1, 12, 31))
    if eligibility and eligibility.value and eligibility.value.get("pension_min_age"):
        min_age = eligibility.value["pension_min_age"]
        if age is not None and age < min_age:
            result.use(eligibility)
            result.problems.append(f"{result.region_name}参加居民养老保险须年满{min_age}周岁，{age}岁还不能参加。")
            return
        if profile.student and eligibility.value.get("pension_excludes_students"):
            result.use(eligibility)
            result.problems.append(f"{result.region_name}的居民养老保险不含在校学生。")
            return
    hardship = _parse_hardship(profile.hardship)
    severe = profile.disability_grade in (1, 2)
    paid_for = kb.fact(region, "pension.government_pays", year)
    gov_tier = None
    if paid_for and paid_for.value:
        group = "重度残疾" if severe else hardship
        gov_tier = paid_for.value.get(group)
        if gov_tier is not None:
            result.use(paid_for)
            result.government_amount = gov_tier
            who = "重度残疾人" if severe else HARDSHIP_GROUPS.get(hardship, hardship)
            result.reasoning.append(f"{who}由政府按{gov_tier}元标准代缴养老保险费。")
    elif hardship or severe:
        result.notes.append(f"{result.region_name}的文件没有写政府为困难群体代缴养老保险的标准。")

    tier = profile.tier
    if tier is None:
        if gov_tier is not None:
            result.personal_amount = 0
            result.reasoning.append("如果不另选档次，个人不用缴费。")
        else:
            result.missing.append("tier")
            result.reasoning.append(f"{year}年度可选档次：" + "、".join(f"{t}元" for t in tiers) + "。")
        _pension_common_steps(kb, result)
        return
    amount = (
        tier if isinstance(tier, int) else cn_to_int(str(tier).replace("元", "").replace("档", ""))
    )
    if amount not in tiers:
        result.problems.append(
            f"{result.region_name}{year}年度居民养老保险没有{tier}元档次；可选档次："
            + "、".join(f"{t}元" for t in tiers)
            + "。"
        )
        change = kb.fact(region, "pension.tier_change", year)
        if change and amount in (change.value or {}).get("retired_tiers", []):
            result.use(change)  # last year's tier, no longer offered: say what to do
            result.problems.append(change.answer + "\n" + change.source_line())
        return
    if amount in restricted and not (hardship or severe):
        result.notes.append(f"{amount}元档次只适用于重度残疾人等缴费困难群体的最低选择。")
    result.category = f"{amount}元档"
    result.personal_amount = amount
    result.reasoning.append(f"选择{amount}元档次，个人每年缴费{amount}元。")
    if gov_tier is not None:
        result.notes.append("文件没有说困难群体自行选择更高档次时政府代缴部分如何计算，请向当地人社部门确认。")
    subsidy = result.use(kb.fact(region, "pension.subsidy", year))
    if subsidy and subsidy.status != "not_stated" and subsidy.value:
        value = subsidy.value
        by_tier = {int(k): v for k, v in value.get("by_tier", {}).items()}
        if amount in by_tier:
            result.subsidy = by_tier[amount]
        elif value.get("from_tier") and amount >= value["from_tier"]:
            result.subsidy = value["from_tier_subsidy"]
        result.subsidy_stated = result.subsidy is not None
        if result.subsidy is not None:
            result.reasoning.append(f"{amount}元档次政府补贴{result.subsidy}元。")
    else:
        result.notes.append(f"{result.region_name}的文件没有写明养老保险的政府补贴金额。")
    _pension_common_steps(kb, result)


def _pension_common_steps(kb: KnowledgeBase, result: Result) -> None:
    batch = kb.fact(result.region, "pension.bank_batch", result.year)
    if batch:
        result.use(batch)
        result.next_steps.append(batch.answer)
    change = kb.fact(result.region, "pension.tier_change", result.year)
    if change:
        result.use(change)


# ---------------------------------------------------------------------- medical
def _medical(kb: KnowledgeBase, profile: Profile, result: Result) -> None:
    region, year = result.region, result.year
    personal = result.use(kb.fact(region, "medical.personal", year))
    rates = {k: v for k, v in personal.value.items() if k != "total"}
    born, paid = _dates(profile)
    if paid is not None and not _check_payment_date(kb, result, paid):
        return
    if born is not None and (born > dt.date(year, 12, 31) or born.year < year - MAX_AGE):
        result.problems.append(f"出生日期{born.isoformat()}不合理。")
        return
    if born is not None and paid is not None and paid < born:
        result.problems.append("缴费日期早于出生日期。")
        return
    age = _age(kb, profile, result, paid or dt.date(year - 1, 12, 31))
    newborn = born is not None and born.year == year

    category = _medical_category(profile, rates, age, newborn, result)
    if category is None:
        if not result.problems:
            # the tier decides the amount, not when cover starts: still answer that
            _medical_benefit_start(kb, profile, result, born, paid, newborn)
        return
    result.category = category
    amount = rates[category]
    result.personal_amount = amount
    label = {"居民": "城乡居民"}.get(category, category)
    result.reasoning.append(f"{result.region_name}{year}年度居民医保{label}个人缴费{amount}元。")

    subsidy = result.use(kb.fact(region, "medical.subsidy", year))
    if subsidy and subsidy.status != "not_stated" and subsidy.value:
        result.subsidy = subsidy.value.get(category)
        result.subsidy_stated = result.subsidy is not None
        if result.subsidy is not None:
            result.reasoning.append(f"财政补助{result.subsidy}元。")
    else:
        result.notes.append(f"{result.region_name}的文件没有写明居民医保的财政补助金额。")

    _medical_government_share(kb, profile, result, age, amount)
    _medical_benefit_start(kb, profile, result, born, paid, newborn)
    if profile.student:
        students = kb.fact(region, "medical.students", year)
        if students:
            result.use(students)
            result.next_steps.append(_student_step(students, profile, age))


def _medical_category(
    profile: Profile, rates: dict, age: int | None, newborn: bool, result: Result
) -> str | None:
    if profile.student == "college" and "大学生" in rates:
        return "大学生"
    minor = newborn or (age is not None and age < 18)
    if (profile.student == "school" and (age is None or age < 18) or minor) and "少年儿童" in rates:
        return "少年儿童"
    adult_tiers = [k for k in ("一档", "二档") if k in rates]
    if not adult_tiers:
        return "居民" if "居民" in rates else next(iter(rates))
    tier = normalize_text(str(profile.tier or "")).replace("1档", "一档").replace("2档", "二档")
    tier = tier.replace("第", "")
    if not tier:
        result.missing.append("tier")
        result.reasoning.append("成年居民可选：" + "，".join(f"{k}{rates[k]}元" for k in adult_tiers) + "。")
        return None
    if tier not in adult_tiers:
        result.problems.append(
            f"{result.region_name}居民医保没有“{profile.tier}”：成年居民只有" + "、".join(adult_tiers) + "。"
        )
        return None
    return tier


def _medical_government_share(kb, profile, result, age, amount) -> None:
    paid_for = kb.fact(result.region, "medical.government_pays", result.year)
    if paid_for is None:
        return
    hardship = _parse_hardship(profile.hardship)
    if paid_for.status == "not_stated" or not paid_for.value:
        if hardship or profile.disability_grade or (age is not None and age >= 60):
            result.use(paid_for)
            result.notes.append(paid_for.answer)
        return
    value = paid_for.value
    share, why = 0.0, ""
    if hardship in value.get("full", []):
        share, why = 1.0, f"{HARDSHIP_GROUPS[hardship]}个人缴费部分由政府代缴"
    elif age is not None and age >= value["full_from_age"]:
        share, why = 1.0, f"{value['full_from_age']}岁（含）以上老年人个人缴费部分由政府代缴"
    elif age is not None and value["half_from_age"] <= age <= value["half_to_age"]:
        share = value["half_share"]
        why = f"{value['half_from_age']}-{value['half_to_age']}岁老年人个人缴费部分由政府承担50%"
    if profile.disability_grade and share == 0.0:
        result.notes.append("医保代缴名单没有列出残疾人；残疾人是否由相关部门统一缴费，请向区医保局确认。")
    if share:
        result.use(paid_for)
        government = round(amount * share)
        result.government_amount = government
        result.personal_amount = amount - government
        result.reasoning.append(f"{why}：政府承担{government}元，个人缴纳{result.personal_amount}元。")
        if age is not None and profile.age is None:
            result.notes.append("年龄按缴费日（没有缴费日时按2023年12月31日）的周岁计算。")


def _medical_benefit_start(kb, profile, result, born, paid, newborn) -> None:
    region, year = result.region, result.year
    period = kb.fact(region, "collection_period", year)
    benefit = kb.fact(region, "medical.benefit_period", year)
    waiting = kb.fact(region, "medical.waiting_period", year)
    newborn_rule = kb.fact(region, "medical.newborn", year)
    if paid is None:
        if benefit:
            result.use(benefit)
            result.next_steps.append(benefit.answer)
        return
    if newborn and newborn_rule and newborn_rule.status != "not_stated":
        result.use(newborn_rule)
        rule = newborn_rule.value
        if paid <= add_months(born, rule["from_birth_within_months"]):
            result.benefit_start = born
            result.reasoning.append(
                f"出生后{rule['from_birth_within_months']}个月（含）内参保缴费，自出生之日"
                f"（{born.isoformat()}）起享受待遇。"
            )
        elif paid <= add_months(born, rule["next_month_within_months"]):
            result.benefit_start = first_of_next_month(paid)
            result.reasoning.append(
                f"出生后第{rule['from_birth_within_months'] + 1}个月至"
                f"{rule['next_month_within_months']}个月（含）参保缴费，自缴费次月"
                f"（{result.benefit_start.isoformat()}）起享受待遇。"
            )
        else:
            result.benefit_start = add_months(paid, rule["waiting_months_after"])
            result.waiting_until = result.benefit_start - dt.timedelta(days=1)
            result.reasoning.append(
                f"出生超过{rule['next_month_within_months']}个月才参保缴费，缴费满"
                f"{rule['waiting_months_after']}个月后（{result.benefit_start.isoformat()}起）享受待遇。"
            )
        return
    if newborn and newborn_rule:
        result.use(newborn_rule)
        result.notes.append(newborn_rule.answer)
    end = as_date(period.value["end"]) if period else None
    if end is not None and paid <= end:
        result.use(period)
        if benefit:
            result.use(benefit)
            result.benefit_start = as_date(benefit.value["start"])
            result.reasoning.append(f"在集中缴费期内缴费，自{result.benefit_start.isoformat()}起享受{year}年度待遇。")
        return
    if waiting is None:
        result.notes.append("文件没有写集中缴费期后缴费的待遇起始规则。")
        return
    result.use(waiting)
    rule = waiting.value
    if _parse_hardship(profile.hardship) and rule.get("exempt"):
        result.reasoning.append(f"{'、'.join(rule['exempt'])}不受等待期限制（文件没有写具体起始日）。")
        return
    if rule.get("months"):
        result.benefit_start = add_months(paid, rule["months"])
        span = f"{rule['months']}个月"
    else:
        result.benefit_start = paid + dt.timedelta(days=rule["days"])
        span = f"{rule['days']}日"
    result.waiting_until = result.benefit_start - dt.timedelta(days=1)
    result.reasoning.append(
        f"{paid.isoformat()}缴费，已过集中缴费期，有{span}待遇等待期（到"
        f"{result.waiting_until.isoformat()}），{result.benefit_start.isoformat()}起享受待遇。"
    )
    if waiting.note:
        result.notes.append("等待期起算方式是本助手对文件的解释，具体以医保经办机构为准。")


def _student_step(students: Fact, profile: Profile, age: int | None) -> str:
    value = students.value
    limit = value["college_max_age"] if profile.student == "college" else value["school_max_age"]
    if age is not None and age > limit:
        return f"超过{limit}周岁的学生需在学校办理参保登记后，通过“{value['over_age_menu']}”缴费。"
    return f"通过“{value['regular_menu']}”缴费。"
