"""Property test of the household reader (issue 18 item 2): 5,000 generated sentences.

The generator is written from the issue's list and from how residents write (relatives with an
age straight after them, ages in words and ranges, one tier for several people, school stages,
people in two regions), not from the reader's code: each sentence carries what it says about
every person, and every person must be read with that role, age, tier, stage and region — or,
where the sentence leaves the category open, be asked about by the name the resident used.
"""

import random

import pytest

from policy_kb.reading.household import read_members

SENTENCES = 5000

# (word, role the reader must give) — how residents name the people in a family
ELDERS = ["俺爹", "俺娘", "我爸", "我妈", "爸", "妈", "公公", "婆婆", "岳父", "岳母", "爷爷", "奶奶"]
ELDERS += ["姥姥", "姥爷", "老爷子", "老太太"]
ADULTS = ["老伴", "媳妇", "老公", "爱人", "儿媳", "女婿", "老婆", "对象"]
CHILDREN = ["孙子", "孙女", "外孙", "外孙女", "大闺女", "小儿子", "老大", "老二", "闺女", "儿子"]
CHILDREN += ["小孙子", "姑娘"]
# (phrase, stage): what residents say of a child
STAGES = [
    ("刚生的", "newborn"),
    ("刚出生", "newborn"),
    ("上小学二年级", "school"),
    ("上初中", "school"),
    ("读高二", "school"),
    ("上幼儿园", "school"),
    ("念初三", "school"),
    ("在外地上大学", "college"),
    ("上大学", "college"),
    ("读大专", "college"),
]
# (phrase, age): ages as digits, in words, in ranges
CN = {60: "六十", 61: "六十一", 64: "六十四", 65: "六十五", 66: "六十六", 67: "六十七", 70: "七十"}
CN |= {71: "七十一", 72: "七十二", 75: "七十五", 78: "七十八", 80: "八十", 45: "四十五"}


def _age_phrase(rng: random.Random, age: int) -> tuple[str, int]:
    forms = [
        (f"{age}", age),
        (f"{age}了", age),
        (f"{age}岁", age),
        (f"今年{age}", age),
    ]
    if age in CN:
        forms += [(CN[age], age), (f"{CN[age]}了", age)]
    tens = age // 10 * 10
    if tens in CN:
        forms += [
            (f"快{tens}了", tens - 1),
            (f"{CN[tens]}出头", tens + 1),
            (f"{CN[tens]}多了", tens + 1),
        ]
    return rng.choice(forms)


def _tier_phrase(rng: random.Random, tier: str) -> str:
    return rng.choice([f"交{tier}", f"选{tier}", f"医保交{tier}", f"想选{tier}", f"按{tier}交"])


# What residents say someone is not, after the person or in a clause of its own: never a group.
NOT_IN_A_GROUP = ["不是一二级", "不是一二级残疾", "没残疾", "也没有残疾", "不是残疾人", "也不是特困"]
NOT_IN_A_GROUP += ["不是低保户", "也不是低保", "不属于低保", "不是特困户", "没评上低保", "不是脱贫户"]
# ... and what they are: (phrase, group, disability grade)
IN_A_GROUP = [
    ("是低保户", "低保", None),
    ("是特困人员", "特困", None),
    ("低保", "低保", None),
    ("是脱贫户", "脱贫", None),
    ("二级残疾", None, 2),
    ("是一级残疾", None, 1),
    ("重度残疾", "重度残疾", None),
]
# said of the whole family: nobody in it joins the group
FAMILY_NOT = ["家里也不是低保户", "俺家不是低保", "家里没有残疾人", "俺家也不是特困户"]
# a child who is not at school: (phrase, age said, the age it means)
NOT_AT_SCHOOL = ["不上学了", "没上学", "不念书了", "高中毕业了", "大学毕业了", "早就不上学了"]
NOT_AT_SCHOOL_AGES = [("", None), (" 今年28", 28), ("，5岁", 5), (" 都20了", 20), (" 16岁", 16)]

REGIONS = [("青岛", "在青岛"), ("威海", "在威海"), ("山亭", "在山亭")]
TAILS = ["医保一共交多少", "医保一家多少钱", "一年医保得多少", "全家医保加起来多少"]


