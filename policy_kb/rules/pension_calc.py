"""Resident pension: the tier a person may choose, what they pay, who pays for them, subsidies.

Rules come from the region-year's facts: ``pension.tiers`` (tiers, the tier restricted to
hardship groups and how strictly), ``pension.government_pays`` (the 代缴 standard per group,
and for Shanting the disability grades that make a disability severe), ``pension.subsidy``,
``eligibility`` and ``collection_period``.
"""

from __future__ import annotations

import datetime as dt

from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.rules.groups import (
    HARDSHIP_GROUPS,
    SEVERE_DISABILITY,
    UNKNOWN,
    group_label,
    parse_group,
)
from policy_kb.rules.profile import (
    Profile,
    Result,
    age_at,
    age_counted_on,
    check_payment_date,
    profile_dates,
)
from policy_kb.text.dates import cn_date, parse_date
from policy_kb.text.normalize import cn_to_int

# the scheme's name as answers use it (sources/topics.yml)
PENSION = vocabulary.scheme("pension").name


def pension(kb: KnowledgeBase, profile: Profile, result: Result) -> None:
    region, year = result.region, result.year
    tiers_fact = result.use(kb.fact(region, "pension.tiers", year))
    _, paid = profile_dates(profile)
    in_period = True  # no payment date: the subsidy the document states for the tier
    if paid is not None:
        in_period = _check_paid(kb, result, paid)
        if in_period is None:
            return
    age = age_at(profile, paid or age_counted_on(kb, result)[0])
    if not _eligible(kb, profile, result, age):
        return
    gov_tier, in_group = _government_tier(kb, profile, result)
    tier = profile.tier
    if tier is None:
        _without_tier(kb, result, tiers_fact, gov_tier)
        return
    amount = (
        tier if isinstance(tier, int) else cn_to_int(str(tier).replace("元", "").replace("档", ""))
    )
    if not _tier_allowed(kb, result, tiers_fact, amount, tier, in_group):
        return
    if gov_tier is not None and amount <= gov_tier:
        _paid_by_government(kb, result, amount, gov_tier)
        return
    result.category = f"{amount}元档"
    result.personal_amount = amount
    result.reasoning.append(f"选择{amount}元档次，个人每年缴费{amount}元。")
    if gov_tier is not None:
        result.notes.append("文件没有说困难群体自行选择更高档次时政府代缴部分如何计算，请向当地人社部门确认。")
    _subsidy(kb, result, amount, in_period)
    _common_steps(kb, result)


def _check_paid(kb: KnowledgeBase, result: Result, paid) -> bool | None:
    """None when the date is refused; else whether it lies in the pension's stated period.

    Outside it (before the period the documents give the pension, or after its end), what the
    documents say about such a payment is noted, never a refusal they do not give.
    """
    period = kb.fact(result.region, "collection_period", result.year)
    value = period.value
    start = _pension_start(period, result.year)
    if start is None:
        year_end = dt.date(result.year, 12, 31)
        if paid > year_end:  # no start to name: the medical one is not the pension's
            result.use(period)
            result.problems.append(
                f"缴费日期{cn_date(paid)}不在{result.year}年度的缴费时间内（{result.year}年度到{cn_date(year_end)}结束）。"
            )
            return None
    elif not check_payment_date(kb, result, paid):
        return None
    end = parse_date(value["end"])
    if start is None and paid < _phase_start(period):
        result.use(period)
        result.notes.append(
            f"{result.region_name}的文件写的集中缴费期起始日（{cn_date(parse_date(value['start']))}）只针对"
            f"{vocabulary.scheme('medical').name}；包括{PENSION}的集中缴费阶段从{cn_date(_phase_start(period))}开始。"
            f"文件没有写{cn_date(paid)}缴纳的{PENSION}费能否算{result.year}年度，请向当地人社、税务部门确认。"
        )
        return False
    if paid > end and value.get("pension_open_all_year") != result.year:
        result.use(period)
        result.notes.append(_after_period_note(kb, result, end))
        return False
    return True


def _pension_start(period: Fact, year: int) -> dt.date | None:
    """The collection start the documents give the pension, or None (stated for medical only)."""
    schemes = period.value.get("start_schemes")
    if schemes and "pension" not in schemes:
        return None
    return parse_date(period.value["start"])


def _phase_start(period: Fact) -> dt.date:
    """The start of the collection phase that names both schemes (七（二） in Shanting)."""
    end = parse_date(period.value["end"])
    month, day = (int(n) for n in period.value["collection_phase"][0].split("-"))
    return dt.date(end.year, month, day)


def _after_period_note(kb: KnowledgeBase, result: Result, end: dt.date) -> str:
    """After the collection period: the document's words on later payments, or its silence."""
    back = kb.fact(result.region, "back_payment", result.year)
    if back is not None:
        result.use(back)
        return f"已过集中缴费期（到{cn_date(end)}）。{back.answer}"
    return (
        f"{result.region_name}的文件要求在集中缴费期内（到{cn_date(end)}）缴纳，没有写之后能否再缴"
        f"{result.year}年度的{PENSION}费，请向当地人社、税务部门确认。"
    )


