"""Questions answered as asked (policy_kb.answering.compose): households, both schemes, yes/no,
comparisons, differences, lowest tiers, last year's tier, bare "山亭医保".

Every expected figure is a fact's value (the comment on each case says which).
"""

import re

import pytest

from policy_kb.answering.compose import compose
from policy_kb.reading.question import ask_again, is_follow_up, read_question


def _answer(kb, text):
    answer = compose(kb, read_question(kb, text))
    assert answer is not None, f"not composed: {text}"
    return answer


def _has(text, number):
    return re.search(rf"(?<!\d){number}(?!\d)", text)


HOUSEHOLDS = [
    # 青岛 二档 395 ×2 + 少年儿童 395 (a high-school daughter)
    ("我跟我爱人都交二档，闺女读高二，青岛医保一家多少", "1185"),
    # 青岛 一档 462 ×2 + 大学生 150
    ("青岛我和老婆都一档，儿子上大学，医保全家多少", "1074"),
    # 威海 一档 450 ×2 + 少年儿童 300 + 大学生 300
    ("威海 我和媳妇都一档 俩孩子一个上初中一个上大学 医保一共多少", "1500"),
    # 山亭 60–69 pay half of 380: 190 ×2
    ("山亭 俺和老伴都65了 医保俩人交多少", "380"),
    # 山亭 66 → 190, 72 → 0 (paid by the government)
    ("爸妈都在山亭，一个66一个72，医保一共交多少", "190"),
    # 威海 二档 650 + 一档 450
    ("威海 我二档 老婆一档 医保一家多少", "1100"),
    # 青岛 一档 462 ×2 + two children at 少年儿童 395
    ("青岛两口子都选一档，老大上高中老二上幼儿园，医保一年一共多少", "1714"),
    # 威海: a child of unknown stage costs 300 either way (少年儿童 = 大学生 = 300)
    ("威海 我和老婆都一档 加上孩子 医保一共交多少", "1200"),
    # 威海 pension 800 + medical 一档 450, one person
    ("我在威海，养老选800，医保一档，一年一共交多少", "1250"),
    # 青岛 pension 1000 + medical 一档 462
    ("青岛 养老选1000 医保一档 我一个人一年总共交多少", "1462"),
    # 山亭 pension 500 + medical 380 (no tiers)
    ("山亭 养老500档 医保 一年一共交多少钱", "880"),
]


@pytest.mark.parametrize("text, total", HOUSEHOLDS)
def test_a_household_is_summed_member_by_member(kb, text, total):
    answer = _answer(kb, text)
    assert _has(answer.text, total), answer.text
    assert "来源：" in answer.text and "还需要知道" not in answer.text


def test_a_qingdao_child_of_unknown_stage_is_answered_at_both_rates_not_asked(kb):
    # 青岛: a child of unknown stage pays 395 (少年儿童) or 150 (大学生): both totals, 462×2 + each
    answer = _answer(kb, "青岛 我和老婆都一档 还有个孩子 医保全家多少")
    assert _has(answer.text, "1319") and _has(answer.text, "1074"), answer.text
    assert "上大学" in answer.text and "还需要知道" not in answer.text


ASKED_ABOUT = [
    # 山亭: parents' ages decide their share — asked
    ("山亭 我和爸妈三个人医保一共多少", "多大年纪"),
    # 青岛: adults' tier not said
    ("青岛两个大人一个上小学的孩子 医保一共多少", "一档还是二档"),
    # 一家三口 with nobody described
    ("一家三口 青岛医保多少", "家里每个人的情况"),
]


@pytest.mark.parametrize("text, asked", ASKED_ABOUT)
def test_a_member_whose_category_is_open_is_asked_about(kb, text, asked):
    answer = _answer(kb, text)
    assert asked in answer.text and "还需要知道" in answer.text, answer.text
    assert answer.missing == ["members"]


YES_NO = [
    # 青岛 pension.bank_batch: 批扣只适用于居民养老保险，居民医保不能批扣
    ("青岛医保能银行代扣吗", "不能"),
    ("青岛养老能银行批扣吗", "可以"),
    # 山亭 channels.self names 微信
    ("山亭能用微信交吗", "可以"),
    # 威海 channels.alipay
    ("威海医保能用支付宝交吗", "可以"),
    # 青岛 channels.digital_rmb
    ("青岛能用数字人民币交医保吗", "可以"),
    # 威海 channels.village_devices (农金通 in villages)
    ("威海能在村里交吗", "可以"),
    # no document names cash: silence, not a guessed yes
    ("山亭能用现金交吗", "没有写明"),
    # 威海 registration: 外地户籍居民持居住证办理城乡居民医保参保登记
    ("外地户口在威海能参加居民医保吗", "可以"),
    # 山亭 eligibility: 参加居民养老保险须年满16周岁（不含在校学生）
    ("山亭学生能交养老吗", "不能"),
    # 青岛 says nothing on students and pension: silence, with where to ask
    ("青岛大学生交养老吗", "没有写明"),
    # 山亭 refund: 原则上不予退费 (medical)
    ("山亭交了医保还能退吗", "原则上不能"),
    # 青岛 names non-local residents for medical only: silence for pension
    ("没有青岛户口能交养老不", "没有写"),
]


