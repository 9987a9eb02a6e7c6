"""Resident medical insurance: the category and rate, the government's share, when cover starts.

Rules come from the region-year's facts: ``medical.personal`` (rates, the adult tiers' names,
the adult age), ``medical.subsidy``, ``medical.government_pays``, ``collection_period`` (and
the day ages are counted at), ``medical.benefit_period``, ``medical.waiting_period``,
``medical.newborn`` and ``medical.students``.
"""

from __future__ import annotations

import datetime as dt

from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase
from policy_kb.rules.groups import HARDSHIP_GROUPS, UNKNOWN, group_label, parse_group
from policy_kb.rules.profile import (
    MAX_AGE,
    Profile,
    Result,
    add_months,
    age_at,
    age_counted_on,
    age_note,
    check_payment_date,
    first_of_next_month,
    profile_dates,
)
from policy_kb.text.dates import cn_date, parse_date
from policy_kb.text.normalize import normalize_text

_DIGITS = "一二三四五六七八九"

# the scheme's name as answers use it (sources/topics.yml)
MEDICAL = vocabulary.scheme("medical").name


def medical(kb: KnowledgeBase, profile: Profile, result: Result) -> None:
    region, year = result.region, result.year
    personal = result.use(kb.fact(region, "medical.personal", year))
    value = personal.value
    rates = {k: v for k, v in value.items() if not k.isascii() and isinstance(v, int)}
    born, paid = profile_dates(profile)
    if born is not None and (born > dt.date(year, 12, 31) or born.year < year - MAX_AGE):
        result.problems.append(f"出生日期{cn_date(born)}不合理。")
        return
    if born is not None and paid is not None and paid < born:
        result.problems.append("缴费日期早于出生日期。")
        return
    rule = _newborn_rule(kb, result)
    newborn = _is_newborn(born, paid, year, rule)
    if paid is not None and not _check_paid(kb, result, born, paid, newborn, rule):
        return
    age = age_at(profile, paid or age_counted_on(kb, result)[0])
    category = _category(profile, value, rates, age, newborn, result)
    if category is None:
        if not result.problems:
            # the tier decides the amount, not when cover starts: still answer that
            _benefit_start(kb, profile, result, born, paid, newborn)
        return
    result.category = category
    amount = rates[category]
    result.personal_amount = amount
    label = {"居民": "城乡居民"}.get(category, category)
    result.reasoning.append(f"{result.region_name}{year}年度{MEDICAL}{label}个人缴费{amount}元。")
    _subsidy(kb, result, category)
    _government_share(kb, profile, result, age, amount)
    _benefit_start(kb, profile, result, born, paid, newborn)
    if profile.student:
        students = kb.fact(region, "medical.students", year)
        if students:
            result.use(students)
            result.way_to_pay = _student_step(students, profile, age, result)
            result.next_steps.append(result.way_to_pay)
            age_note(kb, profile, result)


# ---------------------------------------------------------------------- newborns and dates
def _newborn_rule(kb: KnowledgeBase, result: Result) -> Fact | None:
    return kb.fact(result.region, "medical.newborn", result.year)


def _is_newborn(born, paid, year: int, rule: Fact | None) -> bool:
    """Born in the policy year, or late the year before and enrolled within the newborn window."""
    if born is None:
        return False
    if born.year == year:
        return True
    stated = rule is not None and rule.status != "not_stated" and rule.value
    months = rule.value["next_month_within_months"] if stated else 12
    return (
        born.year == year - 1
        and paid is not None
        and paid.year == year
        and paid <= add_months(born, months)
    )


def _check_paid(kb, result: Result, born, paid, newborn: bool, rule: Fact | None) -> bool:
    """A newborn's birth-year premium may be paid within the newborn window, into next year."""
    stated = newborn and rule is not None and rule.status != "not_stated" and rule.value
    if not (stated and born.year == result.year):
        return check_payment_date(kb, result, paid)
    months, last = rule.value["from_birth_within_months"], rule.value["next_month_within_months"]
    latest = add_months(born, last)
    why = f"；{result.year}年出生的孩子，出生后{last}个月（含）内、{cn_date(latest)}前参保缴费的，" "按新生儿规则计算"
    if not check_payment_date(kb, result, paid, latest, why):
        result.use(rule)
        return False
    if paid.year > result.year and paid <= add_months(born, months):
        result.use(rule)
        result.reasoning.append(
            f"{result.year}年出生，在出生后{months}个月（含）内缴纳出生当年（{result.year}年）的{MEDICAL}，"
            f"{cn_date(paid)}缴费也在这个期限内。"
        )
    elif paid.year > result.year:
        result.use(rule)
        result.notes.append(
            f"文件只对出生后{months}个月（含）内写了“缴纳出生当年”的{MEDICAL}；出生后第{months + 1}至{last}个月"
            f"在{paid.year}年参保缴费的，缴的是哪一年度的{MEDICAL}、按什么标准，这份{result.year}年度的文件没有写，"
            "请向医保经办机构确认。"
        )
    return True


