"""No bubble repeated from an earlier turn or within a reply (policy_kb.answering.repeats)."""

from policy_kb.answering.repeats import unsent

RULE = "【青岛市 2024年度】集中缴费期内缴费的，自2024年1月1日起享受待遇。\n来源：甲 二"
WAIT = "【青岛市 2024年度】1月1日后缴费的，有3个月等待期。\n来源：甲 三"


def test_a_bubble_sent_in_an_earlier_turn_is_not_sent_again():
    earlier = [RULE + "\n\n" + WAIT]
    answer = "【青岛市 2024年度】3月10日缴费，2024年6月10日起享受待遇。\n来源：甲 三"
    assert unsent(earlier, answer + "\n\n" + RULE + "\n\n" + WAIT) == answer


def test_the_answer_and_its_source_always_stay():
    # the whole reply was said before: the resident still gets the answer, with its source
    assert unsent([RULE], RULE) == RULE
    # a lead without its own 来源 line keeps the paragraph that carries it, even if sent before
    lead = "【青岛市 2024年度】可以。"
    assert (
        unsent([RULE], lead + "\n\n" + RULE + "\n\n" + WAIT) == lead + "\n\n" + RULE + "\n\n" + WAIT
    )


def test_a_repeat_within_one_reply_and_another_source_line_are_the_same_bubble():
    note = "提示：文件没有写明财政补助金额。"
    text = RULE + "\n\n" + note + "\n来源：甲 四" + "\n\n" + note + "\n来源：甲 五"
    assert unsent([], text) == RULE + "\n\n" + note + "\n来源：甲 四"


def test_nothing_earlier_nothing_dropped():
    assert unsent([], RULE + "\n\n" + WAIT) == RULE + "\n\n" + WAIT
    assert unsent(["您好"], "") == ""
