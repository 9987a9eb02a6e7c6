"""Questions that set figures side by side: regions, tiers, the lowest or highest tier.

"青岛和威海医保一档哪个贵，差多少", "三个地方养老最低档分别是多少", "哪里的医保等待期最短",
"青岛一档比二档多交多少", "我不是低保也不是残疾人，山亭养老最低能交多少" (last year's tier and
a bare "山亭医保" are one_region's). Every figure is a fact's value; every line names its region; the sources of every region close the answer.
"""

from __future__ import annotations

from policy_kb.answering.answers import Answer, adult_tiers, heading, unique, yuan
from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.reading.question import Question
from policy_kb.text.dates import cn_date, parse_date

MEDICAL = vocabulary.scheme("medical").name


# ---------------------------------------------------------------------- helpers
def _difference_line(a_label: str, a: int, b_label: str, b: int, more: str = "贵") -> str:
    unit = "元"
    if a == b:
        return f"{a_label}和{b_label}一样。"
    high, low = ((a_label, a), (b_label, b)) if a > b else ((b_label, b), (a_label, a))
    gap = high[1] - low[1]
    return f"{high[0]}比{low[0]}{more}{gap}{unit}（{high[1]}－{low[1]}＝{gap}）。"


def _scheme(question: Question) -> str | None:
    if question.scheme:
        return question.scheme
    if question.med_tiers:
        return "medical"
    if question.amounts:
        return "pension"
    return None


def _pension_floor(fact: Fact, not_hardship: bool) -> tuple[int, str]:
    """The lowest tier one may choose, and a note on a tier kept for hardship groups."""
    tiers = sorted(fact.value["tiers"])
    restricted = {int(k): v for k, v in (fact.value.get("restricted") or {}).items()}
    open_tiers = [t for t in tiers if t not in restricted]
    if not restricted:
        return tiers[0], ""
    kept = "、".join(f"{t}元档是{who}的最低选择" for t, who in restricted.items())
    if not_hardship:
        return open_tiers[0], f"（{kept}，您不属于这类人员）"
    return open_tiers[0], f"（{kept}，其他居民最低{open_tiers[0]}元）"