@pytest.mark.parametrize("text, first", YES_NO)
def test_a_yes_no_question_gets_its_yes_or_no_first(kb, text, first):
    answer = _answer(kb, text)
    body = answer.text.split("】", 1)[1]
    assert body.startswith(first) or first in body.split("。")[0], answer.text


COMPARISONS = [
    # 青岛 一档 462, 威海 一档 450: 12 元
    ("青岛和威海医保一档哪个贵，差多少", ["462", "450", "12", "青岛市更贵"]),
    # lowest open pension tier: 青岛 100, 威海 500 (300 for hardship), 山亭 350 (100 for hardship)
    ("三个地方养老最低档分别是多少", ["100", "500", "350"]),
    # waiting periods: 青岛 3个月, 威海 3个月, 山亭 30日
    ("哪里的医保等待期最短", ["30日", "枣庄市山亭区最短"]),
    # 青岛 一档 462 − 二档 395 = 67
    ("青岛一档比二档多交多少", ["462", "395", "67"]),
    # 威海 二档 650 − 一档 450 = 200
    ("威海二档比一档贵多少", ["650", "450", "200"]),
    # pension tiers 800 − 500
    ("青岛养老800档比500档多交多少", ["300"]),
    # 山亭: the 100 tier is for hardship groups only
    ("我不是低保也不是残疾人，山亭养老最低能交多少", ["350"]),
    # a category named in the text: 青岛 大学生 150, 威海 大学生 300
    ("青岛大学生医保比威海大学生便宜多少", ["150", "300", "青岛市更便宜"]),
    # 青岛 二档 395 is the lower adult tier
    ("青岛医保最低交多少", ["395"]),
]


@pytest.mark.parametrize("text, wanted", COMPARISONS)
def test_comparisons_show_each_figure_and_the_arithmetic(kb, text, wanted):
    answer = _answer(kb, text)
    for figure in wanted:
        assert figure in answer.text if not figure.isdigit() else _has(answer.text, figure), (
            figure,
            answer.text,
        )
    assert "来源：" in answer.text


def test_every_region_of_a_comparison_names_its_source(kb):
    answer = _answer(kb, "三个地方养老最低档分别是多少")
    for name in ("青岛市来源", "威海市来源", "枣庄市山亭区来源"):
        assert name in answer.text


def test_last_years_retired_tier_must_be_changed(kb):
    # 青岛 pension.tier_change: 600 is among the retired tiers (000 五（二）)
    answer = _answer(kb, "青岛养老去年交的600档，今年还能按600扣吗")
    assert answer.text.split("】", 1)[1].startswith("不能")
    assert "必须在缴费前选择新的档次" in answer.text


def test_last_years_tier_that_still_exists_can_be_chosen(kb):
    answer = _answer(kb, "青岛养老去年交的500档，今年还能交500吗")
    assert "可以选" in answer.text


@pytest.mark.parametrize(
    "text, figure",
    [
        ("山亭医保", "380"),  # medical.personal 居民 380
        ("威海养老", "8000"),  # pension.tiers, up to 8000
    ],
)
def test_a_bare_region_and_scheme_gets_the_headline_amounts(kb, text, figure):
    assert _has(_answer(kb, text).text, figure)


@pytest.mark.parametrize(
    "text",
    [
        "青岛医保一档多少",  # an ordinary topic question: the topic's facts answer it
        "威海医保什么时候交",
        "我和老婆在青岛，医保什么时候交",  # two people, but a deadline question
        "青岛和威海医保电话",  # two regions, but not a figure to compare
    ],
)
def test_ordinary_topic_questions_are_left_to_the_topic(kb, text):
    assert compose(kb, read_question(kb, text)) is None


@pytest.mark.parametrize(
    "previous, follow_up, asked",
    [
        ("青岛医保能银行代扣吗", "那威海呢", "威海医保能银行代扣吗"),
        ("山亭能用微信交吗", "威海可以这样吗", "威海能用微信交吗"),
        ("医保什么时候交", "青岛", "青岛医保什么时候交"),
        ("威海医保一档多少", "那养老呢", "威海养老一档多少"),
    ],
)
def test_a_follow_up_asks_the_previous_question_again(kb, previous, follow_up, asked):
    assert is_follow_up(kb, follow_up)
    assert ask_again(kb, previous, follow_up) == asked


@pytest.mark.parametrize("text", ["山亭医保", "威海怎么交", "山亭72岁医保要交吗", "谢谢"])
def test_a_new_question_is_not_a_follow_up(kb, text):
    assert not is_follow_up(kb, text)


