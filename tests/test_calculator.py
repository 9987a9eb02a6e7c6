"""The calculator: the required worked examples, the chosen interpretations, bad inputs."""

import datetime as dt
import re

import pytest

from policy_kb import Profile, calculate, calculate_household
from policy_kb.rules.calculator import add_months

D = dt.date


@pytest.mark.parametrize(
    "profile, personal, government",
    [
        # Shanting, 65: half of 380 paid by the government
        (Profile(region="山亭", scheme="medical", age=65), 190, 190),
        # Shanting, 72: paid in full by the government
        (Profile(region="山亭", scheme="medical", age=72), 0, 380),
        # Shanting, exactly 70 counts as 70+ ("70岁（含70岁）以上")
        (Profile(region="山亭", scheme="medical", age=70), 0, 380),
        # Shanting, exactly 60 is in the 60-69 band
        (Profile(region="山亭", scheme="medical", age=60), 190, 190),
        # Shanting, 59: full personal contribution
        (Profile(region="山亭", scheme="medical", age=59), 380, None),
        # Shanting, 低保 at 40: paid in full
        (Profile(region="山亭", scheme="medical", age=40, hardship="低保户"), 0, 380),
        # Shanting, age from birth date at the payment date: 69 on 2023-11-01
        (
            Profile(
                region="山亭", scheme="medical", birth_date=D(1954, 5, 1), payment_date=D(2023, 11, 1)
            ),
            190,
            190,
        ),
    ],
)
def test_shanting_medical(kb, profile, personal, government):
    result = calculate(kb, profile)
    assert result.status == "ok"
    assert (result.personal_amount, result.government_amount) == (personal, government)
    assert result.subsidy == 640 and result.citations


@pytest.mark.parametrize(
    "tier, hardship, subsidy",
    [
        (500, None, 60),
        (1000, None, 80),
        (350, None, 30),
        # the 100 tier is only for hardship groups (004 五（一）): a 低保 member who pays it
        (100, "低保", 30),
        (800, None, 80),
        (8000, None, 80),
    ],
)
def test_shanting_pension_subsidy(kb, tier, hardship, subsidy):
    result = calculate(kb, Profile(region="山亭", scheme="pension", tier=tier, hardship=hardship))
    assert result.status == "ok" and result.subsidy == subsidy and result.personal_amount == tier


def test_qingdao_household_two_adults_tier1_and_a_pupil(kb):
    result = calculate_household(
        kb, "青岛", [Profile(tier="一档"), Profile(tier="一档"), Profile(student="school", age=8)]
    )
    assert result.status == "ok" and result.personal_amount == 1319
    assert [m.personal_amount for m in result.per_person] == [462, 462, 395]


@pytest.mark.parametrize(
    "paid, start",
    [
        # within 6 months of birth: covered from the birth date
        (D(2024, 8, 20), D(2024, 3, 10)),
        # month 7-12: from the month after payment
        (D(2024, 11, 15), D(2024, 12, 1)),
        # exactly 6 months after birth still counts as "6个月（含）内"
        (D(2024, 9, 10), D(2024, 3, 10)),
        (D(2024, 9, 11), D(2024, 10, 1)),
    ],
)
def test_weihai_newborn(kb, paid, start):
    result = calculate(
        kb, Profile(region="威海", scheme="medical", birth_date=D(2024, 3, 10), payment_date=paid)
    )
    assert result.status == "ok" and result.benefit_start == start
    assert result.personal_amount == 300


def test_qingdao_late_payment_has_three_month_waiting_period(kb):
    result = calculate(
        kb, Profile(region="青岛", scheme="medical", tier="一档", payment_date=D(2024, 2, 15))
    )
    assert result.status == "ok"
    assert result.waiting_until == D(2024, 5, 14) and result.benefit_start == D(2024, 5, 15)
    assert any("3个月" in line for line in result.reasoning)


