"""Reading the people in a resident's sentence (policy_kb.reading.household): nobody is dropped."""

import pytest

from policy_kb.reading.household import parse_household, read_members


def _summary(people):
    return [(p["role"], p.get("stage"), p.get("tier"), p.get("age")) for p in people]


CASES = [
    # the couple is the two named after it; 今年一共 says no age (一 is no age without 岁)
    (
        "俺家老两口 老头子71 老婆子66 俩人医保今年一共要交多少",
        [("adult", None, None, 71), ("adult", None, None, 66)],
    ),
    # a bare 自己 after the speaker's couple is one of them, not a third person
    (
        "俺两口子都四十多 养老都选800的 一年自己掏多少",
        [("adult", None, None, 41), ("adult", None, None, 41)],
    ),
    # "都没上班交职工的" denies the employee insurance: the wife is counted
    (
        "俺爹67 俺娘72 俺和俺媳妇都40出头 都没上班交职工的",
        [
            ("elderly", None, None, 67),
            ("elderly", None, None, 72),
            ("self", None, None, 41),
            ("adult", None, None, 41),
        ],
    ),
    # the speaker and a spouse share the tier said with 都; the daughter is at school
    (
        "我跟我爱人都交二档，闺女读高二",
        [("self", None, "二档", None), ("adult", None, "二档", None), ("child", "school", None, None)],
    ),
    # a relative's age said as "62了"
    ("俺娘62了 在山亭 医保个人交多少", [("elderly", None, None, 62)]),
    # "六十多" counts in the sixties
    ("俺爹六十多了", [("elderly", None, None, 61)]),
    # counted members, the stage said before the noun
    (
        "两个大人选一档，一个上小学的孩子",
        [("adult", None, "一档", None), ("adult", None, "一档", None), ("child", "school", None, None)],
    ),
    # two children, two stages, in order
    ("两个孩子一个上小学一个上大学", [("child", "school", None, None), ("child", "college", None, None)]),
    # a tier per person
    (
        "我一档老婆二档 老大上幼儿园",
        [("self", None, "一档", None), ("adult", None, "二档", None), ("child", "school", None, None)],
    ),
    # 老两口 is two people; the age said with 都 is both people's
    ("老两口都65了", [("elderly", None, None, 65), ("elderly", None, None, 65)]),
    # ages said one by one for a pair
    ("爸妈一个66一个72", [("elderly", None, None, 66), ("elderly", None, None, 72)]),
    # "我" and "自己" are one person
    ("我65岁，在山亭，医保自己交多少", [("self", None, None, 65)]),
    # the speaker named again in a later clause is the same person; stages said after the
    # children, in a clause of their own, are theirs
    (
        "俺在青岛 俺和俺家那口子都交一档 俩孩子 一个上初中一个上幼儿园",
        [
            ("self", None, "一档", None),
            ("adult", None, "一档", None),
            ("child", "school", None, None),
            ("child", "school", None, None),
        ],
    ),
    # an age said before the word ("65岁老人") describing the speaker: one person
    ("山亭65岁老人医保自己交多少", [("elderly", None, None, 65)]),
    # "我是……大学生" describes the speaker
    ("我是青岛的在校大学生，医保交多少", [("child", "college", None, None)]),
    # grown children are adults; an age said with 都 is everyone's, as said ("四十多")
    (
        "俺和老伴都六十七了 儿子儿媳妇都四十多 孙子上小学",
        [
            ("self", None, None, 67),
            ("adult", None, None, 67),
            ("adult", None, None, 41),
            ("adult", None, None, 41),
            ("child", "school", None, None),
        ],
    ),
    # "我爱人", "我们家": possessive, not a member
    ("我们家我爱人", [("adult", None, None, None)]),
    # two ages next to each other ("五十五六", "55六" after the spoken reader): the younger one
    ("俺和老伴都五十五六了", [("self", None, None, 55), ("adult", None, None, 55)]),
    ("俺和老伴都55六了", [("self", None, None, 55), ("adult", None, None, 55)]),
    ("俺爹60多了", [("elderly", None, None, 61)]),
    # an operator's note: the caller's bare age; the caller is left out when others are asked about
    ("来电人 男 63 问居民医保个人交多少", [("self", None, None, 63)]),
    (
        "来电人 男 40多 问其叔（七十出头）婶（快70了 今年六十九）",
        [("elderly", None, None, 71), ("elderly", None, None, 69)],
    ),
    ("来电人 男 40岁 青岛 问本人及妻子医保一档", [("self", None, "一档", 40), ("adult", None, "一档", None)]),
    # 两位老人 sums up the two named
    ("父67 母72 问两位老人一共交多少", [("elderly", None, None, 67), ("elderly", None, None, 72)]),
    # insured as an employee: not in the residents' household
    ("我在青岛上班交职工医保 爸妈都是一档", [("elderly", None, "一档", None), ("elderly", None, "一档", None)]),
    # whom the family lives on is not a member
    ("我今年六十了 老伴六十二 就靠孩子", [("self", None, None, 60), ("adult", None, None, 62)]),
    # a relative named again is the same person; 自己 after her is her
    (
        "我妈是重度残疾人 我爸是低保户 我妈要是想自己再多交点能不能选高一点的档",
        [("elderly", None, None, None), ("elderly", None, None, None)],
    ),
]


def test_a_pair_is_named_person_by_person():
    assert [p["label"] for p in read_members("爸妈都是居民医保一档")] == ["爸", "妈"]
    assert [p["label"] for p in read_members("爸妈在老家 娘66")] == ["爸", "娘"]


@pytest.mark.parametrize("text, expected", CASES)
def test_members_are_read_with_what_is_said_of_them(text, expected):
    assert _summary(read_members(text)) == expected


def test_a_child_of_unknown_stage_is_kept_and_marked_unclear():
    people = read_members("我和老婆，还有个孩子")
    assert [p["role"] for p in people] == ["self", "adult", "child"]
    assert people[-1].get("unclear")


def test_a_household_size_without_members_keeps_every_seat():
    assert len(read_members("一家三口")) == 3


def test_the_calculators_members_come_from_the_same_reading():
    assert parse_household("我们家两个大人选一档，一个上小学的孩子") == [
        {"role": "adult", "tier": "一档"},
        {"role": "adult", "tier": "一档"},
        {"student": "school"},
    ]
    assert parse_household("我家有猫") is None
