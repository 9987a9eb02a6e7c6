"""Issue 11 B (findings 1-9) and issue 10 item 9: what each fact says, clause by clause.

Every case names the clause of the seed document it follows (000 Qingdao notice, 001/003 the
Qingdao reports, 002 Weihai notice, 004 Shanting plan). The quotes themselves are verified
against the seeds by ``shebao check`` (tests/test_kb_sources.py).
"""

from __future__ import annotations

import pytest

from policy_kb import lookup
from policy_kb.answering import render
from policy_kb.text.normalize import compact


def quotes(fact) -> str:
    return "".join(compact(c.quote) for c in fact.citations)


def clauses(fact) -> list[str]:
    return [c.clause for c in fact.citations]


# ---------------------------------------------------------------------- finding 1
def test_shantings_no_refund_sentence_applies_to_medical_only(kb):
    # 004 五（一）: "2024年1月1日后，原则上不予退费。" closes the medical paragraph
    refund = kb.fact("山亭", "refund")
    assert refund.scheme == "medical" and "居民医保" in refund.answer
    pension_refund = kb.facts("山亭", topic="refund", scheme="pension")
    assert [f.key for f in pension_refund] == ["pension.refund"]
    # the plan has no pension refund rule: said so, with who handles refunds (六（二）6, 六（四）2)
    assert pension_refund[0].status == "not_stated"
    assert {"六（二）6", "六（四）2"} <= set(clauses(pension_refund[0]))
    assert "不予退费" not in pension_refund[0].answer.split("（")[0]


# ---------------------------------------------------------------------- finding 2
def test_shantings_medical_list_names_returned_to_poverty_not_every_poverty_household(kb):
    # 004 五（一）: 特困人员、城乡最低生活保障对象、返贫致贫人口、低保边缘家庭成员及防止返贫监测帮扶对象
    fact = kb.fact("山亭", "medical.government_pays")
    assert "返贫致贫" in fact.value["full"] and "脱贫" not in fact.value["full"]
    assert "返贫致贫人口" in quotes(fact)


# ---------------------------------------------------------------------- finding 3
def test_shantings_pension_note_matches_what_the_calculator_does(kb):
    # 004 五（一）: 由政府为其代缴养老保险费，缴费标准为每人每年100元 (subsidy not stated for it)
    note = kb.fact("山亭", "pension.government_pays").note
    assert "计算器只报告代缴，不报补贴" not in note
    assert "不报补贴金额" in note


# ---------------------------------------------------------------------- finding 4
def test_the_day_ages_are_counted_at_is_written_once(kb):
    # one rule: collection_period.age_on; no other fact names another day
    for region in ("青岛", "威海", "山亭"):
        assert kb.fact(region, "collection_period").value["age_on"] == "2023-12-31"
    for fact in kb.all_facts():
        if fact.key != "collection_period":
            assert "2024年1月1日）" not in fact.note and "按2024年1月1日" not in fact.note, fact.key


# ---------------------------------------------------------------------- finding 5
def test_qingdao_offers_12333_for_pension_policy_only(kb):
    # 000 四: 居民基本养老保险政策…12333; 居民社会医疗保险政策…各区市医保经办机构; 缴费事宜…12366
    unpaired = kb.fact("青岛", "hotline.medical_offices_unpaired")
    assert "12333" not in unpaired.answer and "12366" in unpaired.answer
    assert "12333" not in quotes(unpaired)
    medical_lines = render.facts_text(kb.hotlines("青岛", "medical", district="黄岛"), kb)
    assert "12333" not in medical_lines and "青岛医疗保障" in medical_lines
    assert "12333" in kb.fact("青岛", "hotline.pension").answer


# ---------------------------------------------------------------------- finding 6
def test_qingdaos_deadline_names_whom_the_notice_names(kb):
    # 000 五（三）: 采取其他方式缴纳社保费的居民应在2023年12月31日前…
    fact = kb.fact("青岛", "collection_period")
    assert "采取其他方式缴纳社保费的居民" in fact.answer
    assert "不走银行批扣" not in fact.answer
    assert "五（一）" in fact.note  # the reading is written down as a reading