@pytest.mark.parametrize(
    "region, paid, start",
    [
        # paying on 1 January is already "after 1 January" (the period ended on 12-31)
        ("青岛", D(2024, 1, 1), D(2024, 4, 1)),
        # in the collection period: covered from 1 January
        ("青岛", D(2023, 12, 31), D(2024, 1, 1)),
        # Shanting: 30 days
        ("山亭", D(2024, 2, 15), D(2024, 3, 16)),
        ("威海", D(2024, 6, 30), D(2024, 9, 30)),
    ],
)
def test_benefit_start_interpretations(kb, region, paid, start):
    tier = "二档" if region != "山亭" else None
    result = calculate(kb, Profile(region=region, scheme="medical", tier=tier, payment_date=paid))
    assert result.benefit_start == start


def test_weihai_student_age_boundaries(kb):
    # exactly 22: still the regular 居民医疗 menu; 23: 社保费补缴
    at_22 = calculate(kb, Profile(region="威海", scheme="medical", student="college", age=22))
    at_23 = calculate(kb, Profile(region="威海", scheme="medical", student="college", age=23))
    assert at_22.personal_amount == at_23.personal_amount == 300
    assert "居民医疗" in at_22.next_steps[-1] and "社保费补缴" in at_23.next_steps[-1]


def test_qingdao_pension_hardship_paid_by_government(kb):
    result = calculate(kb, Profile(region="青岛", scheme="pension", hardship="低保"))
    assert (result.personal_amount, result.government_amount) == (0, 100)
    severe = calculate(kb, Profile(region="青岛", scheme="pension", hardship="重度残疾人"))
    assert (severe.personal_amount, severe.government_amount) == (0, 500)


def test_no_borrowed_figures_where_a_region_is_silent(kb):
    wh = calculate(kb, Profile(region="威海", scheme="pension", tier=500))
    assert wh.status == "ok" and wh.subsidy is None and not wh.subsidy_stated
    assert any("没有写明" in n for n in wh.notes)
    qd = calculate(kb, Profile(region="青岛", scheme="medical", tier="一档", age=75))
    assert qd.government_amount is None and qd.personal_amount == 462


def test_shanting_pension_under_16_and_students(kb):
    young = calculate(kb, Profile(region="山亭", scheme="pension", age=15, tier=500))
    assert young.status == "invalid" and "16周岁" in young.problems[0]
    student = calculate(kb, Profile(region="山亭", scheme="pension", student="college", tier=500))
    assert student.status == "invalid"


@pytest.mark.parametrize(
    "profile, status, words",
    [
        (Profile(region="北京", scheme="medical"), "not_covered", "北京"),
        (Profile(region="济南市", scheme="pension", tier=500), "not_covered", "济南"),
        (Profile(region="青岛", scheme="medical", year=2025), "not_covered", "2025"),
        (Profile(region="青岛", scheme="medical", age=-3), "invalid", "-3"),
        (Profile(region="青岛", scheme="medical", age=200), "invalid", "200"),
        (Profile(region="青岛", scheme="pension", tier=700), "invalid", "700"),
        # a medical tier's name given for a pension is named back, not read as "1元"
        (Profile(region="山亭", scheme="pension", tier="一档"), "invalid", "按金额选档，没有“一档”"),
        (
            Profile(region="青岛", scheme="medical", tier="一档", payment_date=D(1990, 1, 1)),
            "invalid",
            "1990",
        ),
        (Profile(region="威海", scheme="medical", tier="三档"), "invalid", "三档"),
        (Profile(region="青岛", scheme="车险"), "invalid", "车险"),
        (Profile(region="青岛", scheme="medical", payment_date="明天"), "invalid", "明天"),
    ],
)
def test_inputs_outside_the_documents(kb, profile, status, words):
    result = calculate(kb, profile)  # never raises
    assert result.status == status and words in " ".join(result.problems)
    assert result.personal_amount is None


