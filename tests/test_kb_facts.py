"""Every category of fact for every region, and the traps in the sources."""

import re

import pytest

from policy_kb import lookup


@pytest.mark.parametrize(
    "region, key, expected",
    [
        # pension tiers, all of them
        ("青岛", "pension.tiers", [100, 350, 500, 800, 1000, 3000, 5000, 8000, 10000, 12000]),
        ("威海", "pension.tiers", [300, 500, 800, 1000, 2000, 3000, 5000, 8000]),
        ("山亭", "pension.tiers", [100, 350, 500, 800, 1000, 3000, 5000, 8000]),
    ],
)
def test_pension_tiers(kb, region, key, expected):
    assert kb.fact(region, key).value["tiers"] == expected


def test_tiers_restricted_to_hardship_groups(kb):
    # Weihai's 300 and Shanting's 100 are only for hardship groups; Qingdao restricts none.
    # JSON object keys are strings once stored
    assert list(kb.fact("威海", "pension.tiers").value["restricted"]) == ["300"]
    assert list(kb.fact("山亭", "pension.tiers").value["restricted"]) == ["100"]
    assert kb.fact("青岛", "pension.tiers").value["restricted"] == {}
    assert kb.fact("青岛", "pension.tiers").value["cap"] == 12000


def test_pension_paid_by_government(kb):
    assert kb.fact("青岛", "pension.government_pays").value == {
        "低保": 100,
        "特困": 100,
        "脱贫": 100,
        "重度残疾": 500,
    }
    assert kb.fact("山亭", "pension.government_pays").value["重度残疾"] == 100
    assert kb.fact("威海", "pension.government_pays") is None


def test_pension_subsidies(kb):
    st = kb.fact("山亭", "pension.subsidy").value
    assert st["by_tier"] == {"100": 30, "350": 30, "500": 60}
    assert (st["from_tier"], st["from_tier_subsidy"]) == (800, 80)
    # Qingdao and Weihai state no pension subsidy: recorded as not stated, never borrowed.
    for region in ("青岛", "威海"):
        fact = kb.fact(region, "pension.subsidy")
        assert fact.status == "not_stated" and fact.value is None
        assert not re.search(r"\b(30|60|80)元", fact.answer)


@pytest.mark.parametrize(
    "region, expected",
    [
        # Qingdao: 一档 is dearer than 二档
        ("青岛", {"一档": 462, "二档": 395, "少年儿童": 395, "大学生": 150}),
        # Weihai: the other way round
        ("威海", {"一档": 450, "二档": 650, "少年儿童": 300, "大学生": 300}),
        # Shanting: one personal rate of a 1020 total
        ("山亭", {"居民": 380, "total": 1020}),
    ],
)
def test_medical_personal_contribution(kb, region, expected):
    # Chinese keys are the rates; English keys are the rules beside them (adult age, tiers)
    value = kb.fact(region, "medical.personal").value
    assert {k: v for k, v in value.items() if not k.isascii() or k == "total"} == expected


def test_tier_order_trap(kb):
    qd, wh = kb.fact("青岛", "medical.personal"), kb.fact("威海", "medical.personal")
    assert qd.value["一档"] > qd.value["二档"]
    assert wh.value["二档"] > wh.value["一档"]
    assert "二档比一档贵" in wh.answer and "一档比二档贵" in qd.answer


def test_medical_subsidies(kb):
    assert kb.fact("青岛", "medical.subsidy").value["一档"] == 850
    assert kb.fact("青岛", "medical.subsidy").value["大学生"] == 770
    assert kb.fact("山亭", "medical.subsidy").value == {"居民": 640}
    assert kb.fact("威海", "medical.subsidy").status == "not_stated"


def test_shanting_medical_paid_in_full_or_half(kb):
    value = kb.fact("山亭", "medical.government_pays").value
    # 004 五（一）: 特困人员、城乡最低生活保障对象、返贫致贫人口、低保边缘家庭成员及防止返贫监测帮扶对象
    # — 返贫致贫人口, not every 脱贫户 (issue 11 finding 2)
    assert set(value["full"]) == {"特困", "低保", "返贫致贫", "低保边缘", "监测帮扶"}
    assert (value["full_from_age"], value["half_from_age"], value["half_to_age"]) == (70, 60, 69)
    assert value["half_share"] == 0.5
    assert kb.fact("青岛", "medical.government_pays").status == "not_stated"


