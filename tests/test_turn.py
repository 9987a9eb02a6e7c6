"""``answer_turn`` on plain states (no Rasa): one message read once, merged with what the
conversation knows, composed once; the state round-trips through JSON as the chat's slot holds
it between turns."""

import json

import pytest

from policy_kb.answering.state import TurnState, Waiting, build_profile
from policy_kb.answering.turn import answer_turn
from policy_kb.text.dates import read_date


def play(kb, messages):
    """Plays a conversation; the state goes through JSON between turns, as in the slot."""
    state, turns = None, []
    for text in messages:
        turn = answer_turn(kb, text, TurnState.from_json(state))
        state = turn.state.to_json()
        turns.append(turn)
    return turns


def rate(kb, region, name):
    return kb.fact(region, "medical.personal").value[name]


def test_a_household_question_waits_for_the_tier_and_its_answer_completes_the_total(kb):
    first, second = play(kb, ["我在青岛，孩子上初中，医保交多少", "那我自己选一档呢"])
    assert "tier" in first.asks and "还需要知道" in first.text
    total = rate(kb, "青岛", "一档") + rate(kb, "青岛", "少年儿童")
    assert second.move == "answer"
    assert f"＝{total}元" in second.text and "您想了解什么" not in second.text


def test_the_state_round_trips_through_the_slot_unchanged(kb):
    turn = answer_turn(kb, "我在青岛，孩子上初中，医保交多少", TurnState())
    slot = turn.state.to_json()
    assert TurnState.from_json(json.loads(json.dumps(slot))) == turn.state
    assert TurnState.from_json(slot).waiting == Waiting(["tier", "age", "stage", "members"])


@pytest.mark.parametrize("slot", [None, "", "not json", "{}"])
def test_an_empty_or_unreadable_slot_is_a_fresh_conversation(slot):
    assert TurnState.from_json(slot) == TurnState()


# (conversation, what the last reply must contain, what it must not) — figures from the
# sources' medical.personal and pension.tiers facts of each region
CONVERSATIONS = [
    (["我想交医保", "青岛的", "我今年67", "一档"], ["462"], ["您想了解什么"]),
    (["我想交医保", "威海", "我今年50", "二档"], ["650"], []),
    (["山亭医保交多少", "我今年72"], ["个人缴费：0元"], []),
    (["威海养老交多少", "5000"], ["个人缴费：5000元"], []),
    (["山亭养老交多少", "要是交350呢"], ["个人缴费：350元"], []),
    (["青岛医保一档多少", "换成二档呢"], ["395"], ["462"]),
    (["山亭医保一档多少", "不对 我问的是养老"], ["8000元"], ["380"]),
    (["我和老伴都65 山亭医保一共多少", "那俺爹呢 他都83了"], ["个人缴费：0元"], []),
    (["我和老伴都选一档 威海医保一共多少", "再加上俩孩子 一个上小学一个上大学"], ["1500元"], []),
    (["山亭医保一家多少", "我和老伴，还有俺娘", "她72"], ["760元", "72岁"], []),
    (["青岛医保交多少", "不是我 是我妈 她72"], ["一档"], []),
    (["医保一年交多少", "山亭"], ["380"], ["哪个地区"]),
    (["青岛医保一档多少", "威海呢"], ["450"], ["462"]),
    (["我在青岛，孩子上初中，医保交多少", "青岛医保什么时候交"], ["12月31日"], ["还需要知道"]),
    # an operator adds the caller ("也交" with a total asked): 190 (67) + 0 (72) + 380 (45),
    # 山亭方案 五（一）
    (
        ["来电人 女 山亭 公公68 婆婆75 问两位老人医保一共多少", "来电人补充 她本人40岁也交 问三人合计"],
        ["570元"],
        ["不正常"],
    ),
    # the phones asked, then "交钱" (the facts say 缴费): the tax line leads, 威海通告 四
    (["威海有啥咨询电话", "那付钱的事呢"], ["5690238"], []),
    # a correction that names no part says which of the answer's facts was meant
    (["青岛医保打啥电话", "不对 俺要问交费的事"], ["12366"], []),
    # "咋交" asks the channels as "怎么交" does, after a safety answer too (山亭方案 五（三）2)
    (["村里让俺把钱转到会计个人卡上 山亭的", "那俺自个儿咋交"], ["电子税务局"], ["您想了解什么"]),
    # a county-level city of 威海 names 威海 (regions.yml districts): 一档 450
    (["荣成的 医保一档一年多少"], ["450"], ["哪个地区"]),
    # a town of 山亭 names 山亭: 66 → the government pays half of 380 (方案 五（一）)
    (["俺是桑村镇的 今年66了 医保自个交多少"], ["190"], ["哪个地区"]),
    # a bare tier after a 19-year-old pupil's "怎么交" is the pupil's choice: the over-age
    # menu (威海 五（四）) stays in the answer with the tier's amount
    (["威海19岁的高中在校生，医保怎么交", "一档"], ["社保费补缴", "450元"], []),
    # "那俺自己呢" names someone else: now the speaker's adult amount
    (["威海 孩子上初中 医保怎么交", "那俺自己呢 交一档"], ["450元"], ["社保费补缴"]),
]