# ---------------------------------------------------------------------- category
def _category(profile: Profile, value: dict, rates: dict, age, newborn: bool, result: Result):
    if profile.student == "college" and "大学生" in rates:
        return _not_an_adult(profile, value, rates, "大学生", result)
    adult_age = value.get("adult_age")
    minor = newborn or (age is not None and adult_age is not None and age < adult_age)
    school_child = profile.student == "school" and (age is None or minor)
    if (school_child or minor) and "少年儿童" in rates:
        return _not_an_adult(profile, value, rates, "少年儿童", result)
    if profile.student == "school" and "少年儿童" in rates:
        result.notes.append(
            f"{result.region_name}的文件没有为年满{adult_age}周岁的在校中小学生单列缴费标准"
            f"（{rates['少年儿童']}元是少年儿童的标准），这里按成年居民计算，请向医保部门确认。"
        )
    adult_tiers = [k for k in value.get("adult_tiers") or [] if k in rates]
    if not adult_tiers:
        return _untiered(profile, rates, result)
    tier = _tier_name(profile.tier, adult_tiers)
    if tier is None and not profile.tier:
        result.missing.append("tier")
        result.reasoning.append("成年居民可选：" + "，".join(f"{k}{rates[k]}元" for k in adult_tiers) + "。")
        return None
    if tier is None:
        result.problems.append(
            f"{result.region_name}{MEDICAL}没有“{profile.tier}”：成年居民只有" + "、".join(adult_tiers) + "。"
        )
    return tier


def _not_an_adult(profile: Profile, value: dict, rates: dict, category: str, result: Result):
    """A child's or student's rate; a tier they name is the adults' and is said not to apply."""
    adult_tiers = [k for k in value.get("adult_tiers") or [] if k in rates]
    if profile.tier and adult_tiers:
        named = _tier_name(profile.tier, adult_tiers) or profile.tier
        result.notes.append(
            f"{result.region_name}的文件把"
            + "、".join(adult_tiers)
            + f"写给成年居民；{category}按{rates[category]}元计算，"
            f"文件没有写{category}能否选择“{named}”，请向医保部门确认。"
        )
    return category


def _untiered(profile: Profile, rates: dict, result: Result) -> str:
    """A region with one adult rate: a tier the person names does not apply, and we say so."""
    category = "居民" if "居民" in rates else next(iter(rates))
    if profile.tier:
        result.notes.append(
            f"{result.region_name}{MEDICAL}不分档，个人缴费统一为{rates[category]}元，“{profile.tier}”不适用。"
        )
    return category


def _tier_name(text, adult_tiers: list[str]) -> str | None:
    """ "一档", "1档", "第一档", "一挡" → the tier's name as the facts write it, or None."""
    said = normalize_text(str(text or "")).replace("第", "").replace("挡", "档").strip()
    for n, name in enumerate(adult_tiers):
        if said in (name, f"{n + 1}档", f"{_DIGITS[n]}档"):
            return name
    return None


# ---------------------------------------------------------------------- money
def _subsidy(kb: KnowledgeBase, result: Result, category: str) -> None:
    subsidy = result.use(kb.fact(result.region, "medical.subsidy", result.year))
    if subsidy and subsidy.status != "not_stated" and subsidy.value:
        result.subsidy = subsidy.value.get(category)
        result.subsidy_stated = result.subsidy is not None
        if result.subsidy is not None:
            result.reasoning.append(f"财政补助{result.subsidy}元。")
    else:
        result.notes.append(f"{result.region_name}的文件没有写明{MEDICAL}的财政补助金额。")