def _eligible(kb: KnowledgeBase, profile: Profile, result: Result, age: int | None) -> bool:
    eligibility = kb.fact(result.region, "eligibility", result.year)
    rules = (eligibility.value if eligibility else None) or {}
    min_age = rules.get("pension_min_age")
    if min_age and age is not None and age < min_age:
        result.use(eligibility)
        result.problems.append(f"{result.region_name}参加{PENSION}须年满{min_age}周岁，{age}岁还不能参加。")
        return False
    if min_age and profile.student and rules.get("pension_excludes_students"):
        result.use(eligibility)
        result.problems.append(f"不能参加：{result.region_name}的{PENSION}不含在校学生。")
        return False
    if not min_age and (age is not None or profile.student):
        unsaid = ["年龄条件"] * (age is not None) + ["在校学生能否参加"] * bool(profile.student)
        who = "、".join([f"{age}岁"] * (age is not None) + ["在校学生"] * bool(profile.student))
        result.notes.append(
            f"{result.region_name}的文件没有写参加{PENSION}的" + "和".join(unsaid) + f"，{who}能否参加，请向当地人社部门确认。"
        )
    return True


def _is_severe(paid_for: Fact | None, profile: Profile, group: str | None, result: Result) -> bool:
    """重度残疾 as the region defines it: said outright, or a grade the region's document names."""
    if group == SEVERE_DISABILITY:
        return True
    if profile.disability_grade is None:
        return False
    grades = ((paid_for.value if paid_for else None) or {}).get("disability_grades")
    if grades is None:
        if paid_for is not None and SEVERE_DISABILITY in (paid_for.value or {}):
            result.use(paid_for)
            result.notes.append(
                f"{result.region_name}的文件没有按残疾等级定义“重度残疾人”：{profile.disability_grade}级残疾"
                "是否属于重度残疾人，请向当地人社部门或残联确认；属于的，按重度残疾人由政府代缴。"
            )
        return False
    return profile.disability_grade in grades


def _government_tier(
    kb: KnowledgeBase, profile: Profile, result: Result
) -> tuple[int | None, bool]:
    """The 代缴 standard that applies (or None, with a note saying why), and whether the person
    belongs to a recognised hardship group at all."""
    group = parse_group(profile.hardship)
    paid_for = kb.fact(result.region, "pension.government_pays", result.year)
    severe = _is_severe(paid_for, profile, group, result)
    who = SEVERE_DISABILITY if severe else group
    in_group = who not in (None, UNKNOWN)
    if who is None:
        return None, False
    if paid_for is None or not paid_for.value:
        result.notes.append(f"{result.region_name}的文件没有写政府为困难群体代缴养老保险的标准。")
        return None, in_group
    if who == UNKNOWN:
        result.notes.append(
            f"“{profile.hardship}”不是{result.region_name}文件列出的代缴群体，不按政府代缴计算；" "具体身份请向当地人社部门确认。"
        )
        return None, False
    gov_tier = paid_for.value.get(who)
    result.use(paid_for)
    if gov_tier is None:
        result.notes.append(_no_standard_note(kb, result, paid_for, who))
        return None, in_group
    result.government_amount = gov_tier
    result.reasoning.append(f"{group_label(who)}由政府按{gov_tier}元标准代缴养老保险费。")
    return gov_tier, in_group


def _no_standard_note(kb: KnowledgeBase, result: Result, paid_for: Fact, who: str) -> str:
    """A group the documents name among those paid for, without a pension standard, or silence."""
    if who not in (paid_for.value or {}).get("named_without_standard", []):
        return f"{result.region_name}的文件没有写政府为{group_label(who)}代缴养老保险费。"
    special = result.use(kb.fact(result.region, "special_groups_payment", result.year))
    said = f"文件写明：{special.answer.split('；')[0]}。" if special else ""
    stated = "、".join(group_label(g) for g in paid_for.value if g in HARDSHIP_GROUPS)
    return (
        f"{said}但{result.region_name}的文件只写了{stated}的养老保险代缴标准，没有写{group_label(who)}"
        f"养老保险的代缴条件和标准，这里不按代缴计算；是否代缴、按什么标准，请向当地人社部门确认。"
    )


def _without_tier(kb: KnowledgeBase, result: Result, tiers_fact: Fact, gov_tier) -> None:
    if gov_tier is not None:
        _paid_by_government(kb, result, None, gov_tier)
        return
    tiers = tiers_fact.value["tiers"]
    result.missing.append("tier")
    result.reasoning.append(f"{result.year}年度可选档次：" + "、".join(f"{t}元" for t in tiers) + "。")
    _common_steps(kb, result)