@pytest.mark.parametrize("messages,must,must_not", CONVERSATIONS, ids=lambda v: str(v)[:30])
def test_a_conversation_ends_in_the_answer(kb, messages, must, must_not):
    last = play(kb, messages)[-1]
    for text in must:
        assert text in last.text, last.text
    for text in must_not:
        assert text not in last.text, last.text


def test_a_new_question_drops_what_the_assistant_waited_for(kb):
    turns = play(kb, ["我在青岛，孩子上初中，医保交多少", "青岛医保什么时候交"])
    assert turns[-1].move == "new" and turns[-1].state.waiting is None


def test_a_missing_piece_is_asked_once_never_twice(kb):
    turns = play(kb, ["医保一年交多少", "我今年67"])
    assert turns[0].asks == ["region"]
    # asked once and not answered: every region's answer instead of the same question again
    assert "哪个地区" not in turns[1].text
    assert all(kb.region_name(r) in turns[1].text for r in kb.regions)


def test_dates_are_read_the_same_way_everywhere():
    assert read_date("3月10号", 2024) == read_date("2024-03-10") == read_date("2024年3月10日")
    assert read_date("明天", 2024) == "明天"  # unreadable: the calculator says so
    assert read_date("", 2024) is None


def test_one_profile_builder_reads_loose_input(kb):
    profile = build_profile(kb, "青岛", "pension", age="六十五", tier="500", payment_date="3月10号")
    assert (profile.age, profile.tier, profile.payment_date.isoformat()) == (65, 500, "2024-03-10")
    assert build_profile(kb, "威海", "medical", group="新生儿").age == 0


def test_yes_accepts_what_the_assistant_offered(kb):
    asked = answer_turn(kb, "医保一年交多少", TurnState())
    asked.state.waiting = Waiting(["region"], offer={"region": "威海"})  # "您问的是威海吗？"
    turn = answer_turn(kb, "是的", TurnState.from_json(asked.state.to_json()))
    assert turn.move == "answer" and str(rate(kb, "威海", "一档")) in turn.text


def test_a_family_question_without_its_members_asks_who_they_are(kb):
    first, second = play(kb, ["威海医保一家一共多少", "我和我老婆都一档，还有一个孩子"])
    assert first.asks == ["members"]
    adults, child = rate(kb, "威海", "一档"), rate(kb, "威海", "少年儿童")
    assert f"＝{adults * 2 + child}元" in second.text


def test_the_state_never_keeps_a_personal_number(kb):
    turn = answer_turn(kb, "青岛医保一档多少 我身份证370203199001011234", TurnState())
    assert "370203199001011234" not in turn.state.to_json()