def _person(rng: random.Random, used: set[str]) -> tuple[str, dict]:
    kind = rng.choice(["elder", "elder", "adult", "child", "child"])
    pool = {"elder": ELDERS, "adult": ADULTS, "child": CHILDREN}[kind]
    word = rng.choice([w for w in pool if w not in used] or pool)
    used.add(word)
    if kind == "child" and rng.random() < 0.25:
        return _not_at_school(rng, word)
    if kind == "child":
        phrase, stage = rng.choice(STAGES)
        return word + phrase, {"role": "child", "stage": stage, "word": word}
    expect = {"role": "elderly" if kind == "elder" else "adult", "word": word}
    text = word
    if rng.random() < 0.8:
        phrase, age = _age_phrase(rng, rng.choice(list(CN)) if kind == "elder" else 45)
        text += phrase
        expect["age"] = age
    if rng.random() < 0.5:
        tier = rng.choice(["一档", "二档"])
        text += " " + _tier_phrase(rng, tier)
        expect["tier"] = tier
    if rng.random() < 0.35:  # "俺爹66 不是一二级", "俺娘没残疾"
        text += rng.choice(["", " ", "，"]) + rng.choice(NOT_IN_A_GROUP)
        expect |= {"group": None, "disability_grade": None}
    elif rng.random() < 0.2:  # "俺娘是低保户", "老伴二级残疾"
        phrase, group, grade = rng.choice(IN_A_GROUP)
        text += rng.choice([" ", "，"]) + phrase
        expect |= {"group": group, "disability_grade": grade}
    return text, expect


def _not_at_school(rng: random.Random, word: str) -> tuple[str, dict]:
    """ "儿子不上学了 今年28", "闺女没上学，5岁": no school stage; the age says the rest."""
    phrase = rng.choice(NOT_AT_SCHOOL)
    said, age = rng.choice(NOT_AT_SCHOOL_AGES)
    expect = {"role": "child", "word": word, "stage": None, "not_at_school": True}
    if age is not None:
        expect["age"] = age
        expect["role"] = "adult" if age >= 18 else "child"
    return word + rng.choice(["", " "]) + phrase + said, expect


def _pair(rng: random.Random, used: set[str]) -> tuple[str, list[dict]]:
    """ "我爸78我妈75 他俩都选二档": one tier said once for two people."""
    a, b = rng.sample([w for w in ELDERS if w not in used and len(w) > 1] or ELDERS, 2)
    used |= {a, b}
    (pa, age_a), (pb, age_b) = _age_phrase(rng, 66), _age_phrase(rng, 72)
    tier = rng.choice(["一档", "二档"])
    back = rng.choice(["他俩都", "他们俩都", "俩人都", "二老都"])
    text = f"{a}{pa}{rng.choice(['', ' ', '，'])}{b}{pb} {back}{_tier_phrase(rng, tier)}"
    return text, [
        {"role": "elderly", "word": a, "age": age_a, "tier": tier},
        {"role": "elderly", "word": b, "age": age_b, "tier": tier},
    ]


# a pair named, then each of them: the same two people ("爸妈在老家 爸71妈66")
PAIRS = [("爸妈", "爸", "妈"), ("公婆", "公公", "婆婆"), ("岳父母", "岳父", "岳母"), ("爹娘", "爹", "娘")]
SIBLINGS = ["俺哥", "我姐", "弟弟", "妹妹", "嫂子", "大哥", "二姐"]


def _pair_then_each(rng: random.Random, used: set[str]) -> tuple[str, list[dict]]:
    pair, a, b = rng.choice([p for p in PAIRS if not used & set(p)] or PAIRS)
    used |= {pair, a, b}
    (pa, age_a), (pb, age_b) = _age_phrase(rng, 71), _age_phrase(rng, 66)
    where = rng.choice(["在老家", "都在村里", "", "身体还行"])
    text = f"{pair}{where}{rng.choice([' ', '，'])}{a}{pa}{rng.choice(['', ' ', '，'])}{b}{pb}"
    return text, [
        {"role": "elderly", "word": a, "age": age_a},
        {"role": "elderly", "word": b, "age": age_b},
    ]


def _children_together(rng: random.Random, used: set[str]) -> tuple[str, list[dict]]:
    """ "老大老二都上幼儿园了", "俩孩子一个六岁上一年级 一个两岁还没上幼儿园"."""
    if rng.random() < 0.5 and not used & {"老大", "老二"}:  # a second 老大 is the same child
        phrase, stage = rng.choice([s for s in STAGES if s[1] != "newborn"])
        used |= {"老大", "老二"}
        text = f"老大老二{rng.choice(['都', '也都'])}{phrase}"
        return text, [{"role": "child", "word": w, "stage": stage} for w in ("老大", "老二")]
    used.add("孩子")
    sep = rng.choice(["", " ", "，"])
    text = f"俩孩子一个六岁上一年级{sep}一个{rng.choice(['两岁', '2岁', '三岁'])}还没上幼儿园"
    young = 3 if "三" in text else 2
    return text, [
        {"role": "child", "word": "孩子", "age": 6, "stage": "school"},
        {"role": "child", "word": "孩子", "age": young, "stage": None},
    ]


