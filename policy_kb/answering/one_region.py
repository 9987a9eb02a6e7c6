"""Short answers about one region that are not comparisons: last year's pension tier asked
about this year ("去年交的600档，今年还能按600扣吗"), and a bare region and scheme ("山亭医保"),
answered with the headline amounts."""

from __future__ import annotations

from policy_kb.answering.answers import Answer, heading, unique, yuan
from policy_kb.data.kb import KnowledgeBase, source_line
from policy_kb.reading.question import Question, strip_names


def last_year_tier(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "去年交的600档，今年还能按600扣吗": last year's pension tier in 2024."""
    if not question.last_year_choice or len(question.regions) != 1 or not question.amounts:
        return None
    region, amount = question.regions[0], question.amounts[0]
    tiers = kb.fact(region, "pension.tiers")
    change = kb.fact(region, "pension.tier_change")
    retired = (change.value or {}).get("retired_tiers", []) if change else []
    if amount in tiers.value["tiers"]:
        text = f"可以选。{amount}元仍是{kb.year_for(region)}年度的缴费档次。"
    elif amount in retired:
        text = f"不能。{change.answer}"
    else:
        text = f"不能。{kb.year_for(region)}年度没有{amount}元档次，需要重新选择档次。"
    text += f"\n{kb.year_for(region)}年度可选档次：{yuan(tiers.value['tiers'])}。"
    facts = unique([change, tiers])
    return Answer(f"{heading(kb, region, 'pension')}{text}\n{source_line(facts)}", facts)


def headline(kb: KnowledgeBase, question: Question) -> Answer | None:
    """A bare "山亭医保" / "威海养老": the region's headline amounts for that scheme."""
    if question.topic or len(question.regions) != 1 or not question.scheme:
        return None
    if len(strip_names(kb, question.text).strip("的呢啊吧？?。！!，, 保险")) > 2:
        return None
    region = question.regions[0]
    key = "medical.personal" if question.scheme == "medical" else "pension.tiers"
    fact = kb.fact(region, key)
    return Answer(f"{heading(kb, region)}{fact.answer}\n{source_line([fact])}", [fact])