@pytest.mark.parametrize(
    "profile, missing",
    [
        (Profile(scheme="medical"), "region"),
        (Profile(region="青岛"), "scheme"),
        (Profile(region="青岛", scheme="medical", age=40), "tier"),
        (Profile(region="威海", scheme="pension"), "tier"),
    ],
)
def test_missing_inputs_are_named(kb, profile, missing):
    result = calculate(kb, profile)
    assert result.status == "need_more" and missing in result.missing


def test_add_months_clamps_to_month_end():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)


def test_benefit_start_is_computed_even_when_the_tier_is_unknown(kb):
    # the tier decides the amount, not the start of cover
    result = calculate(kb, Profile(region="青岛", scheme="medical", payment_date=D(2024, 2, 15)))
    assert result.status == "need_more" and result.missing == ["tier"]
    assert result.personal_amount is None and result.benefit_start == D(2024, 5, 15)


def test_last_years_retired_qingdao_tier_points_to_the_tier_change_rule(kb):
    result = calculate(kb, Profile(region="青岛", scheme="pension", tier=2000))
    assert result.status == "invalid"
    assert "没有2000元档次" in result.problems[0] and "应在集中征缴期缴费前办理" in result.problems[1]


# ---------------------------------------------------------------------- issue 11, findings 10-16
# Each case cites the clause it follows; the comment says what the case shows.
HARDSHIP_OWN_SHARE = [
    # 000 二（一）: 低保对象…由政府按100元标准代缴 — choosing the 100 tier, they pay nothing
    (Profile(region="青岛", scheme="pension", hardship="低保", tier=100), 0, 100),
    # 000 二（一）: 脱贫享受政策…由政府按100元标准代缴
    (Profile(region="青岛", scheme="pension", hardship="脱贫享受政策", tier=100), 0, 100),
    # 000 二（一）: 重度残疾人，由政府按500元标准代缴 — choosing 500, likewise nothing
    (Profile(region="青岛", scheme="pension", hardship="重度残疾人", tier=500), 0, 500),
    # 000 二（一）: …也可再自行选择100元以上缴费档次 — a higher tier is their own choice
    (Profile(region="青岛", scheme="pension", hardship="特困", tier=1000), 1000, 100),
    # 004 五（一）: 对重度（一级、二级）残疾人，由政府为其代缴…每人每年100元 — own share 0
    (Profile(region="山亭", scheme="pension", disability_grade=2, tier=100), 0, 100),
    (Profile(region="山亭", scheme="pension", disability_grade=1), 0, 100),
]


@pytest.mark.parametrize("profile, personal, government", HARDSHIP_OWN_SHARE)
def test_a_person_whose_tier_the_government_pays_pays_nothing_themselves(
    kb, profile, personal, government
):
    result = calculate(kb, profile)
    assert result.status == "ok", result.problems
    assert (result.personal_amount, result.government_amount) == (personal, government)


def test_no_subsidy_is_claimed_for_a_tier_the_government_pays_in_shanting(kb):
    # 004 五（一） does not say whether the 代缴 100 tier also gets the 30 subsidy (finding 3)
    result = calculate(kb, Profile(region="山亭", scheme="pension", disability_grade=1, tier=100))
    assert result.subsidy is None and not result.subsidy_stated
    assert any("是否另有政府补贴" in n for n in result.notes)
    note = kb.fact("山亭", "pension.government_pays").note
    assert "不报补贴金额" in note and "个人缴费记0元" in note