def _paid_by_government(kb: KnowledgeBase, result: Result, amount, gov_tier: int) -> None:
    """Within the 代缴 standard the person pays nothing, and no subsidy is claimed for it."""
    result.personal_amount = 0
    result.category = f"{gov_tier}元档（政府代缴）"
    if amount is None:
        result.reasoning.append("如果不另选档次，个人不用缴费。")
    else:
        result.reasoning.append(f"选择{amount}元档次，不高于政府代缴标准{gov_tier}元：个人不用缴费。")
        result.notes.append(
            f"{result.region_name}的文件写明政府按{gov_tier}元标准代缴，没有写自己选择的档次与政府代缴的"
            f"{gov_tier}元是什么关系（代缴是否计入所选档次）；选择{amount}元档次个人不用缴费是本助手的理解，"
            "请向当地人社部门确认。"
        )
    subsidy = kb.fact(result.region, "pension.subsidy", result.year)
    if subsidy and subsidy.status != "not_stated" and subsidy.value:
        result.use(subsidy)
        result.notes.append(
            f"{result.region_name}的文件没有说政府代缴的{gov_tier}元是否另有政府补贴，本助手不报补贴金额，请向当地人社部门确认。"
        )
    _common_steps(kb, result)


def _tier_allowed(kb, result: Result, tiers_fact: Fact, amount, tier, in_group: bool) -> bool:
    value = tiers_fact.value
    tiers = value["tiers"]
    if amount not in tiers:
        named = f"“{tier}”" if not str(tier).strip().rstrip("元档").isdigit() else f"{tier}元档次"
        result.problems.append(
            f"{result.region_name}{result.year}年度{PENSION}按金额选档，没有{named}；可选档次："
            + "、".join(f"{t}元" for t in tiers)
            + "。"
        )
        change = kb.fact(result.region, "pension.tier_change", result.year)
        if change and amount in (change.value or {}).get("retired_tiers", []):
            result.use(change)  # last year's tier, no longer offered: say what to do
            result.problems.append(change.answer + "\n" + source_line([change]))
        return False
    restricted = {int(k): v for k, v in (value.get("restricted") or {}).items()}
    if amount not in restricted or in_group:
        return True
    others = [t for t in tiers if t not in restricted]
    if value.get("restriction") == "only":
        subsidy = _subsidy_for(kb, result, amount)
        for_them = f"困难群体自己缴{amount}元档次的，政府补贴{subsidy}元。" if subsidy else ""
        result.problems.append(
            f"{result.region_name}{result.year}年度{PENSION}{amount}元档次只适用于"
            f"{restricted[amount]}的最低选择；其他居民最低选{min(others)}元档次。{for_them}"
            "属于困难群体的，请说明身份（如低保、特困、重度残疾）。\n" + source_line([tiers_fact])
        )
        return False
    result.notes.append(f"{amount}元档次原则上只适用于{restricted[amount]}的最低选择。")
    return True


def _subsidy_for(kb: KnowledgeBase, result: Result, amount: int) -> int | None:
    """The subsidy the region's document states for a tier, or None."""
    subsidy = kb.fact(result.region, "pension.subsidy", result.year)
    if not (subsidy and subsidy.status != "not_stated" and subsidy.value):
        return None
    value = subsidy.value
    by_tier = {int(k): v for k, v in value.get("by_tier", {}).items()}
    if amount in by_tier:
        return by_tier[amount]
    if value.get("from_tier") and amount >= value["from_tier"]:
        return value["from_tier_subsidy"]
    return None


def _subsidy(kb: KnowledgeBase, result: Result, amount: int, in_period: bool = True) -> None:
    subsidy = result.use(kb.fact(result.region, "pension.subsidy", result.year))
    if not (subsidy and subsidy.status != "not_stated" and subsidy.value):
        # the not-stated fact's own words say where to ask ("请…拨打12333咨询")
        said = subsidy.answer if subsidy and subsidy.status == "not_stated" else ""
        result.notes.append(said or f"{result.region_name}的文件没有写明养老保险的政府补贴金额。")
        return
    if not in_period:
        result.notes.append(
            f"{result.region_name}的文件按档次写了政府补贴，没有写这一日期的缴费是否享受补贴，" "本助手不报补贴金额，请向当地人社部门确认。"
        )
        return
    result.subsidy = _subsidy_for(kb, result, amount)
    result.subsidy_stated = result.subsidy is not None
    if result.subsidy is not None:
        result.reasoning.append(f"{amount}元档次政府补贴{result.subsidy}元。")


def _common_steps(kb: KnowledgeBase, result: Result) -> None:
    batch = kb.fact(result.region, "pension.bank_batch", result.year)
    if batch:
        result.use(batch)
        result.next_steps.append(batch.answer)
    change = kb.fact(result.region, "pension.tier_change", result.year)
    if change:
        result.use(change)