def _sibling(rng: random.Random, used: set[str]) -> tuple[str, dict]:
    word = rng.choice([w for w in SIBLINGS if w not in used] or SIBLINGS)
    used.add(word)
    tier = rng.choice(["一档", "二档"])
    return f"{word}四十五 {_tier_phrase(rng, tier)}", {
        "role": "adult",
        "word": word,
        "age": 45,
        "tier": tier,
    }


def sentence(rng: random.Random) -> tuple[str, list[dict], str | None]:
    """A household sentence, the people it names (in order) and the region it is about."""
    used: set[str] = set()
    parts, people = [], []
    if rng.random() < 0.3:
        text, pair = _pair(rng, used)
        parts.append(text)
        people += pair
    for _ in range(rng.randint(1 if people else 2, 3)):
        text, person = _person(rng, used)
        parts.append(text)
        people.append(person)
    for chance, make in ((0.15, _pair_then_each), (0.15, _children_together)):
        if rng.random() < chance:
            text, more = make(rng, used)
            parts.append(text)
            people += more
    if rng.random() < 0.1:
        text, person = _sibling(rng, used)
        parts.append(text)
        people.append(person)
    in_a_group = any(p.get("group") or p.get("disability_grade") for p in people)
    if rng.random() < 0.1 and not in_a_group:  # "家里也不是低保户": of nobody in particular
        parts.insert(rng.randint(0, len(parts)), rng.choice(FAMILY_NOT))
        for person in people:
            person |= {"group": None, "disability_grade": None}
    region, where = rng.choice(REGIONS)
    if rng.random() < 0.15:  # "我在青岛 爸妈在山亭老家": two regions, each person's own
        other, other_where = rng.choice([r for r in REGIONS if r[0] != region])
        for person in people:
            person["region"] = other
        me = {"role": "self", "word": "我", "region": region}
        return f"我{where}上班 " + f"{other_where}老家的" + "，".join(parts), [me] + people, None
    separator = rng.choice([" ", "，", "。"])
    return f"{where} " + separator.join(parts) + " " + rng.choice(TAILS), people, region


def _problems(text: str, expected: list[dict]) -> list[str]:
    read = read_members(text)
    if len(read) != len(expected):
        return [f"{len(read)} people read, {len(expected)} named: {read}"]
    problems = []
    for got, want in zip(read, expected):
        keys = ("age", "tier", "stage", "region", "group", "disability_grade")
        if got.get("unclear") and want["word"] in got.get("label", ""):
            keys = ("stage", "group", "disability_grade")  # asked about by name, in no group
            if want.get("not_at_school") and want.get("age") is not None:
                problems.append(f"{want['word']}: asked about although the age says it")
        role = "adult" if got["role"] == "self" and want["role"] == "adult" else got["role"]
        checks = [("role", role)] if not got.get("unclear") else []
        checks += [(k, got.get(k)) for k in keys]
        for key, value in checks:
            if key in want and want[key] != value:
                problems.append(f"{want['word']}: {key} {value!r}, expected {want[key]!r}")
    return problems


def test_generated_household_sentences_are_read_person_by_person():
    rng = random.Random(18)
    failures = []
    for _ in range(SENTENCES):
        text, expected, _region = sentence(rng)
        problems = _problems(text, expected)
        if problems:
            failures.append(f"{text} → {'; '.join(problems)}")
    rate = len(failures) / SENTENCES
    assert not failures, f"{len(failures)} of {SENTENCES} ({rate:.1%}):\n" + "\n".join(
        failures[:25]
    )


@pytest.mark.parametrize("seed", range(3))
def test_the_generator_names_every_kind_of_person_it_promises(seed):
    rng = random.Random(seed)
    people = [p for _ in range(300) for p in sentence(rng)[1]]
    assert {p["role"] for p in people} >= {"elderly", "adult", "child", "self"}
    assert any("group" in p and p["group"] is None for p in people)  # said not to be in one
    assert any(p.get("group") for p in people) and any(p.get("not_at_school") for p in people)