@pytest.mark.parametrize(
    "profile, status",
    [
        # 004 五（一）: 100元档次只适用于重度残疾人等缴费困难群体的最低选择 — refused for others
        (Profile(region="山亭", scheme="pension", tier=100), "invalid"),
        (Profile(region="山亭", scheme="pension", tier=100, hardship="邻居说我困难"), "invalid"),
        # …and open to a hardship group
        (Profile(region="山亭", scheme="pension", tier=100, hardship="特困人员"), "ok"),
        # 002 二（一）: 300元档次原则上只适用于… — a note, not a refusal
        (Profile(region="威海", scheme="pension", tier=300), "ok"),
    ],
)
def test_a_tier_only_for_hardship_groups_is_refused_to_others_where_the_plan_says_only(
    kb, profile, status
):
    result = calculate(kb, profile)
    assert result.status == status
    if status == "invalid":
        assert "只适用于" in result.problems[0] and "最低选350元" in result.problems[0]
        # what the tier would bring those it is for is still said (004 五（一）: 100…补贴30元)
        assert "自己缴100元档次的，政府补贴30元" in result.problems[0]
    elif profile.region == "威海":
        assert any("原则上只适用于" in n for n in result.notes)


@pytest.mark.parametrize(
    "profile, government, note",
    [
        # 000 二（一） lists 脱贫享受政策, not 返贫致贫人口: no 代缴 read into it
        (Profile(region="青岛", scheme="pension", hardship="返贫致贫人口"), None, "返贫致贫人口代缴"),
        (Profile(region="青岛", scheme="pension", hardship="返贫户"), None, "返贫致贫人口代缴"),
        # 000 does not define 重度残疾人 by grade: Shanting's 一级、二级 is not borrowed
        (Profile(region="青岛", scheme="pension", disability_grade=1), None, "没有按残疾等级定义"),
        # Shanting's plan does define it (004 五（一）: 重度（一级、二级）残疾人)
        (Profile(region="山亭", scheme="pension", disability_grade=2), 100, None),
        (Profile(region="山亭", scheme="pension", disability_grade=3, tier=350), None, None),
    ],
)
def test_groups_are_read_as_narrowly_as_each_document_names_them(kb, profile, government, note):
    result = calculate(kb, profile)
    assert result.government_amount == government
    if note:
        assert any(note in n for n in result.notes), result.notes


@pytest.mark.parametrize(
    "hardship, personal",
    [
        # 004 五（一）: 返贫致贫人口 are paid for
        ("返贫致贫人口", 0),
        # …an ordinary 脱贫户 is not on the list (finding 2)
        ("脱贫户", 380),
        # 防止返贫监测帮扶对象 must not be read as 返贫
        ("防止返贫监测帮扶对象", 0),
    ],
)
def test_shanting_medical_pays_for_the_groups_the_plan_lists_and_no_other(kb, hardship, personal):
    result = calculate(kb, Profile(region="山亭", scheme="medical", age=40, hardship=hardship))
    assert result.personal_amount == personal
    if personal:
        assert any("不在枣庄市山亭区医保代缴名单中" in n for n in result.notes)


@pytest.mark.parametrize(
    "region, tier, paid, start",
    [
        # 002 五（二）: 待遇享受期为2024年1月1日至2024年12月31日; 3 months from 2024-10-15
        ("威海", "二档", D(2024, 10, 15), D(2025, 1, 15)),
        # Qingdao: 3-month waiting period (001 报道第1段) ends in 2025
        ("青岛", "一档", D(2024, 11, 1), D(2025, 2, 1)),
        # Shanting: 30 days (004 五（二）) from 2024-12-15
        ("山亭", None, D(2024, 12, 15), D(2025, 1, 14)),
    ],
)
def test_a_late_payment_whose_cover_starts_after_the_year_is_warned_of(
    kb, region, tier, paid, start
):
    result = calculate(kb, Profile(region=region, scheme="medical", tier=tier, payment_date=paid))
    assert result.status == "ok" and result.benefit_start == start
    assert any("不能享受2024年度的待遇" in line for line in result.reasoning)


def test_a_payment_whose_cover_starts_within_the_year_gets_no_such_warning(kb):
    result = calculate(
        kb, Profile(region="威海", scheme="medical", tier="二档", payment_date=D(2024, 6, 30))
    )
    assert not any("不能享受" in line for line in result.reasoning)