# ---------------------------------------------------------------------- finding 7
def test_qingdaos_family_account_answer_keeps_the_reports_example_an_example(kb):
    # 003 第6段 (本报9月18日讯 / 近年来 / 2024年 / 针对 / 参保人办理 / 我市职工参保人): 例如…子女…
    fact = kb.fact("青岛", "medical.family_account")
    assert set(clauses(fact)) == {"报道第6段"}
    assert "例子" in fact.answer and "为子女缴纳" in fact.answer
    assert "为家人缴纳的居民医保费提取" not in fact.answer
    assert "报道没有另写" in fact.answer


# ---------------------------------------------------------------------- finding 8
def test_shantings_own_channels_are_the_plans_list_not_an_instruction_to_collectors(kb):
    # 004 二（三）: 电子税务局、微信小程序、支付宝、爱山东App、移动POS机、银联商务二维码
    fact = kb.fact("山亭", "channels.self")
    assert "二（三）" in clauses(fact)
    assert fact.value["listed"] == ["电子税务局", "微信小程序", "支付宝", "爱山东App", "移动POS机", "银联商务二维码"]
    assert "应按操作步骤规范操作" not in fact.answer
    assert "使用建行移动POS机缴费的，应根据操作步骤规范操作" not in quotes(fact)
    # 004 五（四）4: the POS instruction is to collectors, and stays with the collectors' fact
    collected = kb.fact("山亭", "channels.collected")
    assert "代办员参照清册" in quotes(collected) and "代办员" in collected.answer


# ---------------------------------------------------------------------- finding 9
@pytest.mark.parametrize(
    "key, clause",
    [
        # 004 六（二）1: 负责城乡居民基本养老保险的政策宣传等工作
        ("hotline.pension", "六（二）1"),
        # 004 六（三）1: 负责城乡居民基本医疗保险的政策宣传等工作
        ("hotline.medical", "六（三）1"),
    ],
)
def test_shantings_department_duties_cite_their_numbered_item(kb, key, clause):
    fact = kb.fact("山亭", key)
    assert clauses(fact)[0] == clause
    assert clause[:-1] not in clauses(fact)  # the bare 六（二）/六（三） is gone


# ---------------------------------------------------------------------- issue 10 item 9
@pytest.mark.parametrize(
    "region, key, topic, words, clause",
    [
        # 001 报道第1段 / 003 报道第2段: 自2020年以来…连续第五年维持个人缴费标准不变
        ("青岛", "medical.rates_unchanged", "rate_history", "连续第五年", "报道第1段"),
        # 000 五（一）2 / 001 报道第1段: pupils and kindergarten children through school
        ("青岛", "medical.students_via_school", "students", "幼儿园", "五（一）2"),
        # 004 六（一）4 and 七（三）: the roster is published in each village, until 31 January
        ("山亭", "publicity", "collector", "次年1月31日", "七（三）"),
        # 004 六（九）: 区审计局…严查截留、挪用社保金、超标准收费
        ("山亭", "supervision", "supervision", "区审计局", "六（九）"),
    ],
)
def test_what_the_documents_say_that_answers_never_reached_is_now_a_fact(
    kb, region, key, topic, words, clause
):
    fact = kb.fact(region, key)
    assert fact.topic == topic and words in fact.answer and clause in clauses(fact)


def test_qingdaos_rates_unchanged_fact_holds_its_numbers(kb):
    assert kb.fact("青岛", "medical.rates_unchanged").value == {"since": 2020, "years": 5}


def test_shantings_roster_is_published_until_31_january(kb):
    assert kb.fact("山亭", "publicity").value["until"] == "2024-01-31"


@pytest.mark.parametrize(
    "query, key",
    [
        # a resident's words, not the plan's, find the audit office
        ("山亭 村里多收了钱找谁", "supervision"),
        ("山亭 社保钱被挪用了找谁", "supervision"),
        ("山亭 乱收费 投诉", "supervision"),
        ("山亭 缴费名单 公示到什么时候", "publicity"),
        ("青岛 医保 今年涨价了吗", "medical.rates_unchanged"),
        ("青岛 孩子 上幼儿园 医保 学生", "medical.students_via_school"),
    ],
)
def test_shebao_lookup_finds_the_new_facts(kb, query, key):
    found = lookup(kb, query)
    assert key in [f.key for f in found.facts], [f.key for f in found.facts]


def test_a_topic_a_region_has_no_fact_on_falls_back_to_the_next_topic_asked(kb):
    # Weihai's notice names no supervising office: "找谁" still gets whom to call (002 四)
    found = lookup(kb, "威海 多收了钱找谁")
    assert found.topic == "supervision"
    assert {f.key for f in found.facts} >= {"hotline.payment"}