def _government_share(kb, profile: Profile, result: Result, age, amount: int) -> None:
    paid_for = kb.fact(result.region, "medical.government_pays", result.year)
    if paid_for is None:
        return
    group = parse_group(profile.hardship)
    if paid_for.status == "not_stated" or not paid_for.value:
        if group or profile.disability_grade or (age is not None and age >= 60):
            result.use(paid_for)
            result.notes.append(paid_for.answer)
        return
    value = paid_for.value
    share, why = 0.0, ""
    if group in value["full"]:
        share, why = 1.0, f"{HARDSHIP_GROUPS[group]}个人缴费部分由政府代缴"
    elif age is not None and age >= value["full_from_age"]:
        share, why = 1.0, f"{value['full_from_age']}岁（含）以上老年人个人缴费部分由政府代缴"
    elif age is not None and value["half_from_age"] <= age <= value["half_to_age"]:
        share = value["half_share"]
        percent = round(share * 100)
        why = f"{value['half_from_age']}-{value['half_to_age']}岁老年人个人缴费部分由政府承担{percent}%"
    if share == 0.0 and group is not None and group not in value["full"]:
        listed = "、".join(group_label(g) for g in value["full"])
        who = f"“{profile.hardship}”" if group == UNKNOWN else group_label(group)
        result.use(paid_for)
        result.notes.append(f"{who}不在{result.region_name}医保代缴名单中（名单：{listed}），不按代缴计算；请向区医保局确认。")
    if profile.disability_grade and share == 0.0:
        result.notes.append("医保代缴名单没有列出残疾人；残疾人是否由相关部门统一缴费，请向区医保局确认。")
    if share:
        result.use(paid_for)
        government = round(amount * share)
        result.government_amount = government
        result.personal_amount = amount - government
        result.reasoning.append(f"{why}：政府承担{government}元，个人缴纳{result.personal_amount}元。")
        if age is not None:
            age_note(kb, profile, result)


# ---------------------------------------------------------------------- cover
def _benefit_start(kb, profile: Profile, result: Result, born, paid, newborn: bool) -> None:
    benefit = kb.fact(result.region, "medical.benefit_period", result.year)
    if paid is None:
        if benefit:
            result.use(benefit)
            result.next_steps.append(benefit.answer)
        return
    rule = _newborn_rule(kb, result)
    if newborn and rule and rule.status != "not_stated":
        _newborn_start(result, rule, born, paid)
    else:
        if newborn and rule:
            result.use(rule)
            result.notes.append(rule.answer)
        _ordinary_start(kb, profile, result, paid, benefit)
    if paid.year <= result.year:  # a later payment's year is unstated (noted above)
        _after_cover_warning(result, benefit)


def _newborn_start(result: Result, rule: Fact, born: dt.date, paid: dt.date) -> None:
    result.use(rule)
    value = rule.value
    first, second = value["from_birth_within_months"], value["next_month_within_months"]
    birth_year_only = value.get("from_birth_premium") == "birth_year"
    if paid <= add_months(born, first) and born.year < result.year and birth_year_only:
        result.notes.append(_born_before_the_year(result, born, first))
        return
    if paid <= add_months(born, first):
        result.benefit_start = born
        result.reasoning.append(f"出生后{first}个月（含）内参保缴费，自出生之日（{cn_date(born)}）起享受待遇。")
    elif paid <= add_months(born, second):
        result.benefit_start = first_of_next_month(paid)
        result.reasoning.append(
            f"出生后第{first + 1}个月至{second}个月（含）参保缴费，自缴费次月" f"（{cn_date(result.benefit_start)}）起享受待遇。"
        )
    else:
        result.benefit_start = add_months(paid, value["waiting_months_after"])
        result.waiting_until = result.benefit_start - dt.timedelta(days=1)
        result.reasoning.append(
            f"出生超过{second}个月才参保缴费，缴费满{value['waiting_months_after']}个月后"
            f"（{cn_date(result.benefit_start)}起）享受待遇。"
        )
    if born.year < result.year:
        result.notes.append(
            f"孩子出生在{born.year}年：通告的新生儿规则按出生日起算月份；{result.year}年度的{MEDICAL}费"
            f"也要缴纳，出生当年和{result.year}年度分别怎么缴，请向医保经办机构确认。"
        )


def _born_before_the_year(result: Result, born: dt.date, first: int) -> str:
    """Cover from birth is stated for the birth year's premium, which this year's file lacks."""
    return (
        f"文件写明：出生后{first}个月（含）内参保并缴纳出生当年{MEDICAL}的，自出生之日起享受待遇。"
        f"孩子出生在{born.year}年：这份{result.year}年度的文件没有写{born.year}年度的缴费标准，"
        f"也没有写出生后{first}个月内只缴纳{result.year}年度{MEDICAL}时待遇从哪天开始，"
        "本助手不给待遇起始日，请向医保经办机构确认。"
    )