@pytest.mark.parametrize(
    "born, paid, status, start",
    [
        # 002 五（三）: 出生后6个月（含）内参保并缴纳出生当年…的，自出生之日起享受 — paid in 2025
        (D(2024, 11, 10), D(2025, 3, 1), "ok", D(2024, 11, 10)),
        # exactly six months after birth is still "（含）"
        (D(2024, 11, 10), D(2025, 5, 10), "ok", D(2024, 11, 10)),
        # months 7-12 after birth: from the month after payment, even in 2025 (issue 21 point 13)
        (D(2024, 11, 10), D(2025, 6, 1), "ok", D(2025, 7, 1)),
        # beyond 12 months and after 2024: no longer the 2024 newborn rule
        (D(2024, 11, 10), D(2025, 12, 1), "invalid", None),
        # born Oct-Dec 2023, within 6 months: cover from birth is stated only for paying the
        # birth year's (2023) premium, which this 2024 notice does not give (issue 21 point 4)
        (D(2023, 11, 10), D(2024, 3, 1), "ok", None),
        # …month 7-12 after birth: from the month after payment
        (D(2023, 10, 5), D(2024, 5, 20), "ok", D(2024, 6, 1)),
    ],
)
def test_weihai_newborns_follow_the_newborn_rule_across_the_year_end(kb, born, paid, status, start):
    profile = Profile(region="威海", scheme="medical", birth_date=born, payment_date=paid)
    result = calculate(kb, profile)
    assert result.status == status, result.problems
    assert result.benefit_start == start
    if status == "ok":
        assert result.personal_amount == 300  # 未成年居民 (002 二（二）)
    else:
        assert "12个月（含）内" in result.problems[0]


def test_qingdao_says_nothing_about_newborns_and_the_answer_says_so(kb):
    fact = kb.fact("青岛", "medical.newborn")
    assert fact.status == "not_stated" and "没有写新生儿" in fact.answer
    result = calculate(
        kb,
        Profile(
            region="青岛", scheme="medical", birth_date=D(2024, 3, 10), payment_date=D(2024, 5, 1)
        ),
    )
    assert any("没有写新生儿" in n for n in result.notes)
    # the ordinary rule still answers when cover starts (3 months, 001 报道第1段)
    assert result.benefit_start == D(2024, 8, 1)


@pytest.mark.parametrize(
    "profile, status, words",
    [
        # a 2024 pension payment dated mid-2025 is outside the policy year (finding 15)
        (
            Profile(region="青岛", scheme="pension", tier=500, payment_date=D(2025, 6, 1)),
            "invalid",
            "不在2024年度的缴费时间内",
        ),
        # …and one before the collection period opened (000 一: 2023年9月至12月)
        (
            Profile(region="青岛", scheme="pension", tier=500, payment_date=D(2023, 8, 20)),
            "invalid",
            "2023年9月1日开始",
        ),
        # Shanting's 10月1日 (004 五（二）) is the medical period's start only: a pension payment
        # before it is not refused, the silence is noted (issue 21 point 3)
        (
            Profile(region="山亭", scheme="pension", tier=500, payment_date=D(2023, 9, 1)),
            "ok",
            "只针对居民医保",
        ),
        # Weihai pension is open all 2024 (002 五（五）): accepted without a note
        (Profile(region="威海", scheme="pension", tier=500, payment_date=D(2024, 6, 1)), "ok", None),
        # Qingdao asks for payment by 2023-12-31 (000 五（三）) and says nothing of later: a note
        (
            Profile(region="青岛", scheme="pension", tier=500, payment_date=D(2024, 3, 1)),
            "ok",
            "没有写之后能否再缴",
        ),
    ],
)
def test_pension_payment_dates_are_checked_against_the_policy_year(kb, profile, status, words):
    result = calculate(kb, profile)
    assert result.status == status
    if words:
        assert words in " ".join(result.problems + result.notes)
    elif status == "ok":
        assert not any("没有写之后" in n for n in result.notes)