# the thread kept across turns: one part changed, corrected or added, the rest kept
THREADS = [
    # "医保换成二档呢" after both schemes added up: the total stays, its medical part changes
    (["在青岛 养老想交500 医保交一档 一年自己一共掏多少", "医保换成二档呢"], ["＝895元"], []),
    (["威海 养老交2000 医保二档 一年一共交多少", "养老换成3000呢"], ["＝3650元"], []),
    (["俺在山亭 俺45 想养老交1000 医保也交 一年总共多少", "不是1000 是3000"], ["＝3380元"], ["1380"]),
    # a person named without an age: the next bare number is their age
    (["山亭 老人医保交多少", "俺娘", "六十八"], ["190"], []),
    # a correction names one member: the others stay
    (["俺家在山亭 俺爹67 俺娘64 俺40 仨人医保加一块多少钱", "说错了 俺爹83了"], ["＝570元"], []),
    # "再加上俺 俺61": the speaker added, with their age
    (["山亭 俺孙女上小学 医保交多少", "再加上俺 俺61"], ["＝570元"], []),
    # "N岁" anywhere is an age
    (["山亭72岁医保个人交多少"], ["个人缴费：0元"], []),
]


@pytest.mark.parametrize("messages,must,must_not", THREADS, ids=lambda v: str(v)[:30])
def test_the_thread_is_kept(kb, messages, must, must_not):
    test_a_conversation_ends_in_the_answer(kb, messages, must, must_not)


def test_an_answer_about_one_member_is_not_written_into_another(kb):
    turns = play(kb, ["青岛 我和俺娘 还有孩子 医保一共交多少", "孩子上初中", "俺娘70了", "一档"])
    assert "孩子（在校中小学生/幼儿，70岁）" not in turns[2].text
    # each piece asked about once: a member whose piece was given is not asked about again
    assert "孩子在上幼儿园" not in turns[2].text and "还需要知道" not in turns[3].text
    total = rate(kb, "青岛", "一档") * 2 + rate(kb, "青岛", "少年儿童")
    assert f"＝{total}元" in turns[3].text


@pytest.mark.parametrize("yes", ["对", "是的", "嗯对", "对对 是的"])
def test_a_bare_yes_after_the_assistant_asked_answers_its_question(kb, yes):
    asked, turn = play(kb, ["威海医保交多少 我今年40", yes])
    assert asked.asks == ["tier"]
    assert turn.move == "answer" and "您想了解什么" not in turn.text
    assert str(rate(kb, "威海", "一档")) in turn.text and "哪一档" not in turn.text


def test_never_what_do_you_want_to_know_after_the_assistant_asked(kb):
    turns = play(kb, ["我想问问", "青岛"])
    assert turns[0].asks == ["region"] and "您想了解什么" not in turns[1].text


def test_a_birth_date_and_a_payment_date_in_one_message(kb):
    turn = answer_turn(kb, "威海宝宝2024年3月10日出生，2024年11月15日交的医保，从什么时候开始享受")
    assert (turn.state.birth_date, turn.state.payment_date) == ("2024-03-10", "2024-11-15")


def test_a_district_named_keeps_its_hotline_for_a_follow_up(kb):
    turns = play(kb, ["莱西医保一档多少", "电话呢"])
    assert turns[1].state.district == "莱西" or "莱西" in turns[1].text


def test_a_corrected_scheme_or_place_is_the_question_asked_again(kb):
    turns = play(kb, ["青岛居民医保分几个档 都多少钱", "不对 我问的是养老"])
    assert str(rate(kb, "青岛", "一档")) not in turns[1].text
    turns = play(kb, ["威海 两个大人交一档 加一个孩子 医保一共多钱", "说错了 是青岛 不是威海"])
    assert turns[1].state.previous().regions == ["青岛"] and "各地对比" not in turns[1].text


def test_members_taken_out_of_a_household(kb):
    turns = play(kb, ["山亭 一家四口 俩大人俩孩子 医保一共多少", "去掉孩子呢"])
    assert turns[1].move == "remove"
    assert [m["role"] for m in turns[1].state.members] == ["adult", "adult"]


def test_a_family_question_asks_who_is_in_the_family_once_the_place_is_answered(kb):
    turns = play(kb, ["给全家交医保", "威海", "我和我对象 还有一个上小学的闺女", "大人都一档"])
    assert turns[1].asks == ["members"]
    # "大人都一档": every adult of the household takes the tier, the child keeps the minors' rate
    total = 2 * rate(kb, "威海", "一档") + rate(kb, "威海", "少年儿童")
    assert f"＝{total}元" in turns[-1].text and not turns[-1].asks