def _ordinary_start(kb, profile: Profile, result: Result, paid: dt.date, benefit) -> None:
    period = kb.fact(result.region, "collection_period", result.year)
    end = parse_date(period.value["end"]) if period else None
    if end is not None and paid <= end:
        result.use(period)
        if benefit:
            result.use(benefit)
            result.benefit_start = parse_date(benefit.value["start"])
            result.reasoning.append(
                f"在集中缴费期内缴费，自{cn_date(result.benefit_start)}起享受{result.year}年度待遇。"
            )
        return
    waiting = kb.fact(result.region, "medical.waiting_period", result.year)
    if waiting is None:
        result.notes.append("文件没有写集中缴费期后缴费的待遇起始规则。")
        return
    result.use(waiting)
    if _exempt_from_waiting(profile, result, waiting.value):
        return
    _waiting_start(result, paid, waiting)


def _exempt_from_waiting(profile: Profile, result: Result, rule: dict) -> bool:
    """Only a group the knowledge base recognises is read as the documents' exempt groups."""
    if not rule.get("exempt") or not profile.hardship:
        return False
    exempt = "、".join(rule["exempt"])
    group = parse_group(profile.hardship)
    if group == UNKNOWN:
        result.notes.append(
            f"“{profile.hardship}”是否属于文件说的“{exempt}”（不受等待期限制），文件没有列名单，" "这里按一般参保人计算等待期；请向医保部门确认。"
        )
        return False
    result.reasoning.append(
        f"{group_label(group)}属于“{exempt}”的，不受等待期限制（文件没有写具体起始日，也没有列名单，请向医保部门确认）。"
    )
    return True


def _waiting_start(result: Result, paid: dt.date, waiting: Fact) -> None:
    rule = waiting.value
    if rule.get("months"):
        result.benefit_start = add_months(paid, rule["months"])
        span = f"{rule['months']}个月"
    else:
        result.benefit_start = paid + dt.timedelta(days=rule["days"])
        span = f"{rule['days']}日"
    result.waiting_until = result.benefit_start - dt.timedelta(days=1)
    result.reasoning.append(
        f"{cn_date(paid)}缴费，已过集中缴费期，有{span}待遇等待期（到{cn_date(result.waiting_until)}），"
        f"{cn_date(result.benefit_start)}起享受待遇。"
    )
    late_from = parse_date(rule["late_from"])
    if paid == late_from and rule.get("late_from_day_unstated"):
        result.notes.append(
            f"文件写“{cn_date(late_from)}后缴费的”设置等待期，没有说{cn_date(late_from)}当天缴费算不算；"
            "这里按算计算，请向医保经办机构确认。"
        )
    if waiting.note:
        result.notes.append("等待期起算方式是本助手对文件的解释，具体以医保经办机构为准。")


def _after_cover_warning(result: Result, benefit: Fact | None) -> None:
    """Cover that would start after the policy year's cover ends brings no cover that year."""
    if not (result.benefit_start and benefit and (benefit.value or {}).get("end")):
        return
    end = parse_date(benefit.value["end"])
    if result.benefit_start > end:
        result.use(benefit)
        result.reasoning.append(
            f"注意：待遇起始日{cn_date(result.benefit_start)}已在{result.year}年度待遇期（到{cn_date(end)}）之后，"
            f"这笔{result.year}年度的缴费不能享受{result.year}年度的待遇；请向医保经办机构确认。"
        )


# ---------------------------------------------------------------------- students
def _student_step(students: Fact, profile: Profile, age: int | None, result: Result) -> str:
    value = students.value
    limit = value["college_max_age"] if profile.student == "college" else value["school_max_age"]
    if age is not None and age > limit:
        who = "大学生" if profile.student == "college" else "在校学生"
        return f"超过{limit}周岁的{who}需在学校办理参保登记后，通过“{value['over_age_menu']}”缴费。"
    if age == limit and value.get("limits_overlap"):
        result.notes.append(
            f"文件写“{limit}周岁以下（含）”走“{value['regular_menu']}”，又写“{limit}周岁以上”走"
            f"“{value['over_age_menu']}”，恰好{limit}周岁的两处都包括；这里按写明“（含）”的一方，请向学校或医保部门确认。"
        )
    return f"通过“{value['regular_menu']}”缴费。"