@pytest.mark.parametrize(
    "hardship, exempt",
    [
        # 002 五（二）: （困难人员等特殊群体除外） — a recognised hardship group
        ("低保", True),
        ("特困人员", True),
        # unrecognised text no longer exempts (finding 15)
        ("困难户", False),
        ("家里条件不好", False),
    ],
)
def test_weihai_waiting_period_exemption_needs_a_recognised_group(kb, hardship, exempt):
    profile = Profile(
        region="威海", scheme="medical", tier="一档", hardship=hardship, payment_date=D(2024, 3, 1)
    )
    result = calculate(kb, profile)
    assert (result.benefit_start is None) == exempt
    if not exempt:
        assert result.benefit_start == D(2024, 6, 1)
        assert any("是否属于文件说的“困难人员等特殊群体”" in n for n in result.notes)


@pytest.mark.parametrize(
    "tier",
    [
        # 004 五（一）: one personal rate (380), no tiers — a tier named is not silently dropped
        "一档",
        "二档",
    ],
)
def test_a_medical_tier_named_in_shanting_is_answered_with_the_one_rate_and_a_note(kb, tier):
    result = calculate(kb, Profile(region="山亭", scheme="medical", age=40, tier=tier))
    assert result.status == "ok" and result.personal_amount == 380
    assert any(f"“{tier}”不适用" in n for n in result.notes)


@pytest.mark.parametrize(
    "tier, expected",
    [
        # the tiers' names come from medical.personal.adult_tiers; typed variants are read
        ("一档", 462),
        ("1档", 462),
        ("第二档", 395),
        ("二挡", 395),
    ],
)
def test_medical_tier_names_are_read_from_the_facts(kb, tier, expected):
    result = calculate(kb, Profile(region="青岛", scheme="medical", age=40, tier=tier))
    assert result.personal_amount == expected


def test_a_household_member_may_have_both_an_age_and_a_tier(kb):
    # finding 15: an adult of 40 choosing 一档 (462) and a pupil of 17, who pays the children's
    # rate whatever tier the household chose (000 二（二）: 少年儿童…395元)
    result = calculate_household(
        kb, "青岛", [Profile(age=40, tier="一档"), Profile(age=17, student="school", tier="一档")]
    )
    assert result.status == "ok"
    assert [m.personal_amount for m in result.per_person] == [462, 395]


def test_the_day_ages_are_counted_at_is_one_rule_for_weihai_students_too(kb):
    # finding 4: born 2001-01-01 is 22 on 2023-12-31 (collection_period.age_on) but 23 on
    # 2024-01-01; without a payment date the one rule decides: still the 居民医疗 menu
    day = kb.fact("威海", "collection_period").value["age_on"]
    assert day == "2023-12-31"
    assert "2024年1月1日" not in kb.fact("威海", "medical.students").note
    result = calculate(
        kb, Profile(region="威海", scheme="medical", student="college", birth_date=D(2001, 1, 1))
    )
    assert "居民医疗" in result.next_steps[-1]
    assert any("没有缴费日时按2023年12月31日" in n for n in result.notes)


@pytest.mark.parametrize(
    "profile",
    [
        Profile(region="青岛", scheme="medical", tier="一档", payment_date=D(2024, 2, 15)),
        Profile(
            region="威海", scheme="medical", birth_date=D(2024, 3, 10), payment_date=D(2024, 11, 15)
        ),
        Profile(region="山亭", scheme="medical", birth_date=D(1954, 5, 1)),
        Profile(region="青岛", scheme="pension", tier=500, payment_date=D(2025, 6, 1)),
        Profile(region="青岛", scheme="medical", birth_date="2099-01-01"),
    ],
)
def test_every_date_the_calculator_says_is_written_in_chinese(kb, profile):
    # finding 16 / issue 10 item 8: 2024年12月1日, never 2024-12-01
    result = calculate(kb, profile)
    text = "\n".join(result.reasoning + result.notes + result.problems + result.next_steps)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