@pytest.mark.parametrize(
    "text, nlu_topic, topic",
    [
        # the classifier heard an amount; the words ask how to pay
        ("威海养老咋交", "tiers", "channels"),
        # an amount and how: the amount stays
        ("威海养老咋交 交多少", "tiers", "tiers"),
        # "还交不" about a person is what they pay, not who may enrol
        ("俺老伴七十三了 山亭医保还交不", "eligibility", "tiers"),
        # phone words are unambiguous
        ("三个地方医保电话分别是多少", "tiers", "hotline"),
        # where a pupil pays: who collects it
        ("青岛小学生医保在哪交", "students", "channels"),
        # "一共有几个档" names no family
        ("一共有几个档", "household", "tiers"),
        ("全家一共交多少", "household", "household"),
        # past the deadline: whether one may still pay, and the waiting period
        ("威海医保过了截止日期还能交吗", "deadline", "benefit"),
        # when cover starts is not when to pay
        ("青岛医保一档 什么时候开始享受", "deadline", "benefit"),
        # a verdict ("不正常") needs a sign of doubt in the words: a household's total is not
        # one, whatever the classifier heard
        ("我自己五十岁也交医保 问四口人合计", "fraud", None),
        ("有人叫俺把医保钱打到他卡上 靠谱不", "fraud", "fraud"),
        ("有人说托关系能少交一半 真的假的", "fraud", "fraud"),
        # otherwise the classifier's topic stands
        ("威海学生怎么交居民医保", "students", "students"),
    ],
)
def test_plain_words_correct_a_neighbouring_topic(kb, text, nlu_topic, topic):
    from policy_kb.reading.question import answer_topic

    assert answer_topic(read_question(kb, text), nlu_topic) == topic


@pytest.mark.parametrize(
    "region, topic, text, keys",
    [
        # only the channel the resident names
        ("青岛", "channels", "青岛怎么用支付宝交", ["channels.online"]),
        ("青岛", "channels", "青岛能用数字人民币吗", ["channels.digital_rmb"]),
        ("威海", "channels", "威海线下在哪交", ["channels.halls"]),
        # no distinctive word: the whole topic, as before
        (
            "青岛",
            "channels",
            "青岛怎么交",
            ["channels.online", "channels.digital_rmb", "channels.offline"],
        ),
    ],
)
def test_a_topics_facts_are_narrowed_to_the_questions_words(kb, region, topic, text, keys):
    from policy_kb.answering.relevance import relevant

    assert [f.key for f in relevant(kb, kb.facts(region, topic=topic), text)] == keys


def test_any_jumble_of_residents_words_is_read_without_an_error(kb):
    """Random sentences of the question words: read, composed or left to the topic, never an
    exception, and a composed answer always ends with its source, a question or the silence."""
    import random

    parts = (
        "青岛 威海 山亭 三个地方 哪里的 医保 养老 一档 二档 一挡 800 500档 300档 俩孩子 老两口 爸妈 "
        "我 老婆 闺女 上大学 上小学 刚出生 65岁 六十多了 72了 一个66一个72 都 一共 差多少 哪个贵 最低 "
        "最高 能用微信交吗 能银行代扣吗 不是低保 去年交的600档 明年 等待期 分别 吗 呢 那 ， 一家三口 "
        "一家九口 100000档 0岁 200岁 孩子他爸 学生能交养老吗 交了还能退吗 12000 99999"
    ).split()
    rng = random.Random(7)
    for _ in range(150):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
        answer = compose(kb, read_question(kb, text))
        is_follow_up(kb, text)
        ask_again(kb, "青岛医保一档多少", text)
        if answer is not None:
            assert any(w in answer.text for w in ("来源", "还需要知道", "没有写明")), text


@pytest.mark.parametrize(
    "text, topic",
    [
        # the groups said not to apply point at no topic: the amount is asked
        ("山亭 65岁 不是低保户 医保交多少", "tiers"),
        ("俺家不是低保 也不是特困 山亭医保交多少", "tiers"),
        # an operator's "咨询" is what the caller asks about, not for a phone number
        ("来电人 女 威海 咨询医保二档金额", "tiers"),
        # a group said to apply is the topic
        ("山亭 65岁 低保户 医保交多少", "hardship"),
        # where to ask is still the phones
        ("威海医保去哪咨询", "hotline"),
    ],
)
def test_the_words_topic_leaves_out_what_the_message_denies(kb, text, topic):
    assert read_question(kb, text).topic == topic


@pytest.mark.parametrize(
    "text",
    [
        # the place's own household registration says who they are, not who may enrol
        "公公婆婆青岛户口 都六十多了 医保选二档 一个人交多少",
        "外孙女刚生的 户口落在青岛市北了 医保一年交多少",
    ],
)
def test_the_places_own_household_registration_names_no_eligibility_topic(kb, text):
    assert read_question(kb, text).topic != "eligibility"


def test_a_household_registration_elsewhere_still_asks_who_may_enrol(kb):
    assert read_question(kb, "外地户口能在威海参加居民医保吗").topic == "eligibility"
    assert read_question(kb, "户口不在青岛 能交医保吗").topic == "eligibility"


def test_no_longer_at_school_is_not_the_students_topic(kb):
    assert read_question(kb, "俺儿子十七 不上学了 在山亭 能交养老不").topic != "students"
    assert read_question(kb, "俺儿子十七 还在上高中 在山亭 能交养老不").topic == "students"