def test_both_schemes_added_up_ask_both_tiers_and_take_them_in_any_order(kb):
    tier = "二档"
    first = ["养老和医保一块交 一共得多少钱", "青岛城阳"]
    for pieces in (["养老选一千那个档", f"医保交{tier}"], [f"医保交{tier}", "养老选一千那个档"]):
        turns = play(kb, first + pieces)
        assert set(turns[1].asks) == {"amount", "tier"}
        total = 1000 + rate(kb, "青岛", tier)
        assert f"＝{total}元" in turns[-1].text, turns[-1].text


def test_ages_said_person_by_person_go_to_each_person(kb):
    last = play(kb, ["俺和俺老伴的医保咋弄", "俺们在山亭桑村镇", "俺65 她71"])[-1]
    assert "本人（65岁）" in last.text and "老伴（71岁）" in last.text


def test_details_of_the_speaker_are_kept_for_their_next_question(kb):
    turns = play(kb, ["俺是残疾人", "一级的 重度", "山亭养老保险还用自己交吗"])
    assert turns[1].move == "change" and "哪个地区" not in turns[1].text  # asked once only
    assert turns[1].state.members[0]["disability_grade"] == 1
    assert "不用" in turns[2].text and "个人缴费：0元" in turns[2].text


def test_a_polite_ask_is_not_a_hotline_question(kb):
    turns = play(kb, ["你好 我想咨询下城乡居民医保一档的话一年是多少钱呢", "威海的"])
    assert turns[0].asks == ["region"]
    assert f"个人缴费：{rate(kb, '威海', '一档')}元" in turns[1].text


def test_a_bare_payment_date_answers_when_the_cover_starts(kb):
    turns = play(kb, ["我户口在青岛 去年忘了交 医保今年再交的话啥时候能开始报", "3月10号"])
    assert turns[1].state.payment_date.endswith("-03-10")
    assert "3个月" in turns[1].text and "待遇起始" in turns[1].text


@pytest.mark.parametrize("lead", ["另外问下", "换个问题", "问个别的", "对了"])
def test_a_message_that_says_it_asks_something_else_is_a_new_question(kb, lead):
    turns = play(kb, ["我老伴医保交多少", f"{lead} 威海养老保险一共几个档"])
    assert turns[0].asks and turns[1].move == "new"
    assert turns[1].state.previous().schemes == ["pension"] and not turns[1].state.members


def test_a_bare_chinese_amount_answers_a_pension_question(kb):
    last = play(kb, ["山亭 养老保险政府给补贴多少", "五百的"])[-1]
    assert last.move == "change" and "个人缴费：500元" in last.text


def test_what_the_resident_meant_corrects_the_scheme_and_keeps_the_person(kb):
    turns = play(kb, ["俺爹今年整七十 在山亭 养老今年还用交吗", "是的 说的是医保"])
    assert turns[1].move == "correct" and turns[1].state.previous().schemes == ["medical"]
    assert turns[1].state.members[0]["age"] == 70 and "个人缴纳0元" in turns[1].text


def test_an_operators_note_of_the_callers_age_is_kept_until_the_place_is_given(kb):
    turns = play(kb, ["来电人 男 63 问居民医保个人交多少", "补充：山亭冯卯镇的"])
    assert turns[0].asks == ["region"] and turns[1].move == "answer"
    assert "个人缴费：190元" in turns[1].text


def test_the_members_taken_out_are_those_of_the_clause_that_says_so(kb):
    turns = play(
        kb,
        [
            "来电人 男 40岁 青岛 问本人及妻子医保一档合计多少",
            "来电人补充 还有个孩子 上小学",
            "来电人又说 妻子和孩子先不报了 只报他自己",
        ],
    )
    assert turns[2].move == "remove" and [m["role"] for m in turns[2].state.members] == ["self"]
    assert f"个人缴费：{rate(kb, '青岛', '一档')}元" in turns[2].text