@pytest.mark.parametrize(
    "region, start, end",
    [
        ("青岛", "2023-09-01", "2023-12-31"),
        ("威海", "2023-09-01", "2023-12-31"),
        ("山亭", "2023-10-01", "2023-12-31"),
    ],
)
def test_collection_periods(kb, region, start, end):
    value = kb.fact(region, "collection_period").value
    assert (value["start"], value["end"]) == (start, end)


def test_shanting_phases_recorded_beside_the_collection_period(kb):
    fact = kb.fact("山亭", "collection_period")
    assert fact.value["preparation"] == ["10-01", "10-15"]
    assert fact.value["collection_phase"] == ["10-16", "12-31"]
    assert "不一致" in fact.note


def test_qingdao_bank_batch_is_pension_only(kb):
    fact = kb.fact("青岛", "pension.bank_batch")
    assert fact.value == {
        "start": "12-01",
        "end": "12-20",
        "confirm_tier_before": "12-01",
        "schemes": ["pension"],
    }
    assert fact.scheme == "pension" and "医保不能批扣" in fact.answer


@pytest.mark.parametrize(
    "region, key, field, expected",
    [
        ("青岛", "medical.waiting_period", "months", 3),
        ("威海", "medical.waiting_period", "months", 3),
        ("山亭", "medical.waiting_period", "days", 30),
        ("威海", "medical.newborn", "from_birth_within_months", 6),
        ("威海", "medical.newborn", "next_month_within_months", 12),
        ("威海", "medical.students", "school_max_age", 18),
        ("威海", "medical.students", "college_max_age", 22),
        ("威海", "medical.benefit_period", "end", "2024-12-31"),
        ("青岛", "medical.benefit_period", "start", "2024-01-01"),
    ],
)
def test_benefit_waiting_newborn_student_rules(kb, region, key, field, expected):
    assert kb.fact(region, key).value[field] == expected


@pytest.mark.parametrize(
    "region, key, fragment",
    [
        ("威海", "channels.wechat", "山东税务社保费缴纳"),
        ("威海", "channels.alipay", "市民中心-社保-社保缴费"),
        ("威海", "channels.aishandong", "社保费缴纳"),
        ("威海", "channels.village_devices", "“农金通”“裕农通”“惠农通”"),
        ("威海", "channels.halls", "社保医保大厅税务联办窗口"),
        ("青岛", "channels.online", "云闪付（“城市服务”）"),
        ("青岛", "channels.digital_rmb", "数字人民币"),
        ("青岛", "channels.offline", "青岛农商银行"),
        ("山亭", "channels.collected", "裕农通、银联二维码"),
        ("山亭", "channels.self", "爱山东App"),
        ("青岛", "medical.family_account", "掌办大厅—掌上办—我的医保—医保个账—个人账户近亲属共用"),
        ("威海", "medical.students", "“城乡居民”-“社保费补缴”"),
        ("威海", "pension.back_payment", "身份证原件"),
        ("威海", "registration", "户口本"),
        ("青岛", "registration", "街道保障中心"),
        ("山亭", "registration", "人社、医保部门"),
        ("青岛", "pension.tier_change", "6000元"),
        ("青岛", "medical.tier_change", "沿用上一年度"),
        ("山亭", "refund", "原则上不予退费"),
        ("山亭", "back_payment", "中断补缴"),
        ("青岛", "medical.collector", "学前教育机构"),
        ("山亭", "publicity", "公示"),
        ("青岛", "eligibility.residence_permit", "山东省居住证"),
        ("青岛", "eligibility.hk_macau_taiwan", "港澳台居民往来内地通行证"),
        ("山亭", "eligibility", "年满16周岁（不含在校学生）"),
        ("山亭", "eligibility", "未参加城镇职工养老、医疗保险"),
        ("山亭", "fraud_warning", "严禁通过个人存款账户归集居民个人缴费"),
    ],
)
def test_procedures_channels_and_menu_paths(kb, region, key, fragment):
    assert fragment in kb.fact(region, key).answer


