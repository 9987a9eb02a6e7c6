"""The calculator: the required worked examples, the chosen interpretations, bad inputs."""

import datetime as dt

import pytest

from policy_kb import Profile, calculate, calculate_household
from policy_kb.calculator import add_months

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
    assert [m.personal_amount for m in result.members] == [462, 462, 395]


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