def test_a_misremembered_amount_is_corrected(kb):
    turns = play(kb, ["青岛养老俺去年交的600 今年还能接着交600吗", "哦 记错了 去年是500"])
    assert turns[1].move == "correct" and turns[1].state.previous().amounts == [500]
    assert "可以" in turns[1].text


def test_one_persons_total_is_not_a_family_question(kb):
    turns = play(kb, ["山停 医保 财政补多少", "总共 一个人 多少"])
    assert "members" not in turns[1].asks and "家里每个人" not in turns[1].text
    assert str(kb.fact("山亭", "medical.personal").value["total"]) in turns[1].text


def test_the_speakers_own_tier_after_a_pupils_question_is_an_adults_amount(kb):
    last = play(kb, ["威海 俺闺女17 上高中 医保交多少", "那俺自己呢 四十五了 交一档"])[-1]
    assert f"个人缴费：{rate(kb, '威海', '一档')}元" in last.text and not last.asks


def test_a_group_word_changes_the_households_own_adults(kb):
    last = play(kb, ["威海 我和老伴都交一档 孙子上幼儿园 医保一共多少", "那俺俩换成二档呢"])[-1]
    total = 2 * rate(kb, "威海", "二档") + rate(kb, "威海", "少年儿童")
    assert f"＝{total}元" in last.text


def test_a_persons_share_asked_with_a_total_is_not_a_family_question(kb):
    turns = play(kb, ["山亭医保个人交多少 是不是一共1020", "那俺娘呢 65了"])
    share = rate(kb, "山亭", "居民")
    assert not turns[0].asks and str(share) in turns[0].text
    assert f"个人缴费：{share // 2}元" in turns[1].text  # 60–69: half paid by the government


@pytest.mark.parametrize(
    "text, menu",
    [
        # over 22: the over-age menu (威海 通告 五（四）)
        ("威海23岁的大学生医保怎么交", "社保费补缴"),
        # 20 and still within 22: the regular menu
        ("威海20岁的大学生医保怎么交", "居民医疗"),
    ],
)
def test_a_students_own_way_to_pay_leads_when_asked_how(kb, text, menu):
    from policy_kb.answering.render import lead

    turn = answer_turn(kb, text, TurnState(), topic="students")
    said = lead(turn.text)
    assert menu in said and said.index(menu) < 80, said


def test_a_persons_own_amount_leads_a_topic_when_the_amount_is_asked(kb):
    from policy_kb.answering.render import lead

    turn = answer_turn(kb, "how much is Qingdao college student 医保", TurnState(), "students")
    assert f"{rate(kb, '青岛', '大学生')}元" in lead(turn.text), turn.text


def test_an_unsafe_payment_after_the_assistants_question_is_a_question_of_its_own(kb):
    # the assistant asked where; the next message names 山亭 but asks whether to pay a collector
    # into his own card: the warning, not the household's amounts
    first, second = play(kb, ["俺们一家子交多少", "山亭村里代办员让俺把医保钱转他个人卡上 他统一交 这样中不"])
    assert second.move == "new" and second.text.startswith("不要转。")


def test_both_tiers_asked_get_both_figures_not_a_question_which(kb):
    turn = answer_turn(kb, "青岛yb一档二档都多少", TurnState())
    assert not turn.asks and "您选的是哪一档" not in turn.text
    assert f"{rate(kb, '青岛', '一档')}元" in turn.text and f"{rate(kb, '青岛', '二档')}元" in turn.text


@pytest.mark.parametrize(
    "first, second, says",
    [
        # the assistant asked where; a yes/no about a refund names 山亭 but asks its own question
        ("过了年交医保多久能用", "山亭 过了年以后交的医保费还能退不", "不予退费"),
        # another scheme than the one the assistant asked about: a question of its own
        ("俺爹的医保", "哎 你先告诉俺 威海养老过了年还能交不", "全年"),
    ],
)
def test_a_question_of_its_own_after_the_assistants_question_is_answered_as_one(
    kb, first, second, says
):
    _, turn = play(kb, [first, second])
    assert turn.move == "new" and says in turn.text, turn.text