# ---------------------------------------------------------------------- tiers within a region
def tier_difference(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "青岛一档比二档多交多少": two tiers of one region and the difference."""
    if len(question.regions) != 1 or not question.wants("difference", "compare"):
        return None
    region = question.regions[0]
    if len(set(question.med_tiers)) == 2:
        fact = kb.fact(region, "medical.personal")
        rates = fact.value
        if not adult_tiers(kb, region):
            return Answer(
                f"{heading(kb, region, 'medical')}{fact.answer}\n{source_line([fact])}", [fact]
            )
        first, second = question.med_tiers[0], question.med_tiers[1]
        text = (
            f"{heading(kb, region, 'medical')}成年居民{first}{rates[first]}元，{second}{rates[second]}元；"
            + _difference_line(first, rates[first], second, rates[second])
        )
        return Answer(f"{text}\n{source_line([fact])}", [fact])
    if len(question.amounts) == 2 and _scheme(question) in (None, "pension"):
        fact = kb.fact(region, "pension.tiers")
        a, b = question.amounts
        missing = [t for t in (a, b) if t not in fact.value["tiers"]]
        if missing:
            text = f"{heading(kb, region, 'pension')}没有{yuan(missing)}档次；可选档次：{yuan(fact.value['tiers'])}。"
        else:
            text = f"{heading(kb, region, 'pension')}{max(a, b)}元档比{min(a, b)}元档每年多交{abs(a - b)}元（{max(a, b)}－{min(a, b)}＝{abs(a - b)}）。"
        return Answer(f"{text}\n{source_line([fact])}", [fact])
    return None


def lowest_or_highest_tier(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "山亭养老最低能交多少" (with "我不是低保" taken into account), "威海医保最低哪档"."""
    if len(question.regions) != 1 or not question.wants("minimum", "maximum"):
        return None
    region, scheme = question.regions[0], _scheme(question)
    line, fact = _extreme_line(kb, region, scheme, question)
    if line is None:
        return None
    return Answer(f"{heading(kb, region, scheme)}{line}\n{source_line([fact])}", [fact])


def _extreme_line(kb, region, scheme, question) -> tuple[str | None, Fact | None]:
    lowest = question.wants("minimum")
    if scheme == "pension":
        fact = kb.fact(region, "pension.tiers")
        if lowest:
            floor, note = _pension_floor(fact, question.not_hardship)
            kept = "、".join(f"{t}元" for t in (fact.value.get("restricted") or {}))
            if question.wants("yes_no") and question.not_hardship and kept:
                # "我不是残疾 能选最低的吗": the yes/no first, then the lowest one may choose
                return f"不能选{kept}档{note}，您能选的最低是{floor}元档。", fact
            return f"养老保险最低{floor}元{note}。", fact
        return f"养老保险最高{max(fact.value['tiers'])}元档。", fact
    if scheme == "medical":
        fact = kb.fact(region, "medical.personal")
        rates = {k: fact.value[k] for k in adult_tiers(kb, region)}
        if not rates:
            return f"{MEDICAL}不分档，成年居民个人缴费{fact.value.get('居民')}元。", fact
        pick = (min if lowest else max)(rates, key=rates.get)
        word = "低" if lowest else "高"
        others = "，".join(f"{k}{v}元" for k, v in rates.items())
        return f"成年{MEDICAL}{others}，{pick}最{word}（{rates[pick]}元）。", fact
    return None, None


# ---------------------------------------------------------------------- regions side by side
def between_regions(kb: KnowledgeBase, question: Question) -> Answer | None:
    """Two or three regions side by side on one measure, with the comparison asked for."""
    if len(question.regions) < 2:
        return None
    for rows_of, measure in (
        (_waiting_rows, "time"),
        (_tier_rows, "money"),
        (_extreme_rows, "money"),
        (_period_rows, "time"),
    ):
        rows = rows_of(kb, question)
        if rows:
            return _table(kb, question, rows, measure)
    return None


def _waiting_rows(kb, question) -> list[tuple[str, Fact, str, float]] | None:
    if question.topic not in ("waiting", "benefit") and "等待期" not in question.text:
        return None
    rows = []
    for region in question.regions:
        fact = kb.fact(region, "medical.waiting_period")
        value = fact.value if fact else None
        if not value:
            continue
        days = value.get("days") or value["months"] * 30
        span = f"{value['days']}日" if value.get("days") else f"{value['months']}个月"
        rows.append((region, fact, f"集中缴费期后缴费的等待期{span}", days))
    return rows


def _rates(fact: Fact) -> dict[str, int]:
    """A medical.personal value's yearly amounts by category (一档, 大学生, 居民…), without
    the rules stored beside them (adult_age, adult_tiers) or the total."""
    return {
        k: v
        for k, v in (fact.value or {}).items()
        if isinstance(v, int) and not k.isascii() and k != "total"
    }


def _categories(kb, question) -> list[str]:
    """The tier or category a comparison is about: "一档", or "大学生" named in the text."""
    tiers = list(dict.fromkeys(question.med_tiers))
    if tiers:
        return tiers
    named = {k for r in question.regions for k in _rates(kb.fact(r, "medical.personal"))}
    return [k for k in sorted(named, key=question.text.find) if k in question.text]


def _tier_rows(kb, question) -> list | None:
    categories = _categories(kb, question)
    single = len(categories) == 1
    if _scheme(question) != "medical" or (question.wants("minimum", "maximum") and not single):
        return None
    if question.topic not in (None, "tiers", "students"):
        return None
    rows = []
    for region in question.regions:
        fact = kb.fact(region, "medical.personal")
        rates = _rates(fact)
        if single and categories[0] in rates:
            rows.append(
                (region, fact, f"{categories[0]}{rates[categories[0]]}元", rates[categories[0]])
            )
        elif single and "居民" in rates:
            rows.append((region, fact, f"不分档，{rates['居民']}元", rates["居民"]))
        else:
            parts = "，".join(f"{k}{v}元" for k, v in rates.items())
            rows.append((region, fact, parts, None))
    return rows


def _extreme_rows(kb, question) -> list | None:
    pension = vocabulary.scheme("pension").short
    scheme = _scheme(question) or ("pension" if pension in question.text else None)
    if not question.wants("minimum", "maximum") or scheme is None:
        return None
    if scheme == "medical" and len(set(question.med_tiers)) == 1:
        return None  # "三个地方医保一档谁最贵" compares that tier (_tier_rows)
    rows = []
    for region in question.regions:
        line, fact = _extreme_line(kb, region, scheme, question)
        if line:
            number = _first_number(line)
            rows.append((region, fact, line.rstrip("。"), number))
    return rows


def _period_rows(kb, question) -> list | None:
    if question.topic != "deadline":
        return None
    rows = []
    for region in question.regions:
        fact = kb.fact(region, "collection_period")
        if fact and fact.value:
            start, end = parse_date(fact.value["start"]), parse_date(fact.value["end"])
            span = f"{cn_date(start)}至{cn_date(end)}"
            rows.append((region, fact, f"集中缴费期{span}", None))
    return rows


def _first_number(text: str) -> int | None:
    import re

    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


def _table(kb, question, rows, measure: str) -> Answer:
    year = "、".join(dict.fromkeys(f"{kb.year_for(r)}年度" for r, *_ in rows))
    lines = [f"【{year} 各地对比】"]
    lines += [f"· {kb.region_name(r)}：{text}" for r, _, text, _ in rows]
    numbered = [(r, n) for r, _, _, n in rows if n is not None]
    if len(numbered) >= 2 and len(numbered) == len(rows):
        lines.append(_verdict(kb, question, numbered, measure))
    facts = unique([f for _, f, _, _ in rows])
    lines += [f"{kb.region_name(f.region)}{source_line([f])}" for f in facts]
    return Answer("\n".join(line for line in lines if line), facts)


# what "more" and "less" mean for a measure: money is dearer or cheaper, a wait longer or shorter
_WORDS = {"money": ("贵", "便宜"), "time": ("长", "短")}


def _verdict(kb, question, numbered: list[tuple[str, float]], measure: str = "money") -> str:
    names = {r: kb.region_name(r) for r, _ in numbered}
    more, less = _WORDS[measure]
    if measure == "money" and question.wants("minimum", "maximum"):
        more, less = "高", "低"  # tiers are higher or lower, not dearer
    low = question.wants("shortest", "minimum") or any(
        w in question.text for w in ("便宜", "低", "最少", "短")
    )
    pick = min if low else max
    word = less if low else more
    best = pick(numbered, key=lambda x: x[1])[1]
    ties = [r for r, n in numbered if n == best]
    if len(ties) == len(numbered):
        return "、".join(names[r] for r in ties) + "一样。"
    who = "、".join(names[r] for r in ties)
    line = f"{who}{'最' if len(numbered) > 2 else '更'}{word}。"
    if measure == "money" and len(numbered) == 2 and question.wants("difference", "compare"):
        (ra, a), (rb, b) = numbered
        line += _difference_line(names[ra], int(a), names[rb], int(b), more)
    return line


# ---------------------------------------------------------------------- other shapes