@pytest.mark.parametrize(
    "region, purpose, phones, account",
    [
        ("青岛", "pension", ["12333"], "青岛人社"),
        ("青岛", "payment", ["12366"], "青岛税务"),
        ("青岛", "medical", [], "青岛医疗保障"),
        ("威海", "pension", ["12333"], "威海人社发布"),
        ("威海", "medical", ["5190857"], "威海医保局"),
        ("威海", "payment", ["5690238"], "威海税务"),
    ],
)
def test_hotlines_per_topic(kb, region, purpose, phones, account):
    fact = kb.fact(region, f"hotline.{purpose}")
    assert fact.value["phones"] == phones and account in fact.value["accounts"]


def test_qingdao_office_table_is_not_paired(kb):
    # Only 莱西 stands on one line with its number; no other office gets a number.
    offices = [f for f in kb.facts("青岛", topic="hotline") if f.district]
    assert [(f.district, f.value["phone"]) for f in offices] == [("莱西", "0532-66035833")]
    unpaired = kb.fact("青岛", "hotline.medical_offices_unpaired")
    assert unpaired.status == "unverified" and len(unpaired.value["unpaired_numbers"]) == 8
    assert not re.search(r"0532-\d{8}", unpaired.answer)
    # a district without a certain number falls back to the city-level channels
    answer = "\n".join(f.answer for f in lookup(kb, "市南 医保 电话").facts)
    assert "青岛医疗保障" in answer and "12366" in answer
    assert not re.search(r"0532-\d{8}", answer)
    assert "0532-66035833" in "\n".join(f.answer for f in lookup(kb, "莱西 医保 电话").facts)


def test_shanting_never_gives_a_phone_number(kb):
    # The plan lists none; nothing may ever give another region's number for Shanting.
    for query in ("山亭 电话", "山亭 医保 电话", "山亭 养老 咨询", "枣庄山亭 缴费 热线"):
        result = lookup(kb, query)
        assert result.place.region == "山亭" and result.facts
        text = "\n".join(f.answer + str(f.value) for f in result.facts)
        assert not re.search(r"\d{5,}|0532|0631", text), text
    for fact in kb.facts("山亭"):
        assert not re.search(r"12333|12366|5190857|5690238|0532", fact.answer + str(fact.value))


def test_press_reports_are_not_entered_twice(kb):
    # 001 and 003 report the same facts: one fact, citing both, not two facts.
    qd = kb.facts("青岛")
    assert len({f.answer for f in qd}) == len(qd)
    files = {c.file for c in kb.fact("青岛", "medical.personal").citations}
    assert files == {
        "000_00aa9730d2148b40.txt",
        "001_4c8884ade9bbb4b3.txt",
        "003_67a858a48ec04839.txt",
    }


def test_interpretations_are_written_next_to_the_facts(kb):
    for region, key in [
        ("青岛", "medical.waiting_period"),
        ("威海", "medical.newborn"),
        ("威海", "medical.students"),
        ("山亭", "medical.government_pays"),
        ("青岛", "medical.collector"),
        ("青岛", "eligibility.hk_macau_taiwan"),
    ]:
        assert len(kb.fact(region, key).note) > 20


@pytest.mark.parametrize(
    "query, region, topic",
    [
        ("威海 医保 电话", "威海", "hotline"),
        ("黄岛 医保 多少钱", "青岛", "tiers"),
        ("青島 醫保 電話", "青岛", "hotline"),  # Traditional characters
        ("qingdao 养老 档次", "青岛", "tiers"),
        ("山亭 退费", "山亭", "refund"),
        ("威海 新生儿", "威海", "newborn"),
    ],
)
def test_keyword_lookup(kb, query, region, topic):
    result = lookup(kb, query)
    assert result.place.region == region and result.topic == topic and result.facts
    assert all(f.region == region for f in result.facts)


def test_full_text_search_in_chinese(kb):
    hits = kb.search("数字人民币")
    assert hits and hits[0].key == "channels.digital_rmb"
    assert kb.search("近亲属共用")[0].key == "medical.family_account"
    assert kb.search("") == [] and kb.search("!!!") == []
